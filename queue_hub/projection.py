"""What the hub keeps of a centre's tickets, from its events alone: one `VisitState` per
ticket (as `queue_core.report.Visit` counts it) and its part in the daily tallies.

Pure: the store reads the states a batch of events touches, `apply` moves them on event by
event in `seq` order, and the store writes the states and the tallies' differences
(`contribution(new) - contribution(old)`) in the same transaction as the events. A
ticket's day, service and hour of issue never change, so its part always lands in one
tally row: a summary adds rows, and never reads a ticket.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from queue_core.model import TicketStatus
from queue_core.report import Counted, Visit, one_decimal

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_TARGET_MINUTES = 20
MAX_SCORE = 5  # the largest rating scale a site may have


@dataclass(frozen=True, slots=True)
class SiteFacts:
    """What the projection needs of a centre's site (`SiteOut`, as its shipper sent it)."""

    timezone: str = DEFAULT_TIMEZONE
    default_target_s: float = DEFAULT_TARGET_MINUTES * 60
    targets_s: dict[str, float] = field(default_factory=dict)
    rating_scale: int = 3
    service_names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, site: dict[str, Any] | None) -> SiteFacts:
        if not site:
            return cls()
        default_min = site.get("waiting_target_minutes") or DEFAULT_TARGET_MINUTES
        timezone = site.get("timezone") or DEFAULT_TIMEZONE
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            timezone = DEFAULT_TIMEZONE
        services = site.get("services") or []
        return cls(
            timezone=timezone,
            default_target_s=float(default_min) * 60,
            targets_s={
                s["code"]: float(s.get("waiting_target_minutes") or default_min) * 60
                for s in services
            },
            rating_scale=int(site.get("rating_scale") or 3),
            service_names={s["code"]: s["name"] for s in services},
        )

    def target_s(self, service: str) -> float:
        # A retired service is no longer in the site: the site's default target is its own.
        return self.targets_s.get(service, self.default_target_s)


@dataclass(frozen=True, slots=True)
class VisitState:
    """One ticket of one centre, as the hub keeps it."""

    ticket_id: int
    service: str  # the service it was issued for: a transfer later does not move it
    status: TicketStatus
    day: date  # the site's day of issue
    hour: int  # the site's hour of issue
    issued_at: datetime
    first_called_at: datetime | None = None
    called_at: datetime | None = None
    finished_at: datetime | None = None
    counter: int | None = None
    rating: int | None = None
    walk_in: bool = False
    # Decided at the first call, against the service's target then (a later change of the
    # target does not recount past days, as a month's figures already sent do not change).
    within_target: bool | None = None

    def visit(self) -> Visit:
        return Visit(
            service=self.service,
            status=self.status,
            day=self.day,
            issued_at=self.issued_at,
            first_called_at=self.first_called_at,
            called_at=self.called_at,
            finished_at=self.finished_at,
            counter=self.counter,
            clerk=None,
            rating=self.rating,
            walk_in=self.walk_in,
        )


