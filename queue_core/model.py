"""The nouns of a one-stop hall: services (lĩnh vực), counters (quầy) and tickets (số)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from queue_core.hours import IssuingHours


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class CounterState(StrEnum):
    CLOSED = "closed"  # nobody signed in
    OPEN = "open"
    PAUSED = "paused"


class CallMode(StrEnum):
    """How a counter picks among its services."""

    LONGEST_WAITING = "longest_waiting"  # the oldest ticket among all its services
    SERVICE_ORDER = "service_order"  # strict precedence: its first service before the second


@dataclass(frozen=True, slots=True)
class Service:
    code: str
    name: str
    prefix: str
    digits: int = 3
    daily_cap: int | None = None
    hours: IssuingHours = dataclasses.field(default_factory=IssuingHours)
    average_service_s: int = 600
    waiting_target_s: int = 1200
    # Kept for its history and today's numbers; it issues no more tickets.
    retired: bool = False


@dataclass(frozen=True, slots=True)
class Counter:
    number: int
    name: str
    services: tuple[str, ...]
    call_mode: CallMode = CallMode.LONGEST_WAITING
    state: CounterState = CounterState.CLOSED
    clerk: str | None = None
    current_ticket_id: int | None = None
    pause_reason: str | None = None
    # Priority calls in a row at this counter, for the anti-starvation rule.
    priority_streak: int = 0
    # Kept for its history; it calls no more tickets.
    retired: bool = False
    # A service a supervisor sent this counter to help on day `helps_on` (the day's end
    # sends it home: `dispatch.end_help`).
    helps: str | None = None
    helps_on: date | None = None

    def replace(self, **changes: object) -> Counter:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @property
    def calls_services(self) -> tuple[str, ...]:
        """The services this counter calls, in its order: its own, then the one it was
        sent to help today. The one home of that rule: dispatch, the waiting lines, the
        people ahead and the wait estimates all read it."""
        if self.helps is None or self.helps in self.services:
            return self.services
        return (*self.services, self.helps)

    def serves(self, ticket: Ticket) -> bool:
        """Whether `ticket` may be called here (its service, one it helps, or transferred
        here); a retired counter calls nothing."""
        if self.retired:
            return False
        if ticket.target_counter is not None:
            return ticket.target_counter == self.number
        return ticket.service in self.calls_services


@dataclass(frozen=True, slots=True)
class Ticket:
    id: int
    number: str
    service: str
    day: date
    sequence: int
    issued_at: datetime
    # Order within the queues: lower is called first. The id for a new ticket;
    # a transfer puts the ticket in front of the target queue by lowering it.
    rank: int
    priority: bool = False
    status: TicketStatus = TicketStatus.WAITING
    called_at: datetime | None = None
    finished_at: datetime | None = None
    counter: int | None = None
    clerk: str | None = None
    # Set when transferred to one counter: only that counter may call it.
    target_counter: int | None = None
    recalls: int = 0
    walk_in: bool = False

    def replace(self, **changes: object) -> Ticket:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @property
    def is_open(self) -> bool:
        """Waiting or at a counter: the day's end expires it."""
        return self.status in (TicketStatus.WAITING, TicketStatus.CALLED)
