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

Visits are added to a `Tally`, and tallies merge exactly (`Tally.merged`): the figures of a
day's tallies merged over a range are the figures of the range's visits, p90 included. So
the store keeps each closed day's tallies (its daily figures) and a report of a year adds
up days instead of reading a year of tickets.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from itertools import accumulate
from zoneinfo import ZoneInfo

from queue_core.errors import InvalidRequest
from queue_core.model import TicketStatus
from queue_core.site import SiteConfig

__all__ = [
    "MAX_DAYS",
    "Counted",
    "Figures",
    "Grouping",
    "Key",
    "RangeTallies",
    "Rules",
    "Tally",
    "Visit",
    "WaitBins",
    "WaitTotals",
    "group",
    "one_decimal",
    "period",
    "rows",
    "tally",
    "tally_every",
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
class Rules:
    """What a report judges visits by, from the site as it is now."""

    targets_s: Mapping[str, float]  # service code → its waiting target
    default_target_s: float  # a retired service's (no longer in the site): the site's
    timezone: str  # the site's: hours of the day are its hours
    scale: int  # the rating scale's levels

    @classmethod
    def of(cls, site: SiteConfig) -> Rules:
        services = site.services_domain()
        return cls(
            targets_s={code: float(service.waiting_target_s) for code, service in services.items()},
            default_target_s=site.site.waiting_target_minutes * 60.0,
            timezone=site.site.timezone,
            scale=site.site.rating_scale,
        )

    def target_s(self, service: str) -> float:
        return self.targets_s.get(service, self.default_target_s)

    def basis(self, services: Iterable[str]) -> dict[str, object]:
        """What tallies of visits of `services` were judged by (the rating scale apart:
        tallies keep ratings as given): equal bases, equal tallies."""
        return {
            "timezone": self.timezone,
            "targets_s": {code: self.target_s(code) for code in sorted(set(services))},
        }


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


def _tenths(minutes: float) -> int:
    """`minutes` rounded half up to a tenth, in tenths: one_decimal(m) == _tenths(m) / 10."""
    return int(Decimal(repr(minutes)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) * 10)


def _average_minutes(total_us: int, count: int) -> float | None:
    """total_us / count microseconds in minutes, rounded half up (away from zero, as
    `one_decimal`) at one decimal, in integers: exact, whatever the order of the sum."""
    if not count:
        return None
    # tenths = ⌊10·|total| / (60e6·count) + ½⌋, in integers
    tenths = (20 * abs(total_us) + 60_000_000 * count) // (120_000_000 * count)
    return (tenths if total_us >= 0 else -tenths) / 10


def p90(values: list[float]) -> float | None:
    """The nearest-rank 90th percentile of `values`: the ⌈0.9·n⌉-th smallest."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[_p90_rank(len(ordered)) - 1]


def _p90_rank(count: int) -> int:
    # 9 * n / 10 in integers: 0.9 * n in floats would put n = 10 at rank 10 (9.000…02).
    return math.ceil(9 * count / 10)


def _us(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@dataclass(slots=True)
class WaitBins:
    """How many waits round to each tenth of a minute, as they are counted one by one:
    `counts[i]` waits of `lo + i` tenths.

    Why p90 stays exact: the report shows p90 rounded half up to one decimal of a minute,
    and that rounding never decreases as the wait grows. So the nearest-rank wait's tenth
    is the tenth found at the same rank among these counts, and it is the answer itself;
    nothing finer about a wait changes the figure."""

    lo: int = 0
    counts: list[int] = field(default_factory=list)

    def add(self, tenths: int) -> None:
        if not self.counts:
            self.lo, self.counts = tenths, [1]
            return
        if tenths < self.lo:
            self.counts[:0] = [0] * (self.lo - tenths)
            self.lo = tenths
        index = tenths - self.lo
        if index >= len(self.counts):
            self.counts.extend([0] * (index + 1 - len(self.counts)))
        self.counts[index] += 1

    def totals(self) -> WaitTotals | None:
        """The same counts, cumulated (None when there is no wait)."""
        return WaitTotals(self.lo, list(accumulate(self.counts))) if self.counts else None


@dataclass(frozen=True, slots=True)
class WaitTotals:
    """Cumulated `WaitBins`, as tallies are kept and merged: `totals[i]` waits of at most
    `lo + i` tenths of a minute (never empty). How many waits of a year of days are at most
    t tenths is then one look-up per day, so p90 over a year is a binary search over t, not
    the adding up of a year of counts."""

    lo: int
    totals: Sequence[int]

    def at_most(self, tenths: int) -> int:
        index = tenths - self.lo
        if index < 0:
            return 0
        return self.totals[min(index, len(self.totals) - 1)]

    @property
    def hi(self) -> int:
        return self.lo + len(self.totals) - 1

    @staticmethod
    def nth(parts: Sequence[WaitTotals], rank: int) -> int:
        """The tenths of the `rank`-th smallest wait of all `parts` (1-based; at most the
        number of waits they hold)."""
        # A year of days is a year of parts, looked up a dozen times: plain tuples and one
        # loop, not a method call per part.
        plain = [(part.lo, part.totals, len(part.totals)) for part in parts]
        lo = min(first for first, _, _ in plain)
        hi = max(first + size - 1 for first, _, size in plain)
        while lo < hi:
            mid = (lo + hi) // 2
            count = 0
            for first, totals, size in plain:
                index = mid - first
                if index >= size:
                    count += totals[size - 1]
                elif index >= 0:
                    count += totals[index]
            if count >= rank:
                hi = mid
            else:
                lo = mid + 1
        return lo

    @staticmethod
    def merged(parts: Sequence[WaitTotals]) -> WaitTotals | None:
        """All of `parts` as one (None when there are none)."""
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        lo, hi = min(part.lo for part in parts), max(part.hi for part in parts)
        return WaitTotals(lo, [sum(part.at_most(t) for part in parts) for t in range(lo, hi + 1)])


@dataclass(frozen=True, slots=True)
class Counted:
    """What a tally takes of a visit, worked out once however many groupings count it."""

    status: TicketStatus
    wait_us: int | None  # issue → first call; None: never called
    wait_tenths: int  # the wait in tenths of a minute, rounded half up (p90's bins)
    within_target: bool
    service_us: int | None  # last call → completion of a served visit with both times
    rating: int | None

    @classmethod
    def of(cls, visit: Visit, target_s: float) -> Counted:
        wait_us, tenths, within = None, 0, False
        if visit.first_called_at is not None:
            wait_us = _us(visit.first_called_at - visit.issued_at)
            wait_s = wait_us / 1_000_000  # == timedelta.total_seconds(), to the bit
            within = wait_s <= target_s
            tenths = _tenths(wait_s / 60)
        service_us = None
        if visit.called_at is not None and visit.finished_at is not None:
            service_us = _us(visit.finished_at - visit.called_at)
        return cls(visit.status, wait_us, tenths, within, service_us, visit.rating)


@dataclass(slots=True)
class Tally:
    """The figures of a group of visits, added one visit at a time, and merged exactly
    with other tallies: counts, sums in integer microseconds (no float to depend on the
    order of addition), the longest wait, ratings per score and the waits per tenth of a
    minute (`WaitBins` as visits are added, `WaitTotals` once kept or merged, for p90).
    A day's tallies, merged over a range of days, give the very figures of the range's
    visits: this is what the store keeps as daily figures, and what a province's hub may
    keep too.

    Its API: `add` a visit; `Tally.merged` tallies; `figures` for a report's row. To keep
    one: its counting fields, `ratings`, and `wait_totals()`; read back as
    `Tally(scale, **fields, ratings=…, kept_waits=[totals])`.

    The one judgement made when a visit is added, its wait against its service's target,
    is the caller's `target_s`: a tally kept for later must be thrown away when a target
    changes. The rating scale is applied by `figures`, so it may change freely."""

    scale: int
    issued: int = 0
    called: int = 0
    served: int = 0
    no_show: int = 0
    cancelled: int = 0
    expired: int = 0
    within_target: int = 0
    wait_us: int = 0  # over the `called` waits
    wait_max_us: int | None = None
    timed: int = 0  # served tickets with both their times, over which `service_us` runs
    service_us: int = 0
    ratings: dict[int, int] = field(default_factory=dict)  # score as given → count
    waits: WaitBins = field(default_factory=WaitBins)  # of the visits added here
    kept_waits: list[WaitTotals] = field(default_factory=list)  # of the tallies merged in

    def wait_parts(self) -> list[WaitTotals]:
        """Every wait of this tally, in parts (for p90, and to keep it)."""
        own = self.waits.totals()
        return self.kept_waits if own is None else [*self.kept_waits, own]

    def wait_totals(self) -> WaitTotals | None:
        """Every wait of this tally in one `WaitTotals`, to keep it (None: no wait)."""
        return WaitTotals.merged(self.wait_parts())

    def add(self, visit: Visit, target_s: float) -> None:
        self.add_counted(Counted.of(visit, target_s))

    def add_counted(self, visit: Counted) -> None:
        """Add a visit already counted (once for every grouping it is tallied in)."""
        status = visit.status
        if status is TicketStatus.CANCELLED:
            self.cancelled += 1
            return
        if status is TicketStatus.EXPIRED:
            self.expired += 1
            return
        self.issued += 1
        wait_us = visit.wait_us
        if wait_us is not None:
            self.called += 1
            self.within_target += visit.within_target
            self.wait_us += wait_us
            if self.wait_max_us is None or wait_us > self.wait_max_us:
                self.wait_max_us = wait_us
            self.waits.add(visit.wait_tenths)
        if status is TicketStatus.DONE:
            self.served += 1
            if visit.service_us is not None:
                self.timed += 1
                self.service_us += visit.service_us
        elif status is TicketStatus.NO_SHOW:
            self.no_show += 1
        if visit.rating is not None:
            self.ratings[visit.rating] = self.ratings.get(visit.rating, 0) + 1

    @staticmethod
    def merged(tallies: Iterable[Tally], scale: int) -> Tally:
        """One tally of all of `tallies` (left as they are), shown on `scale`."""
        out = Tally(scale)
        for one in tallies:
            out.issued += one.issued
            out.called += one.called
            out.served += one.served
            out.no_show += one.no_show
            out.cancelled += one.cancelled
            out.expired += one.expired
            out.within_target += one.within_target
            out.wait_us += one.wait_us
            if one.wait_max_us is not None and (
                out.wait_max_us is None or one.wait_max_us > out.wait_max_us
            ):
                out.wait_max_us = one.wait_max_us
            out.timed += one.timed
            out.service_us += one.service_us
            for score, count in one.ratings.items():
                out.ratings[score] = out.ratings.get(score, 0) + count
            out.kept_waits += one.wait_parts()
        return out

    def figures(self) -> Figures:
        levels = {str(level): 0 for level in range(1, self.scale + 1)}
        for score, count in self.ratings.items():
            # A rating given under a larger scale before the site changed it counts at
            # the top of today's scale, never outside it.
            levels[str(min(max(score, 1), self.scale))] += count
        rated = sum(self.ratings.values())
        called = self.called
        return Figures(
            issued=self.issued,
            called=called,
            served=self.served,
            no_show=self.no_show,
            cancelled=self.cancelled,
            expired=self.expired,
            wait_avg_minutes=_average_minutes(self.wait_us, called),
            wait_p90_minutes=(
                WaitTotals.nth(self.wait_parts(), _p90_rank(called)) / 10 if called else None
            ),
            wait_max_minutes=(
                None if self.wait_max_us is None else _minutes(self.wait_max_us / 1_000_000)
            ),
            service_avg_minutes=_average_minutes(self.service_us, self.timed),
            within_target_pct=_pct(self.within_target, called),
            ratings=levels,
            satisfaction_pct=_pct(rated - levels["1"], rated),
        )


Key = str | int


@dataclass(slots=True)
class RangeTallies:
    """A report's tallies over a range of days: per grouping asked, per key; and the
    tally of every visit (`total`)."""

    groupings: dict[Grouping, dict[Key, Tally]]
    total: Tally


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


def tally(
    visits: Iterable[Visit],
    by: Grouping,
    *,
    targets_s: Callable[[str], float],
    scale: int,
    timezone: str,
) -> dict[Key, Tally]:
    """The tally of each key of `by` over `visits` (keys that occur only)."""
    return tally_every(visits, [by], targets_s=targets_s, scale=scale, timezone=timezone)[by]


def tally_every(
    visits: Iterable[Visit],
    groupings: Iterable[Grouping],
    *,
    targets_s: Callable[[str], float],
    scale: int,
    timezone: str,
) -> dict[Grouping, dict[Key, Tally]]:
    """`tally` of each of `groupings`, each visit counted once for all of them."""
    found: dict[Grouping, dict[Key, Tally]] = {by: {} for by in groupings}
    keys = [(key_of(by, timezone), tallies) for by, tallies in found.items()]
    for visit in visits:
        counted = Counted.of(visit, targets_s(visit.service))
        for key, tallies in keys:
            name = key(visit)
            if name is None:
                continue
            one = tallies.get(name)
            if one is None:
                one = tallies[name] = Tally(scale)
            one.add_counted(counted)
    return found


def rows(
    tallies: Mapping[Key, Tally],
    by: Grouping,
    *,
    scale: int,
    days: tuple[date, date] | None = None,
) -> list[tuple[Key, Figures]]:
    """The rows of `tallies` (a grouping `by`), in key order. With `days` (from, to),
    grouping by day lists every day of the range, those without a ticket too, for a chart."""
    found = dict(tallies)
    if by is Grouping.DAY and days is not None:
        first, last = days
        for offset in range((last - first).days + 1):
            found.setdefault((first + timedelta(days=offset)).isoformat(), Tally(scale))
    # The keys of one grouping are all numbers (counters, hours) or all text.
    return [(k, found[k].figures()) for k in sorted(found)]


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
    tallies = tally(visits, by, targets_s=targets_s, scale=scale, timezone=timezone)
    return rows(tallies, by, scale=scale, days=days)


def total(visits: Iterable[Visit], *, targets_s: Callable[[str], float], scale: int) -> Figures:
    """The figures of every visit together."""
    one = Tally(scale)
    for visit in visits:
        one.add(visit, targets_s(visit.service))
    return one.figures()


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