def _at(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def ticket_of(body: str) -> tuple[dict[str, Any], int | None] | None:
    """The ticket an event's JSON carries and, for a rating, its score; None for events
    that are not about a ticket (a counter's, an alert's, a site change)."""
    data = json.loads(body)
    ticket = data.get("ticket") if isinstance(data, dict) else None
    if not isinstance(ticket, dict) or not isinstance(ticket.get("id"), int):
        return None
    score = data.get("score")
    return ticket, score if isinstance(score, int) else None


def apply(
    state: VisitState | None,
    event_type: str,
    at: datetime,
    ticket: dict[str, Any],
    score: int | None,
    site: SiteFacts,
) -> VisitState | None:
    """`state` after one ticket event (its type, time, the ticket it carries)."""
    issued_at = _at(ticket.get("issued_at"))
    if state is None:
        if issued_at is None or not isinstance(ticket.get("service"), str):
            return None  # not a ticket this hub can count
        local = issued_at.astimezone(ZoneInfo(site.timezone))
        state = VisitState(
            ticket_id=int(ticket["id"]),
            service=ticket["service"],
            status=TicketStatus.WAITING,
            day=local.date(),
            hour=local.hour,
            issued_at=issued_at,
            walk_in=bool(ticket.get("walk_in")),
        )
    try:
        status = TicketStatus(str(ticket.get("status")))
    except ValueError:
        status = state.status
    counter = ticket.get("counter")
    new = replace(
        state,
        status=status,
        called_at=_at(ticket.get("called_at")),
        finished_at=_at(ticket.get("finished_at")),
        counter=counter if isinstance(counter, int) else None,
    )
    if event_type == "ticket.called" and new.first_called_at is None:
        first = new.called_at or at
        wait_s = (first - new.issued_at).total_seconds()
        new = replace(
            new, first_called_at=first, within_target=wait_s <= site.target_s(new.service)
        )
    if event_type == "ticket.rated" and score is not None:
        new = replace(new, rating=score)
    return new


def wait_bucket(wait_s: float) -> int:
    """A wait in tenths of a minute, rounded as a report rounds it: rounding is monotone,
    so the nearest-rank p90 and the max of the buckets are exactly the report's rounded
    p90 and max of the waits themselves."""
    return round(one_decimal(wait_s / 60) * 10)


TallyKey = tuple[date, str, int]  # the day, service and hour of issue


@dataclass(slots=True)
class DailyTally:
    """What merges exactly across tickets, days and centres: counts, sums, the waits'
    histogram (tenths of a minute) and the ratings per score."""

    issued: int = 0
    called: int = 0
    served: int = 0
    no_show: int = 0
    cancelled: int = 0
    expired: int = 0
    within_target: int = 0
    wait_sum_s: float = 0.0
    service_sum_s: float = 0.0
    service_n: int = 0
    ratings: list[int] = field(default_factory=lambda: [0] * MAX_SCORE)
    waits: dict[int, int] = field(default_factory=dict)

    def add(self, state: VisitState, sign: int = 1) -> None:
        """Add (`sign` 1) or take out (-1) a ticket's part, counted by the centre's rule
        (`queue_core.report.Counted`) but judged against its target at its first call."""
        visit = replace(
            Counted.of(state.visit(), math.inf), within_target=bool(state.within_target)
        )
        if visit.status is TicketStatus.CANCELLED:
            self.cancelled += sign
            return
        if visit.status is TicketStatus.EXPIRED:
            self.expired += sign
            return
        self.issued += sign
        if visit.wait_us is not None:
            self.called += sign
            self.wait_sum_s += sign * visit.wait_us / 1_000_000
            self.within_target += sign * visit.within_target
            self.waits[visit.wait_tenths] = self.waits.get(visit.wait_tenths, 0) + sign
        if visit.status is TicketStatus.DONE:
            self.served += sign
            if visit.service_us is not None:
                self.service_sum_s += sign * visit.service_us / 1_000_000
                self.service_n += sign
        elif visit.status is TicketStatus.NO_SHOW:
            self.no_show += sign
        if visit.rating is not None:
            self.ratings[min(max(visit.rating, 1), MAX_SCORE) - 1] += sign

    def merge(self, other: DailyTally, scale: int = MAX_SCORE) -> None:
        """Add `other`, its ratings counted on a scale of `scale` levels (a score above a
        centre's scale counts at its top, as `queue_core.report` counts it)."""
        self.issued += other.issued
        self.called += other.called
        self.served += other.served
        self.no_show += other.no_show
        self.cancelled += other.cancelled
        self.expired += other.expired
        self.within_target += other.within_target
        self.wait_sum_s += other.wait_sum_s
        self.service_sum_s += other.service_sum_s
        self.service_n += other.service_n
        for score, count in enumerate(other.ratings, start=1):
            self.ratings[min(score, scale) - 1] += count
        for bucket, count in other.waits.items():
            self.waits[bucket] = self.waits.get(bucket, 0) + count

    def is_empty(self) -> bool:
        return not (
            self.issued or self.called or self.served or self.no_show or self.cancelled
            or self.expired or self.within_target or self.wait_sum_s or self.service_sum_s
            or self.service_n or any(self.ratings) or any(self.waits.values())
        )  # fmt: skip


def differences(
    before: dict[int, VisitState], after: dict[int, VisitState]
) -> dict[TallyKey, DailyTally]:
    """The tallies' changes when the tickets `before` became `after` (same ids, or new)."""
    changes: dict[TallyKey, DailyTally] = {}
    for ticket_id, new in after.items():
        old = before.get(ticket_id)
        if old == new:
            continue
        key = (new.day, new.service, new.hour)
        tally = changes.setdefault(key, DailyTally())
        if old is not None:
            tally.add(old, -1)
        tally.add(new)
    return {key: tally for key, tally in changes.items() if not tally.is_empty()}
