"""One command's transaction: its store, the writer's live hall, its moment, and what it
changes.

A command reads the hall from memory (`queue_server.live`) and changes it as it goes, so
each of its steps sees the ones before; the rows are written once, at `flush()`: the
tickets it changed in one statement, its counter, and its events in one more. Every state
change appends its event in the same transaction as the change itself, with the next
`seq`; the writer publishes `Tx.events` and hands `Tx.changes` to the event loop's copy of
the hall only after the commit (see `writer.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from queue_core.model import Counter, Ticket
from queue_core.protocol import (
    CounterUpdated,
    Event,
    TicketCalled,
    TicketCancelled,
    TicketCompleted,
    TicketExpired,
    TicketIssued,
    TicketNoShow,
    TicketOut,
    TicketRecalled,
    ticket_json,
)
from queue_server.live import Change, CounterChange, DayChange, Live, NameChange, TicketChange
from queue_server.store import EventRecord, IssueRecord, Store
from queue_server.views import Views
from queue_server.writer import Outcome

T = TypeVar("T")

TicketEventType = (
    type[TicketIssued]
    | type[TicketCalled]
    | type[TicketRecalled]
    | type[TicketCompleted]
    | type[TicketNoShow]
    | type[TicketCancelled]
    | type[TicketExpired]
)


@dataclass(frozen=True, slots=True)
class Answer:
    """A ticket as a command answers with it: the view, its JSON as the event that carried
    it was serialized (the routes send that, rather than serializing it again), and the
    follow code its issuer alone receives (never in a body)."""

    ticket: TicketOut
    json: str
    follow_code: str | None = None

    def out(self) -> TicketOut:
        """The view holding its follow code, as callers in the process read it."""
        if self.follow_code is None:
            return self.ticket
        return self.ticket.model_copy(update={"follow_code": self.follow_code})


class Tx:
    """What a command body works with inside the writer's transaction."""

    def __init__(
        self, store: Store, live: Live, views: Views, now: datetime, actor: str | None
    ) -> None:
        self.store = store
        self.live = live
        self.views = views
        self.now = now
        self.actor = actor
        self.events: list[Event] = []
        self.texts: list[str] = []  # each event's JSON, as logged
        self.changes: list[Change] = []
        self._tickets: dict[int, Ticket] = {}  # changed, to write at flush
        self._counters: dict[int, Counter] = {}
        self._records: list[EventRecord] = []

    def outcome(self, result: T) -> Outcome[T]:
        """The command's answer: `result`, with what it appended and changed."""
        return Outcome(result, self.events, self.changes, self.texts)

    @property
    def changed(self) -> bool:
        """Whether the live hall has changed: a failure now must not leave it so."""
        return bool(self.changes or self.events)

    # --- reads ------------------------------------------------------------------------

    def ticket(self, ticket_id: int) -> Ticket:
        """Raises UnknownTicket."""
        found = self.live.ticket(ticket_id)
        return found if found is not None else self.store.ticket(ticket_id)

    def counter(self, number: int) -> Counter:
        """Raises UnknownCounter."""
        return self.live.counter(number)

    # --- changes ----------------------------------------------------------------------

    def next_ticket_id(self) -> int:
        """The id of the next ticket issued, and its rank: first come, first served."""
        return self.live.last_ticket_id + 1

    def issue(self, ticket: Ticket, issue: IssueRecord) -> tuple[Ticket, str]:
        """Store a new ticket, made under `next_ticket_id`; returns it and its follow code.
        The one write made at once, so that a repeated Idempotency-Key fails before
        anything else."""
        assert ticket.id == ticket.rank == issue.ticket_id == self.next_ticket_id()
        code = self.store.insert_ticket(ticket, issue)
        self._change(TicketChange(ticket, issue))
        return ticket, code

    def put(self, ticket: Ticket) -> None:
        """Change a stored ticket."""
        self._tickets[ticket.id] = ticket
        self._change(TicketChange(ticket))

    def save_counter(self, counter: Counter, *, announce: bool) -> None:
        """Change the counter; `announce` it (counter.updated) when it opened, paused,
        resumed or changed clerk."""
        self._counters[counter.number] = counter
        self._change(CounterChange(counter))
        if announce:
            view = self.views.counter(self.live, counter, self.now)
            self.append(CounterUpdated(seq=0, at=self.now, counter=view))

    def know_name(self, username: str, display_name: str) -> None:
        """Keep a clerk's name for the counters' views (they change rarely)."""
        if self.live.display_name(username) != display_name:
            self._change(NameChange(username, display_name))

    def start_day(self, day: date) -> None:
        self._change(DayChange(day))

    def adopt(self, change: Change) -> None:
        """Take a change already stored (by another process: a site applied from the
        command line) into the live hall, and hand it on to the event loop's."""
        self._change(change)

    def _change(self, change: Change) -> None:
        self.live.apply([change])
        self.changes.append(change)

    # --- events -----------------------------------------------------------------------

    def emit(self, kind: TicketEventType, ticket: Ticket, counter: int | None) -> TicketOut:
        """Append a ticket event carrying the ticket as clients see it now; returns that
        view, which is also the command's answer more often than not."""
        view = self.views.ticket(self.live, ticket, self.now)
        at = self.views.local(self.now)
        self._log(kind(seq=self.live.last_seq + 1, at=at, ticket=view, counter=counter))
        return view

    def answer(self, view: TicketOut, follow_code: str | None = None) -> Answer:
        """`view` as the command's answer, its JSON taken from the event that carries it
        (`emit`), or serialized now when none of this command's does."""
        for event, text in zip(reversed(self.events), reversed(self.texts), strict=True):
            if getattr(event, "ticket", None) is view:
                return Answer(view, ticket_json(text), follow_code)
        return Answer(view, view.model_dump_json(), follow_code)

    def append(self, event: Event) -> None:
        """Give `event` the next seq and the site's local time, and log it."""
        self._log(
            event.model_copy(
                update={"seq": self.live.last_seq + 1, "at": self.views.local(event.at)}
            )
        )

    def _log(self, event: Event) -> None:
        """Log `event`, which has its seq and local time."""
        ticket = getattr(event, "ticket", None)
        if isinstance(event, CounterUpdated):
            counter: int | None = event.counter.number
        else:
            counter = getattr(event, "counter", None)
        self._records.append(
            EventRecord(
                event.seq,
                event.type,
                event.at,
                self.actor,
                ticket.id if ticket is not None else None,
                counter,
                text := event.model_dump_json(),
            )
        )
        self.live.note([event])
        self.events.append(event)
        self.texts.append(text)

    def flush(self) -> None:
        """Write what the command changed: a statement for its tickets, one per counter
        (a command changes one, at most), and one for its events."""
        self.store.update_tickets(list(self._tickets.values()))
        for counter in self._counters.values():
            self.store.save_counter(counter, self.now)
        self.store.append_events(self._records)
        self._tickets.clear()
        self._counters.clear()
        self._records.clear()
