"""The few ESC/POS commands a ticket needs, as bytes. Pure; shared by encoders and emulator."""

from __future__ import annotations

from enum import Enum

ESC = b"\x1b"
GS = b"\x1d"
LF = b"\n"

INITIALIZE = ESC + b"@"
RASTER = GS + b"v0"  # GS v 0 m xL xH yL yH d1...dk
TWO_D_CODE = GS + b"(k"  # GS ( k pL pH cn fn [parameters]


class Cut(Enum):
    """How a ticket leaves the printer: partial keeps it hanging on a tab at the mouth."""

    PARTIAL = "partial"
    FULL = "full"
    NONE = "none"


class Align(Enum):
    """ESC a n."""

    LEFT = 0
    CENTER = 1
    RIGHT = 2


def u16(value: int) -> bytes:
    """A 16-bit parameter, low byte first (the ESC/POS `nL nH` pair)."""
    if not 0 <= value <= 0xFFFF:
        raise ValueError(f"{value} does not fit two bytes")
    return value.to_bytes(2, "little")


def feed_lines(count: int) -> bytes:
    """ESC d n: print the buffer and feed `count` lines."""
    return ESC + b"d" + bytes((count,))


def cut(kind: Cut, feed: int = 4) -> bytes:
    """Feed past the tear bar, then cut (GS V 0/1); `Cut.NONE` only feeds."""
    tail = {Cut.PARTIAL: GS + b"V\x01", Cut.FULL: GS + b"V\x00", Cut.NONE: b""}[kind]
    return feed_lines(feed) + tail


def align(where: Align) -> bytes:
    """ESC a n."""
    return ESC + b"a" + bytes((where.value,))


def bold(on: bool) -> bytes:
    """ESC E n."""
    return ESC + b"E" + (b"\x01" if on else b"\x00")


def character_size(width: int, height: int) -> bytes:
    """GS ! n: each dimension multiplied by 1 to 8."""
    if not (1 <= width <= 8 and 1 <= height <= 8):
        raise ValueError("character size runs from 1 to 8")
    return GS + b"!" + bytes(((width - 1) << 4 | (height - 1),))


def code_page(number: int) -> bytes:
    """ESC t n: select the character code table (the numbers differ by maker)."""
    return ESC + b"t" + bytes((number,))


def qr_code(data: str, module: int = 6, level: str = "M") -> bytes:
    """Native QR code, model 2 (GS ( k functions 165, 167, 169, 180, 181)."""
    if not 1 <= module <= 16:
        raise ValueError("QR module size runs from 1 to 16")
    payload = data.encode("utf-8")
    return b"".join(
        (
            _two_d(b"1A", b"2\x00"),
            _two_d(b"1C", bytes((module,))),
            _two_d(b"1E", bytes((b"LMQH".index(level.encode()) + 48,))),
            _two_d(b"1P", b"0" + payload),
            _two_d(b"1Q", b"0"),
        )
    )


def _two_d(cn_fn: bytes, parameters: bytes) -> bytes:
    return TWO_D_CODE + u16(len(cn_fn) + len(parameters)) + cn_fn + parameters
