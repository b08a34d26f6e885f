"""What one wall board shows, kept from the stream's snapshot and events (no Qt here).

Every (re)connection brings a snapshot, which replaces the whole state; the
events replayed after it (`live=False`) are already in it, so they change
nothing, though a call among them that is still recent is spotlighted and said.
A zone board (`Zone`) shows and says only its counters and services: given on its
command line, or by name from the site file's `[[boards]]`, which every snapshot carries
(so `site.updated` changes a named board's zone live).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from queue_core.protocol import (
    AlertCleared,
    AlertRaised,
    BoardOut,
    CounterOut,
    CounterUpdated,
    DisplaySettings,
    ServiceOut,
    ServiceUpdated,
    Snapshot,
    StreamEvent,
    TicketCalled,
    TicketOut,
    TicketRecalled,
)

DEFAULT_HISTORY = 8


@dataclass(frozen=True, slots=True)
class Zone:
    """The counters and services one board is for; empty means all of them."""

    counters: frozenset[int] = frozenset()
    services: frozenset[str] = frozenset()

    def shows_call(self, counter: int, service: str) -> bool:
        return (not self.counters or counter in self.counters) and (
            not self.services or service in self.services
        )

    @classmethod
    def named(cls, boards: list[BoardOut], name: str) -> Zone | None:
        """The zone of the board called `name`; None when the site has no such board."""
        for board in boards:
            if board.name == name:
                return cls(frozenset(board.counters), frozenset(board.services))
        return None

    def shows_counter(self, counter: CounterOut) -> bool:
        if self.counters:
            return counter.number in self.counters
        return not self.services or bool(self.services.intersection(counter.services))


@dataclass(frozen=True, slots=True)
class Call:
    number: str
    counter: int
    service: str
    service_name: str
    at: datetime
    seq: int
    recall: bool = False


@dataclass(slots=True)
class Board:
    zone: Zone = field(default_factory=Zone)
    # A board of the site file by name: its zone comes with each snapshot. While the site
    # has no board of that name it shows everything (`unknown_name`): a blank wall helps
    # nobody, and the window says why.
    name: str | None = None
    unknown_name: bool = False
    display: DisplaySettings | None = None
    counters: list[CounterOut] = field(default_factory=list)
    services: list[ServiceOut] = field(default_factory=list)
    history: list[Call] = field(default_factory=list)
    skew: timedelta = timedelta(0)  # the server's clock minus ours
    offset: tzinfo | None = None  # the site's, as the snapshot's time carries it
    snapshot_seq: int = 0
    _said: set[int] = field(default_factory=set)

    # --- what the board shows ----------------------------------------------------------

    def shown_counters(self) -> list[CounterOut]:
        return [c for c in self.counters if self.zone.shows_counter(c)]

    def shown_services(self) -> list[ServiceOut]:
        codes = set(self.zone.services)
        if not codes and self.zone.counters:
            codes = {code for c in self.shown_counters() for code in c.services}
        return [s for s in self.services if not codes or s.code in codes]

    def server_time(self, now: datetime) -> datetime:
        """`now` on the server's clock, in the site's offset (the snapshot's)."""
        at = now + self.skew
        return at.astimezone(self.offset) if self.offset is not None else at

    # --- what changes it ---------------------------------------------------------------

    def apply_snapshot(self, snapshot: Snapshot, now: datetime) -> None:
        self.display = snapshot.display
        if self.name is not None:
            zone = Zone.named(snapshot.display.boards, self.name)
            self.zone, self.unknown_name = zone or Zone(), zone is None
        self.counters = list(snapshot.counters)
        self.services = list(snapshot.services)
        self.snapshot_seq = snapshot.seq
        self.skew = snapshot.at - now
        self.offset = snapshot.at.tzinfo
        names = {s.code: s.name for s in snapshot.services}
        self.history = []
        for c in reversed(snapshot.latest_calls):
            if self.zone.shows_call(c.counter, c.service):
                name = names.get(c.service, c.service)
                self._remember(Call(c.number, c.counter, c.service, name, c.at, c.seq, c.recall))

    def apply_event(self, event: StreamEvent, live: bool, now: datetime) -> Call | None:
        """Update from one event; the call to spotlight and say, if it is one."""
        if isinstance(event, TicketCalled | TicketRecalled) and event.counter is not None:
            ticket = event.ticket
            call = Call(
                ticket.number,
                event.counter,
                ticket.service,
                ticket.service_name,
                event.at,
                event.seq,
                isinstance(event, TicketRecalled),
            )
            if live:
                self._set_current(event.counter, ticket)
                if self.zone.shows_call(call.counter, call.service):
                    self._remember(call)
            recent = now + self.skew - event.at < timedelta(seconds=self.spotlight_seconds)
            shown = self.zone.shows_call(call.counter, call.service)
            if not shown or not (live or recent) or event.seq in self._said:
                return None
            self._said.add(event.seq)
            return call
        if not live:
            return None
        if isinstance(event, CounterUpdated):
            self.counters = [
                event.counter if c.number == event.counter.number else c for c in self.counters
            ]
        elif isinstance(event, ServiceUpdated):  # issuing closed early, or reopened
            self.services = [
                event.service if s.code == event.service.code else s for s in self.services
            ]
        elif not isinstance(event, AlertRaised | AlertCleared):
            # The ticket left its counter: completed, no-show, transferred, cancelled …
            for i, c in enumerate(self.counters):
                if c.current_ticket is not None and c.current_ticket.id == event.ticket.id:
                    self.counters[i] = c.model_copy(update={"current_ticket": None})
        return None

    def set_services(self, services: list[ServiceOut]) -> None:
        self.services = list(services)

    def spotlight_left_s(self, call: Call, now: datetime) -> int:
        """Whole seconds `call` still has in the spotlight (0 when its time is over)."""
        age = now + self.skew - call.at
        return max(0, int(self.spotlight_seconds - age.total_seconds()))

    @property
    def spotlight_seconds(self) -> int:
        return self.display.spotlight_seconds if self.display else 20

    @property
    def repeat(self) -> int:
        return self.display.repeat if self.display else 2

    def _set_current(self, counter: int, ticket: TicketOut) -> None:
        for i, c in enumerate(self.counters):
            if c.number == counter:
                self.counters[i] = c.model_copy(update={"current_ticket": ticket})

    def _remember(self, call: Call) -> None:
        # A recall moves its number to the top rather than listing it twice.
        kept = [h for h in self.history if (h.number, h.counter) != (call.number, call.counter)]
        limit = self.display.history if self.display else DEFAULT_HISTORY
        self.history = [call, *kept][:limit]
