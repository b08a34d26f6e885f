"""A small typesetter over the bundled font, with a per-process glyph cache.

Pillow loads and hints every glyph again on each `getlength`, `getbbox` and `text` call (about
0.1 ms a glyph with this font), which alone would put a ticket over its 50 ms budget. Glyphs
are rendered once, as 1-bit masks, and lines are assembled from them. There is no kerning:
Pillow's basic layout engine applies none for this font either (it has GPOS kerning only).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from printer_drivers.fonts import Weight, font


@dataclass(frozen=True, slots=True)
class Glyph:
    """One rendered character: its advance, and its ink as a mask placed from the pen."""

    advance: float
    mask: Image.Image | None
    offset: tuple[int, int]


class Face:
    """One weight at one pixel size; measures and draws NFC text on mode "1" images."""

    def __init__(self, weight: Weight, size: int) -> None:
        self.weight = weight
        self.size = size
        self._font = font(weight, size)
        self.ascent, self.descent = self._font.getmetrics()
        self._glyphs: dict[str, Glyph] = {}

    def glyph(self, char: str) -> Glyph:
        """The cached rendering of one character."""
        cached = self._glyphs.get(char)
        if cached is None:
            cached = self._glyphs[char] = _render(self._font, char)
        return cached

    def length(self, text: str) -> float:
        """The advance width of `text` in pixels."""
        return sum(self.glyph(c).advance for c in text)

    def bbox(self, text: str) -> tuple[int, int, int, int]:
        """The ink box of `text` (left, top, right, bottom) relative to pen and baseline.

        An empty or blank text has the box of the pen position.
        """
        left = top = right = bottom = 0
        found = False
        x = 0.0
        for char in text:
            glyph = self.glyph(char)
            if glyph.mask is not None:
                gx, gy = round(x) + glyph.offset[0], glyph.offset[1]
                box = (gx, gy, gx + glyph.mask.width, gy + glyph.mask.height)
                if found:
                    left, top = min(left, box[0]), min(top, box[1])
                    right, bottom = max(right, box[2]), max(bottom, box[3])
                else:
                    left, top, right, bottom = box
                    found = True
            x += glyph.advance
        return left, top, right, bottom

    def draw(self, image: Image.Image, pen: tuple[int, int], text: str, fill: int = 0) -> None:
        """Draw `text` with its baseline starting at `pen`."""
        x = float(pen[0])
        for char in text:
            glyph = self.glyph(char)
            if glyph.mask is not None:
                where = (round(x) + glyph.offset[0], pen[1] + glyph.offset[1])
                image.paste(fill, where, glyph.mask)
            x += glyph.advance


@functools.cache
def face(weight: Weight, size: int) -> Face:
    """The shared `Face` of a weight and size."""
    return Face(weight, size)


def _render(source: ImageFont.FreeTypeFont, char: str) -> Glyph:
    advance = source.getlength(char)
    left, top, right, bottom = (int(v) for v in source.getbbox(char, anchor="ls"))
    if right <= left or bottom <= top:
        return Glyph(advance, None, (0, 0))
    mask = Image.new("1", (right - left, bottom - top), 0)
    ImageDraw.Draw(mask).text((-left, -top), char, font=source, fill=255, anchor="ls")
    if mask.getbbox() is None:
        return Glyph(advance, None, (0, 0))
    return Glyph(advance, mask, (left, top))
