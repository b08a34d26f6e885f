"""What a printout looks like on paper: the virtual printer's PNG of each ticket."""

from __future__ import annotations

from PIL import Image

from printer_drivers.commands import Align
from printer_drivers.decoder import FeedBlock, Printout, QrBlock, RasterBlock, TextLine
from printer_drivers.fonts import Weight
from printer_drivers.layout import qr_image
from printer_drivers.typeset import face

# The printer's Font A is 12 x 24 dots; the bundled font at this size fills about as much.
TEXT_SIZE = 22
LINE_GAP = 6


def render_printout(printout: Printout, width: int = 576) -> Image.Image:
    """Draw a decoded printout as the paper would show it (mode "1", `width` dots wide)."""
    pieces = [_piece(block) for block in printout.blocks]
    height = sum(piece.height for piece, _ in pieces) or 1
    paper = Image.new("1", (width, height), 255)
    y = 0
    for piece, align in pieces:
        x = {Align.LEFT: 0, Align.CENTER: (width - piece.width) // 2}.get(
            align, width - piece.width
        )
        paper.paste(piece, (max(0, x), y))
        y += piece.height
    return paper


def _piece(block: TextLine | RasterBlock | QrBlock | FeedBlock) -> tuple[Image.Image, Align]:
    if isinstance(block, RasterBlock):
        return block.image, block.align
    if isinstance(block, QrBlock):
        code = qr_image(block.data, block.module)
        framed = Image.new("1", (code.width, code.height + 2 * block.module), 255)
        framed.paste(code, (0, block.module))
        return framed, block.align
    if isinstance(block, FeedBlock):
        return Image.new("1", (1, block.dots), 255), Align.LEFT
    wide, tall = block.scale
    typeface = face(Weight.BOLD if block.bold else Weight.REGULAR, TEXT_SIZE * tall)
    left, top, right, bottom = typeface.bbox(block.text)
    top, bottom = min(top, -typeface.ascent), max(bottom, typeface.descent)
    line = Image.new("1", (max(1, right - min(0, left)), bottom - top + LINE_GAP), 255)
    typeface.draw(line, (-min(0, left), -top), block.text, 0)
    if wide != tall:
        line = line.resize((max(1, line.width * wide // tall), line.height))
    return line, block.align
