"""Today's running figures of the hall, for the live supervision page (issue #14).

The same definitions as the reports (`queue_core.report`, `docs/reports.md`), over the
day so far: issued counts walk-ins and leaves cancelled and expired tickets apart; a wait
runs from issue to the call (the latest call: a transfer or a requeue starts the wait
again, and the page counts it as the hall sees it now); within target compares it with
its service's target.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from queue_core.model import Ticket, TicketStatus
from queue_core.report import one_decimal

_APART = (TicketStatus.CANCELLED, TicketStatus.EXPIRED)


@dataclass(frozen=True, slots=True)
class TodayFigures:
    issued: int
    waiting: int
    called: int  # called and not finished, or finished after a call
    served: int
    no_show: int
    cancelled: int
    wait_avg_minutes: float | None
    within_target_pct: float | None


def today_figures(tickets: Iterable[Ticket], targets_s: Mapping[str, int]) -> TodayFigures:
    """The figures of today's `tickets`; `targets_s` is each service's waiting target
    (20 minutes for a service it does not name)."""
    issued = waiting = served = no_show = cancelled = 0
    waits: list[float] = []
    within = 0
    for ticket in tickets:
        if ticket.status in _APART:
            cancelled += ticket.status is TicketStatus.CANCELLED
            continue
        issued += 1
        waiting += ticket.status is TicketStatus.WAITING
        served += ticket.status is TicketStatus.DONE
        no_show += ticket.status is TicketStatus.NO_SHOW
        if ticket.called_at is not None and not ticket.walk_in:
            wait_s = (ticket.called_at - ticket.issued_at).total_seconds()
            waits.append(wait_s)
            within += wait_s <= targets_s.get(ticket.service, 1200)
    return TodayFigures(
        issued=issued,
        waiting=waiting,
        called=issued - waiting,
        served=served,
        no_show=no_show,
        cancelled=cancelled,
        wait_avg_minutes=one_decimal(sum(waits) / len(waits) / 60) if waits else None,
        within_target_pct=one_decimal(within * 100 / len(waits)) if waits else None,
    )
