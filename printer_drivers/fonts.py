"""The bundled font: Be Vietnam Pro (SIL OFL 1.1), shipped by `fontpkg-be-vietnam-pro`.

One font on every kiosk keeps tickets identical everywhere, whatever fonts the system has.
Pillow's basic layout engine is forced for the same reason: raqm's output follows whatever
HarfBuzz the system has, and NFC Vietnamese needs no shaping.
"""

from __future__ import annotations

import functools
from enum import StrEnum
from importlib import resources
from pathlib import Path

from PIL import ImageFont

_PACKAGE = "fontpkg_be_vietnam_pro"
FAMILY = "Be Vietnam Pro"


class Weight(StrEnum):
    """The weights the ticket uses, by file name."""

    REGULAR = "Regular"
    MEDIUM = "Medium"
    SEMIBOLD = "SemiBold"
    BOLD = "Bold"


def font_path(weight: Weight = Weight.REGULAR) -> Path:
    """The TTF file of one weight.

    Raises:
        FileNotFoundError: the font package is not installed.
    """
    path = Path(str(resources.files(_PACKAGE) / "files" / f"BeVietnamPro-{weight}.ttf"))
    if not path.is_file():
        raise FileNotFoundError(f"{FAMILY} {weight} not found at {path}")
    return path


def licence_path() -> Path:
    """The font's licence text (SIL Open Font License 1.1)."""
    return Path(str(resources.files(_PACKAGE) / "LICENSE"))


@functools.cache
def font(weight: Weight, size: int) -> ImageFont.FreeTypeFont:
    """The font at `size` pixels, loaded once per process."""
    return ImageFont.truetype(str(font_path(weight)), size, layout_engine=ImageFont.Layout.BASIC)
