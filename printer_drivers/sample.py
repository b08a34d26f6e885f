"""The sample ticket of `motcua printer test` and the Vietnamese letters it must show."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from printer_drivers.content import DISPLAY_TIMEZONE, TicketContent

_VOWELS = "aăâeêioôơuưy"
# No tone, huyền, sắc, hỏi, ngã, nặng.
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")

ALPHABET = "a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y"


def vietnamese_letters() -> tuple[str, ...]:
    """The 146 vowel-and-tone letters plus đ, lower case then upper case, in NFC.

    12 vowels x 6 tones + đ = 73 letters in each case.
    """
    lower = [unicodedata.normalize("NFC", v + t) for v in _VOWELS for t in _TONES]
    lower.append("đ")
    return tuple(lower) + tuple(letter.upper() for letter in lower)


def letter_lines() -> tuple[str, ...]:
    """The alphabet, then every toned letter, two vowels a line, for the test print."""
    letters = vietnamese_letters()
    half = len(letters) // 2
    rows = [ALPHABET, ALPHABET.upper()]
    for case in (letters[:half], letters[half:]):
        groups = [" ".join(case[i : i + 6]) for i in range(0, len(_VOWELS) * 6, 6)]
        rows.extend(" | ".join(groups[i : i + 2]) for i in range(0, len(groups), 2))
    return tuple(rows)


def sample_ticket(issued_at: datetime | None = None) -> TicketContent:
    """A realistic ticket: number 1005 for "Tư pháp – Hộ tịch"."""
    return TicketContent(
        agency="UBND xã Hòa Bình",
        site_name="Bộ phận Tiếp nhận và Trả kết quả",
        number="1005",
        service_name="Tư pháp – Hộ tịch",
        people_ahead=4,
        estimated_wait_minutes=12,
        issued_at=issued_at or datetime(2026, 11, 23, 8, 45, tzinfo=DISPLAY_TIMEZONE),
        counters=("Quầy 1", "Quầy 3"),
        qr_url="https://motcua.example.vn/t/1005",
        priority=False,
    )
