"""One command's transaction: its store, its moment, and the events it appends.

Every state change appends its event row in the same transaction as the change
itself, with the next `seq`; the writer publishes `Tx.events` only after the
commit (see `writer.py`).
"""

from __future__ import annotations

from datetime import datetime

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
)
from queue_server.store import Store
from queue_server.views import Views

TicketEventType = (
    type[TicketIssued]
    | type[TicketCalled]
    | type[TicketRecalled]
    | type[TicketCompleted]
    | type[TicketNoShow]
    | type[TicketCancelled]
    | type[TicketExpired]
)


class Tx:
    """What a command body works with inside the writer's transaction."""

    def __init__(self, store: Store, views: Views, now: datetime, actor: str | None) -> None:
        self.store = store
        self.views = views
        self.now = now
        self.actor = actor
        self.events: list[Event] = []

    def emit(self, kind: TicketEventType, ticket: Ticket, counter: int | None) -> TicketOut:
        """Append a ticket event carrying the ticket as clients see it now; returns that
        view, which is also the command's answer more often than not."""
        view = self.views.ticket(self.store, ticket, self.now)
        self.append(kind(seq=0, at=self.now, ticket=view, counter=counter))
        return view

    def append(self, event: Event) -> None:
        """Give `event` the next seq and the site's local time, and store it."""
        event = event.model_copy(
            update={"seq": self.store.next_seq(), "at": self.views.local(event.at)}
        )
        ticket = getattr(event, "ticket", None)
        counter = event.counter.number if isinstance(event, CounterUpdated) else event.counter
        self.store.append_event(
            event.seq,
            event.type,
            event.at,
            self.actor,
            ticket.id if ticket is not None else None,
            counter,
            event.model_dump_json(),
        )
        self.events.append(event)

    def save_counter(self, counter: Counter, *, announce: bool) -> None:
        """Store the counter; `announce` it (counter.updated) when it opened, paused,
        resumed or changed clerk."""
        self.store.save_counter(counter, self.now)
        if announce:
            view = self.views.counter(self.store, counter, self.now)
            self.append(CounterUpdated(seq=0, at=self.now, counter=view))
