"""Report figures: what a centre sends up each month, from its tickets alone.

Pure arithmetic over `Visit`s (one per ticket, as the store reads them for a range of
days). The definitions are the contract's ("Reports"), and `docs/reports.md` works one
example through by hand:

- issued: tickets issued, walk-ins included; cancelled and expired ones are counted
  apart (`cancelled`, `expired`) and in nothing else;
- called: of the issued, those called at least once; served: completed; no_show;
- wait: issue → first call, over called tickets; service: last call → completion, over
  served tickets; minutes, one decimal, None where nothing is counted;
- p90: the nearest rank, the smallest wait that at least 90 % of the waits do not exceed;
- within_target_pct: called tickets whose wait was at most their service's target;
- ratings per level over the site's scale; satisfaction_pct: (all − level 1) / all.

Rounding is half up at one decimal (12.25 → 12.3), as a person rounding by hand would.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from queue_core.errors import InvalidRequest
from queue_core.model import TicketStatus

__all__ = [
    "MAX_DAYS",
    "Figures",
    "Grouping",
    "Key",
    "Tally",
    "Visit",
    "group",
    "one_decimal",
    "period",
    "total",
]

MAX_DAYS = 366
"""The longest range one report covers: a year, a leap one too. Longer asks are refused
rather than left to read years of history on a small server."""


class Grouping(StrEnum):
    SERVICE = "service"
    COUNTER = "counter"
    CLERK = "clerk"
    DAY = "day"
    HOUR = "hour"


@dataclass(frozen=True, slots=True)
class Visit:
    """One ticket, as a report counts it."""

    service: str  # the service it was issued for: a transfer later does not move it
    status: TicketStatus
    day: date  # the site's day it was issued on
    issued_at: datetime
    first_called_at: datetime | None  # a ticket's `called_at` is its last call, not this
    called_at: datetime | None
    finished_at: datetime | None
    counter: int | None  # where it was last called
    clerk: str | None
    rating: int | None = None
    walk_in: bool = False


@dataclass(frozen=True, slots=True)
class Figures:
    """One row of a report: the contract's Row without its key and label."""

    issued: int
    called: int
    served: int
    no_show: int
    cancelled: int
    expired: int
    wait_avg_minutes: float | None
    wait_p90_minutes: float | None
    wait_max_minutes: float | None
    service_avg_minutes: float | None
    within_target_pct: float | None
    ratings: dict[str, int]
    satisfaction_pct: float | None


