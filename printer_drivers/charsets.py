"""Vietnamese in 8-bit code pages: CP1258 and TCVN-3 (TCVN 5712:1993 VN3, "ABC").

CP1258 holds the base letters (ă, â, ê, ô, ơ, ư, đ…) and five combining tone marks, but
only a few precomposed toned letters: Python's codec refuses "ầ", and refuses its NFD form
too ("a" + circumflex + grave has no circumflex byte). So the tone mark alone is split off
and the base letter is kept composed: "ầ" → "â" + U+0300 → E2 CC.

TCVN-3 holds every precomposed lower-case letter. Its upper-case toned letters live in a
second table (a second code page on the printer) at the lower-case positions; Ă Â Ê Ô Ơ
Ư Đ are in both.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from enum import StrEnum

from printer_drivers.content import nfc


class Charset(StrEnum):
    """The text-mode encodings a printer may have."""

    CP1258 = "cp1258"
    TCVN3 = "tcvn3"


TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Typographic punctuation the tables lack, printed as its plain ASCII cousin.
_PLAIN = {"–": "-", "—": "-", "“": '"', "”": '"', "‘": "'", "’": "'", "…": "..."}

_TCVN3_HIGH = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}  # fmt: skip
_TCVN3_ENCODE = {char: code for code, char in _TCVN3_HIGH.items()}


def encode_cp1258(text: str) -> bytes:
    """Encode text for a CP1258 printer, splitting off tone marks CP1258 cannot compose.

    Characters CP1258 lacks altogether become their ASCII look-alike or "?".
    """
    return b"".join(_cp1258_char(char) for char in nfc(text))


def decode_cp1258(data: bytes) -> str:
    """Decode CP1258 bytes back to NFC text."""
    return nfc(data.decode("cp1258", errors="replace"))


def encode_tcvn3(text: str) -> Iterator[tuple[bool, bytes]]:
    """Encode text for a TCVN-3 printer as runs of (upper-case table?, bytes).

    ASCII continues whatever run is open; a run changes table only for a letter that needs
    the other one. Characters TCVN-3 lacks become their ASCII look-alike or "?".
    """
    upper = False
    run = bytearray()
    for char in nfc(text):
        needs_upper, code = _tcvn3_char(char)
        if needs_upper is not None and needs_upper != upper:
            if run:
                yield upper, bytes(run)
                run.clear()
            upper = needs_upper
        run += code
    if run:
        yield upper, bytes(run)


def decode_tcvn3(data: bytes, upper: bool = False) -> str:
    """Decode bytes printed with one TCVN-3 table (`upper` for the capitals table)."""
    chars = []
    for byte in data:
        if byte < 0x80:
            chars.append(chr(byte))
            continue
        char = _TCVN3_HIGH.get(byte, "\ufffd")
        chars.append(char.upper() if upper else char)
    return "".join(chars)


def _cp1258_char(char: str) -> bytes:
    try:
        return char.encode("cp1258")
    except UnicodeEncodeError:
        pass
    decomposed = unicodedata.normalize("NFD", char)
    tones = [c for c in decomposed if c in TONE_MARKS]
    base = nfc("".join(c for c in decomposed if c not in TONE_MARKS))
    try:
        return base.encode("cp1258") + "".join(tones).encode("cp1258")
    except UnicodeEncodeError:
        return _PLAIN.get(char, "?").encode("ascii")


def _tcvn3_char(char: str) -> tuple[bool | None, bytes]:
    """(which table the character needs, None for either; its byte)."""
    if ord(char) < 0x80:
        return None, char.encode("ascii")
    code = _TCVN3_ENCODE.get(char)
    if code is not None:
        return (None if code < 0xA8 else False), bytes((code,))
    code = _TCVN3_ENCODE.get(char.lower())
    if code is not None and char.lower() != char:
        return True, bytes((code,))
    return None, _PLAIN.get(char, "?").encode("ascii")
