"""Decoding an ESC/POS byte stream back into printouts: the virtual printer's print head.

Pure and incremental: bytes go in as they arrive (a command may be split across reads);
status queries and finished printouts come out. It understands what motcua sends (raster
GS v 0, text in any of the known code pages, GS ( k QR codes, cuts) and steps over the other
common commands by their length, so output of other programs decodes too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from PIL import Image

from printer_drivers.charsets import decode_cp1258, decode_tcvn3
from printer_drivers.commands import Align, Cut
from printer_drivers.content import nfc
from printer_drivers.raster import decode_band
from printer_drivers.realtime import Query

logger = logging.getLogger(__name__)

CodePage = Callable[[bytes], str]

DEFAULT_CODE_PAGES: Mapping[int, CodePage] = {
    0: lambda data: data.decode("cp437"),
    30: decode_tcvn3,
    31: lambda data: decode_tcvn3(data, upper=True),
    52: decode_cp1258,
}

# Bytes after ESC / GS / FS for commands of fixed length (the byte itself included).
_ESC_LENGTHS = {
    b" ": 2, b"!": 2, b"$": 3, b"%": 2, b"-": 2, b"2": 1, b"3": 2, b"<": 1, b"=": 2, b"?": 2,
    b"@": 1, b"E": 2, b"G": 2, b"J": 2, b"K": 2, b"L": 1, b"M": 2, b"R": 2, b"S": 1, b"T": 2,
    b"U": 2, b"V": 2, b"W": 9, b"\\": 3, b"a": 2, b"d": 2, b"e": 2, b"i": 1, b"m": 1, b"p": 4,
    b"r": 2, b"t": 2, b"u": 2, b"v": 1, b"{": 2, b"B": 3, b"c": 3,
}  # fmt: skip
_GS_LENGTHS = {
    b"!": 2, b"$": 3, b"/": 2, b":": 1, b"B": 2, b"H": 2, b"I": 2, b"L": 3, b"P": 3, b"T": 2,
    b"W": 3, b"\\": 3, b"^": 4, b"a": 2, b"b": 2, b"c": 1, b"f": 2, b"h": 2, b"r": 2,
    b"w": 2, b"E": 2,
}  # fmt: skip
_FS_LENGTHS = {b"!": 2, b"&": 1, b"-": 2, b".": 1, b"C": 2, b"S": 3, b"W": 2, b"p": 3}

LINE_DOTS = 30


@dataclass(frozen=True, slots=True)
class TextLine:
    """One printed line of text; `scale` is the GS ! (width, height) multiplier."""

    text: str
    align: Align = Align.LEFT
    bold: bool = False
    scale: tuple[int, int] = (1, 1)


@dataclass(frozen=True, slots=True)
class RasterBlock:
    """One GS v 0 image."""

    image: Image.Image
    align: Align = Align.LEFT


@dataclass(frozen=True, slots=True)
class QrBlock:
    """A QR code the printer draws itself (GS ( k)."""

    data: str
    module: int
    level: str
    align: Align = Align.LEFT


@dataclass(frozen=True, slots=True)
class FeedBlock:
    """Blank paper, in dots."""

    dots: int


Block = TextLine | RasterBlock | QrBlock | FeedBlock


@dataclass(slots=True)
class Printout:
    """What came out between two cuts.

    Attributes:
        blocks: the content, top to bottom.
        cut: how it was cut; None when the stream ended without a cut.
    """

    blocks: list[Block] = field(default_factory=list)
    cut: Cut | None = None

    @property
    def texts(self) -> list[str]:
        """The text lines, decoded and NFC-normalised."""
        return [b.text for b in self.blocks if isinstance(b, TextLine)]

    @property
    def qr_codes(self) -> list[str]:
        """The data of the native QR codes."""
        return [b.data for b in self.blocks if isinstance(b, QrBlock)]

    @property
    def rasters(self) -> list[Image.Image]:
        """Raster images, bands that follow one another joined back into one image."""
        images: list[Image.Image] = []
        run: list[Image.Image] = []
        for block in [*self.blocks, None]:
            if isinstance(block, RasterBlock):
                run.append(block.image)
                continue
            if run:
                images.append(_stack(run))
                run = []
        return images

    def dump(self) -> str:
        """A plain-text account of the printout, one line per block."""
        lines = []
        for block in self.blocks:
            if isinstance(block, TextLine):
                lines.append(block.text)
            elif isinstance(block, RasterBlock):
                lines.append(f"[raster {block.image.width}x{block.image.height}]")
            elif isinstance(block, QrBlock):
                lines.append(f"[qr {block.level} {block.module}] {block.data}")
        lines.append(f"[cut {self.cut.value}]" if self.cut else "[no cut]")
        return "\n".join(lines) + "\n"


class EscposDecoder:
    """Turns a byte stream into status queries and printouts.

    Args:
        code_pages: `ESC t` numbers and how to decode their bytes; Epson's by default.
    """

    def __init__(self, code_pages: Mapping[int, CodePage] = DEFAULT_CODE_PAGES) -> None:
        self._code_pages = code_pages
        self._buffer = bytearray()
        self._page = Printout()
        self._reset()

    def feed(self, data: bytes) -> list[Query | Printout]:
        """Take the next bytes; return the status queries and printouts they complete."""
        self._buffer += data
        events: list[Query | Printout] = []
        position = 0
        while position < len(self._buffer):
            used = self._command(position, events)
            if used == 0:
                break
            position += used
        del self._buffer[:position]
        return events

    def finish(self) -> Printout | None:
        """End of stream: the uncut content, if any."""
        self._end_line(force=False)
        page, self._page = self._page, Printout()
        return page if page.blocks else None

    def _reset(self) -> None:
        self._align = Align.LEFT
        self._bold = False
        self._scale = (1, 1)
        self._decode = self._code_pages.get(0, DEFAULT_CODE_PAGES[0])
        self._line: list[str] = []
        self._qr_data = ""
        self._qr_module = 3
        self._qr_level = "L"

    def _command(self, at: int, events: list[Query | Printout]) -> int:
        """Handle the command at `at`; return its length, or 0 if it is not complete yet."""
        buf = self._buffer
        byte = buf[at]
        if byte == 0x10:
            return self._dle(at, events)
        if byte == 0x1B:
            return self._esc(at, events)
        if byte == 0x1D:
            return self._gs(at, events)
        if byte == 0x1C:
            return self._fixed(at, _FS_LENGTHS)
        if byte == 0x0A:
            self._end_line(force=True)
        elif byte == 0x09:
            self._line.append("    ")
        elif byte >= 0x20:
            end = at
            while end < len(buf) and buf[end] >= 0x20:
                end += 1
            self._line.append(self._decode(bytes(buf[at:end])))
            return end - at
        return 1

    def _dle(self, at: int, events: list[Query | Printout]) -> int:
        if len(self._buffer) - at < 3:
            return 0
        kind, n = self._buffer[at + 1], self._buffer[at + 2]
        if kind == 0x04:
            if n in tuple(Query):
                events.append(Query(n))
            return 3
        if kind == 0x14:
            return 5 if len(self._buffer) - at >= 5 else 0
        return 3 if kind == 0x05 else 1

    def _esc(self, at: int, events: list[Query | Printout]) -> int:
        buf = self._buffer
        if len(buf) - at < 2:
            return 0
        letter = bytes(buf[at + 1 : at + 2])
        if letter == b"*":
            return self._column_image(at)
        if letter == b"D":
            end = buf.find(b"\x00", at + 2)
            return end - at + 1 if end >= 0 else 0
        used = self._fixed(at, _ESC_LENGTHS)
        if used == 0:
            return 0
        argument = buf[at + 2] if used > 2 else 0
        if letter == b"@":
            self._end_line(force=False)
            self._reset()
        elif letter == b"a":
            self._end_line(force=False)
            self._align = Align(argument % 48 if argument % 48 < 3 else 0)
        elif letter == b"E":
            self._bold = bool(argument & 1)
        elif letter == b"!":
            self._bold = bool(argument & 0x08)
            self._scale = (2 if argument & 0x20 else 1, 2 if argument & 0x10 else 1)
        elif letter == b"t":
            self._decode = self._code_pages.get(argument, DEFAULT_CODE_PAGES[0])
        elif letter == b"d":
            self._end_line(force=False)
            if argument:
                self._page.blocks.append(FeedBlock(argument * LINE_DOTS))
        elif letter == b"J":
            self._end_line(force=False)
            self._page.blocks.append(FeedBlock(argument))
        elif letter in (b"i", b"m"):
            self._cut(Cut.PARTIAL, events)
        return used

    def _gs(self, at: int, events: list[Query | Printout]) -> int:
        buf = self._buffer
        if len(buf) - at < 2:
            return 0
        letter = bytes(buf[at + 1 : at + 2])
        if letter == b"v":
            return self._raster(at)
        if letter == b"(":
            return self._extended(at)
        if letter == b"V":
            if len(buf) - at < 3:
                return 0
            mode = buf[at + 2]
            length = 4 if mode >= 65 else 3
            if len(buf) - at < length:
                return 0
            self._cut(Cut.PARTIAL if mode % 2 else Cut.FULL, events)
            return length
        if letter == b"k":
            return self._barcode(at)
        if letter == b"*":
            return self._sized(at, 4, (buf[at + 2] * buf[at + 3] * 8) if len(buf) - at >= 4 else -1)
        if letter == b"8":
            size = int.from_bytes(buf[at + 3 : at + 7], "little") if len(buf) - at >= 7 else -1
            return self._sized(at, 7, size)
        used = self._fixed(at, _GS_LENGTHS)
        if letter == b"!" and used == 3:
            size = buf[at + 2]
            self._scale = ((size >> 4 & 7) + 1, (size & 7) + 1)
        return used

    def _fixed(self, at: int, lengths: Mapping[bytes, int]) -> int:
        letter = bytes(self._buffer[at + 1 : at + 2])
        if not letter:
            return 0
        length = lengths.get(letter)
        if length is None:
            logger.info("unknown command %r, skipped", bytes(self._buffer[at : at + 2]))
            return 2
        return 1 + length if len(self._buffer) - at >= 1 + length else 0

    def _raster(self, at: int) -> int:
        buf = self._buffer
        if len(buf) - at < 8:
            return 0
        row_bytes = buf[at + 4] | buf[at + 5] << 8
        rows = buf[at + 6] | buf[at + 7] << 8
        end = at + 8 + row_bytes * rows
        if len(buf) < end:
            return 0
        self._end_line(force=False)
        image = decode_band(row_bytes, rows, bytes(buf[at + 8 : end]))
        self._page.blocks.append(RasterBlock(image, self._align))
        return end - at

    def _extended(self, at: int) -> int:
        """GS ( x pL pH ...: QR codes are decoded, the rest skipped by length."""
        buf = self._buffer
        if len(buf) - at < 5:
            return 0
        size = buf[at + 3] | buf[at + 4] << 8
        end = at + 5 + size
        if len(buf) < end:
            return 0
        body = bytes(buf[at + 5 : end])
        if buf[at + 2 : at + 3] == b"k" and body[:1] == b"1" and len(body) >= 2:
            self._qr(body[1], body[2:])
        return end - at

    def _qr(self, function: int, parameters: bytes) -> None:
        if function == ord("C") and parameters:
            self._qr_module = parameters[0]
        elif function == ord("E") and parameters:
            self._qr_level = "LMQH"[(parameters[0] - 48) % 4]
        elif function == ord("P"):
            self._qr_data = parameters[1:].decode("utf-8", errors="replace")
        elif function == ord("Q"):
            self._end_line(force=False)
            block = QrBlock(self._qr_data, self._qr_module, self._qr_level, self._align)
            self._page.blocks.append(block)

    def _column_image(self, at: int) -> int:
        buf = self._buffer
        if len(buf) - at < 5:
            return 0
        columns = buf[at + 3] | buf[at + 4] << 8
        depth = 3 if buf[at + 2] in (32, 33) else 1
        end = at + 5 + columns * depth
        return end - at if len(buf) >= end else 0

    def _barcode(self, at: int) -> int:
        buf = self._buffer
        if len(buf) - at < 3:
            return 0
        system = buf[at + 2]
        if system <= 6:
            end = buf.find(b"\x00", at + 3)
            return end - at + 1 if end >= 0 else 0
        if len(buf) - at < 4:
            return 0
        end = at + 4 + buf[at + 3]
        return end - at if len(buf) >= end else 0

    def _sized(self, at: int, header: int, size: int) -> int:
        """A command of `header` bytes plus `size` bytes of data (-1: size not known yet)."""
        if size < 0 or len(self._buffer) - at < header + size:
            return 0
        return header + size

    def _end_line(self, *, force: bool) -> None:
        """Close the current text line; a bare line feed prints an empty line."""
        if not self._line and not force:
            return
        text = nfc("".join(self._line))
        self._line = []
        self._page.blocks.append(TextLine(text, self._align, self._bold, self._scale))

    def _cut(self, kind: Cut, events: list[Query | Printout]) -> None:
        self._end_line(force=False)
        self._page.cut = kind
        events.append(self._page)
        self._page = Printout()


def _stack(images: list[Image.Image]) -> Image.Image:
    if len(images) == 1:
        return images[0]
    width = max(image.width for image in images)
    joined = Image.new("1", (width, sum(image.height for image in images)), 255)
    y = 0
    for image in images:
        joined.paste(image, (0, y))
        y += image.height
    return joined
