"""The board's date and time line: "Thứ Hai, 23/11/2026 09:00"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

# Message ids for the catalog; Monday first, as `datetime.weekday()` counts.
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def weekday(at: datetime, translate: Callable[[str], str]) -> str:
    return translate(WEEKDAYS[at.weekday()])


def date_text(at: datetime, translate: Callable[[str], str]) -> str:
    """ "Thứ Hai, 23/11/2026" (day first, as Vietnamese dates are written)."""
    return f"{weekday(at, translate)}, {at:%d/%m/%Y}"


def time_text(at: datetime) -> str:
    return f"{at:%H:%M}"


def clock_text(at: datetime, translate: Callable[[str], str]) -> str:
    return f"{date_text(at, translate)} {time_text(at)}"