def one_decimal(value: float) -> float:
    """`value` rounded half up to one decimal."""
    return float(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else one_decimal(seconds / 60)


def _pct(part: int, whole: int) -> float | None:
    return one_decimal(part * 100 / whole) if whole else None


def p90(values: list[float]) -> float | None:
    """The nearest-rank 90th percentile of `values`: the ⌈0.9·n⌉-th smallest."""
    if not values:
        return None
    ordered = sorted(values)
    # 9 * n / 10 in integers: 0.9 * n in floats would put n = 10 at rank 10 (9.000…02).
    return ordered[math.ceil(9 * len(ordered) / 10) - 1]


@dataclass(slots=True)
class Tally:
    """The figures of a group of visits, added one visit at a time."""

    scale: int
    issued: int = 0
    called: int = 0
    served: int = 0
    no_show: int = 0
    cancelled: int = 0
    expired: int = 0
    within_target: int = 0
    waits_s: list[float] = field(default_factory=list)
    service_s: list[float] = field(default_factory=list)
    ratings: list[int] = field(default_factory=list)

    def add(self, visit: Visit, target_s: float) -> None:
        if visit.status is TicketStatus.CANCELLED:
            self.cancelled += 1
            return
        if visit.status is TicketStatus.EXPIRED:
            self.expired += 1
            return
        self.issued += 1
        if visit.first_called_at is not None:
            self.called += 1
            wait_s = (visit.first_called_at - visit.issued_at).total_seconds()
            self.waits_s.append(wait_s)
            self.within_target += wait_s <= target_s
        if visit.status is TicketStatus.DONE:
            self.served += 1
            if visit.called_at is not None and visit.finished_at is not None:
                self.service_s.append((visit.finished_at - visit.called_at).total_seconds())
        elif visit.status is TicketStatus.NO_SHOW:
            self.no_show += 1
        if visit.rating is not None:
            self.ratings.append(visit.rating)

    def figures(self) -> Figures:
        waits = self.waits_s
        levels = {str(level): 0 for level in range(1, self.scale + 1)}
        for score in self.ratings:
            # A rating given under a larger scale before the site changed it counts at
            # the top of today's scale, never outside it.
            level = str(min(max(score, 1), self.scale))
            levels[level] += 1
        rated = len(self.ratings)
        return Figures(
            issued=self.issued,
            called=self.called,
            served=self.served,
            no_show=self.no_show,
            cancelled=self.cancelled,
            expired=self.expired,
            wait_avg_minutes=_minutes(sum(waits) / len(waits) if waits else None),
            wait_p90_minutes=_minutes(p90(waits)),
            wait_max_minutes=_minutes(max(waits) if waits else None),
            service_avg_minutes=_minutes(
                sum(self.service_s) / len(self.service_s) if self.service_s else None
            ),
            within_target_pct=_pct(self.within_target, self.called),
            ratings=levels,
            satisfaction_pct=_pct(rated - levels["1"], rated),
        )


Key = str | int


def key_of(by: Grouping, timezone: str) -> Callable[[Visit], Key | None]:
    """How `by` groups a visit; None leaves the visit out of the rows (a ticket never
    called has no counter and no clerk), never out of the total."""
    if by is Grouping.SERVICE:
        return lambda visit: visit.service
    if by is Grouping.COUNTER:
        return lambda visit: visit.counter
    if by is Grouping.CLERK:
        return lambda visit: visit.clerk
    if by is Grouping.DAY:
        return lambda visit: visit.day.isoformat()
    zone = ZoneInfo(timezone)
    return lambda visit: visit.issued_at.astimezone(zone).hour


def group(
    visits: Iterable[Visit],
    by: Grouping,
    *,
    targets_s: Callable[[str], float],
    scale: int,
    timezone: str,
    days: tuple[date, date] | None = None,
) -> list[tuple[Key, Figures]]:
    """The rows of `visits` grouped `by`, in key order. With `days` (from, to), grouping
    by day lists every day of the range, those without a ticket too, for a chart."""
    key = key_of(by, timezone)
    tallies: dict[Key, Tally] = {}
    if by is Grouping.DAY and days is not None:
        first, last = days
        for offset in range((last - first).days + 1):
            tallies[(first + timedelta(days=offset)).isoformat()] = Tally(scale)
    for visit in visits:
        found = key(visit)
        if found is None:
            continue
        tally = tallies.get(found)
        if tally is None:
            tally = tallies[found] = Tally(scale)
        tally.add(visit, targets_s(visit.service))
    # The keys of one grouping are all numbers (counters, hours) or all text.
    return [(k, tallies[k].figures()) for k in sorted(tallies)]


def total(visits: Iterable[Visit], *, targets_s: Callable[[str], float], scale: int) -> Figures:
    """The figures of every visit together."""
    tally = Tally(scale)
    for visit in visits:
        tally.add(visit, targets_s(visit.service))
    return tally.figures()


def _day(text: str, name: str) -> date:
    # The contract's form alone: `date.fromisoformat` would also take "20261101".
    try:
        if len(text) != 10 or text[4] != "-" or text[7] != "-":
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidRequest(
            f"'{name}' phải là một ngày dạng YYYY-MM-DD / '{name}' must be a date YYYY-MM-DD"
        ) from None


def period(first: str, last: str, max_days: int = MAX_DAYS) -> tuple[date, date]:
    """The days `first` to `last` (YYYY-MM-DD, both included) of a report.

    Raises:
        InvalidRequest: a malformed day, `last` before `first`, or more than `max_days`.
    """
    start, end = _day(first, "from"), _day(last, "to")
    if end < start:
        raise InvalidRequest("'to' đứng trước 'from' / 'to' is before 'from'")
    if (end - start).days + 1 > max_days:
        raise InvalidRequest(
            f"Mỗi báo cáo tối đa {max_days} ngày / a report covers at most {max_days} days"
        )
    return start, end
