"""Issuing hours: when a service hands out numbers, in the site's local time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from queue_core.public_holidays import Calendar, Holiday, holiday_on

Window = tuple[time, time]

# How far ahead `next_opening` looks before giving up (a long Tết holiday fits).
_LOOKAHEAD_DAYS = 31


@dataclass(frozen=True, slots=True)
class IssuingHours:
    """Opening windows per weekday (0 = Monday … 6 = Sunday).

    `weekly` is None for a service open at every hour; otherwise it holds seven
    tuples of windows, an empty tuple being a closed day. `closed_dates` are
    the site's own days off, closed whatever the weekday; `holidays` names a
    public-holiday calendar whose days are closed too. `working_dates` (ngày làm
    bù) open with the `workday` windows, even on a weekend or a public holiday.
    """

    weekly: tuple[tuple[Window, ...], ...] | None = None
    closed_dates: frozenset[date] = field(default_factory=frozenset)
    holidays: Calendar | None = None
    working_dates: frozenset[date] = field(default_factory=frozenset)
    workday: tuple[Window, ...] = ((time.min, time.max),)

    def holiday_on(self, day: date) -> Holiday | None:
        """The public holiday that closes `day`, if that is why it is closed."""
        if self.holidays is None or day in self.working_dates or day in self.closed_dates:
            return None
        return holiday_on(self.holidays, day)

    def windows_on(self, day: date) -> tuple[Window, ...]:
        if day in self.closed_dates:
            return ()
        if day in self.working_dates:
            return self.workday
        if self.holidays is not None and holiday_on(self.holidays, day) is not None:
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
