"""Issuing hours: when a service hands out numbers, in the site's local time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

Window = tuple[time, time]

# How far ahead `next_opening` looks before giving up (a long Tết holiday fits).
_LOOKAHEAD_DAYS = 31


@dataclass(frozen=True, slots=True)
class IssuingHours:
    """Opening windows per weekday (0 = Monday … 6 = Sunday).

    `weekly` is None for a service open at every hour; otherwise it holds seven
    tuples of windows, an empty tuple being a closed day. `closed_dates` are
    holidays, closed whatever the weekday.
    """

    weekly: tuple[tuple[Window, ...], ...] | None = None
    closed_dates: frozenset[date] = field(default_factory=frozenset)

    def windows_on(self, day: date) -> tuple[Window, ...]:
        if day in self.closed_dates:
            return ()
        if self.weekly is None:
            return ((time.min, time.max),)
        return self.weekly[day.weekday()]

    def is_open(self, local: datetime) -> bool:
        """Whether numbers are issued at the local, naive-or-aware time `local`."""
        moment = local.time().replace(tzinfo=None)
        return any(start <= moment < end for start, end in self.windows_on(local.date()))

    def next_opening(self, local: datetime) -> datetime | None:
        """The first opening strictly after `local`, or None within a month."""
        for offset in range(_LOOKAHEAD_DAYS + 1):
            day = local.date() + timedelta(days=offset)
            for start, _end in sorted(self.windows_on(day)):
                opening = datetime.combine(day, start, tzinfo=local.tzinfo)
                if opening > local:
                    return opening
        return None


def parse_window(text: str) -> Window:
    """Parse "07:30-11:30" (or "13:30-24:00") into two times; raise ValueError saying
    what is wrong."""
    try:
        start_text, end_text = (part.strip() for part in text.split("-"))
        start = time.fromisoformat(start_text)
        # "24:00" closes a window at midnight; `time` cannot say it, `time.max` nearly can.
        end = time.max if end_text == "24:00" else time.fromisoformat(end_text)
    except ValueError:
        raise ValueError(f"'{text}' is not a window like '07:30-11:30'") from None
    # An offset would make the window incomparable with the naive local time of day.
    if start.tzinfo is not None or end.tzinfo is not None:
        raise ValueError(f"window '{text}' must be local time, without a UTC offset")
    if start >= end:
        raise ValueError(f"window '{text}' ends before it starts")
    return start, end
