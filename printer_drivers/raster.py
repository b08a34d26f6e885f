"""Raster encoding: a 1-bit image becomes GS v 0 bands, the default way to print a ticket.

Every ESC/POS printer prints a raster image, code page or not, so Vietnamese comes out right
on all of them. An 80 mm ticket is about 40 KB: see docs/hardware.md for serial speeds.
"""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image

from printer_drivers import commands
from printer_drivers.commands import Cut

# Cheap printers garble very tall GS v 0 images; bands this tall print everywhere we tried
# to find reports of, at 8 bytes of header each.
DEFAULT_BAND_ROWS = 128

# Pillow packs mode "1" with 1 = white; ESC/POS wants 1 = a black dot.
_INVERT = bytes(255 - b for b in range(256))


def raster_bands(image: Image.Image, band_rows: int = DEFAULT_BAND_ROWS) -> bytes:
    """Encode an image as consecutive GS v 0 commands, `band_rows` rows each.

    Args:
        image: any mode; it is converted to 1 bit without dithering (darker than mid-grey
            prints black) and padded with white to a whole number of bytes a row.
        band_rows: rows per GS v 0 command.
    """
    bitmap = _bitmap(image)
    row_bytes = bitmap.width // 8
    data = bitmap.tobytes().translate(_INVERT)
    parts = []
    for top in range(0, bitmap.height, band_rows):
        rows = min(band_rows, bitmap.height - top)
        header = commands.RASTER + b"\x00" + commands.u16(row_bytes) + commands.u16(rows)
        parts.append(header + data[top * row_bytes : (top + rows) * row_bytes])
    return b"".join(parts)


def encode_job(
    images: Sequence[Image.Image], cut: Cut = Cut.PARTIAL, band_rows: int = DEFAULT_BAND_ROWS
) -> bytes:
    """One print job: initialize, the images one under the other, feed, cut."""
    body = b"".join(raster_bands(image, band_rows) for image in images)
    return commands.INITIALIZE + body + commands.cut(cut)


def decode_band(row_bytes: int, rows: int, data: bytes) -> Image.Image:
    """The image one GS v 0 command carries (the inverse of `raster_bands` for one band)."""
    return Image.frombytes("1", (row_bytes * 8, rows), data.translate(_INVERT))


def _bitmap(image: Image.Image) -> Image.Image:
    if image.mode != "1":
        grey = image.convert("L").point(lambda v: 255 if v >= 128 else 0)
        image = grey.convert("1", dither=Image.Dither.NONE)
    if image.width % 8:
        padded = Image.new("1", (image.width + 8 - image.width % 8, image.height), 255)
        padded.paste(image, (0, 0))
        image = padded
    return image
