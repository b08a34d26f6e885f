"""Public holidays by country, from the `holidays` library's calendars.

Viet Nam's lunar holidays (Tết, Giỗ Tổ Hùng Vương) move every year; a hand-kept
table goes stale, the library computes them for any year. It is pure computation
(its names come from catalogs inside the package), so it may live in the core.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

import holidays

# The calendars a site may name in `[site] holidays`; names are read in both languages.
Calendar = Literal["VN"]
CALENDARS: tuple[Calendar, ...] = ("VN",)


@dataclass(frozen=True, slots=True)
class Holiday:
    """A public holiday's name, Vietnamese first, English second."""

    name_vi: str
    name_en: str


@lru_cache(maxsize=16)
def _names(calendar: Calendar, year: int, language: str) -> dict[date, str]:
    days = holidays.country_holidays(calendar, years=year, language=language)
    return dict(days.items())


def holiday_on(calendar: Calendar, day: date) -> Holiday | None:
    """The public holiday of `calendar` on `day`, or None on an ordinary day.

    A make-up day off (nghỉ bù) counts: issuing is closed on it as on the holiday.
    """
    vi = _names(calendar, day.year, "vi").get(day)
    if vi is None:
        return None
    return Holiday(vi, _names(calendar, day.year, "en_US").get(day, vi))
