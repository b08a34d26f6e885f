"""A centre's event log made by hand, as its shipper would send it: each event's JSON is
the protocol's own model serialized, as the centre's stream serializes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from queue_core.model import TicketStatus
from queue_core.protocol import (
    TicketCalled,
    TicketCompleted,
    TicketIssued,
    TicketNoShow,
    TicketOut,
    TicketRated,
)

if TYPE_CHECKING:
    from queue_hub.store import HubStore

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
MORNING = datetime(2026, 11, 30, 8, 0, tzinfo=ZONE)


@dataclass
class CentreLog:
    events: list[dict[str, Any]] = field(default_factory=list)
    tickets: dict[int, TicketOut] = field(default_factory=dict)

    @property
    def seq(self) -> int:
        return len(self.events)

    def _add(self, model: Any) -> None:
        self.events.append(
            {
                "seq": model.seq,
                "type": model.type,
                "at": model.at.isoformat(),
                "body": model.model_dump_json(),
            }
        )

    def issue(self, ticket_id: int, service: str, at: datetime) -> None:
        ticket = TicketOut(
            id=ticket_id,
            number=f"{ticket_id:04d}",
            service=service,
            service_name=service,
            status=TicketStatus.WAITING,
            issued_at=at,
            waiting_ahead=0,
            estimated_wait_minutes=0,
        )
        self.tickets[ticket_id] = ticket
        self._add(TicketIssued(seq=self.seq + 1, at=at, ticket=ticket))

    def call(self, ticket_id: int, at: datetime, counter: int = 1) -> None:
        ticket = self.tickets[ticket_id].model_copy(
            update={"status": TicketStatus.CALLED, "called_at": at, "counter": counter}
        )
        self.tickets[ticket_id] = ticket
        self._add(TicketCalled(seq=self.seq + 1, at=at, ticket=ticket, counter=counter))

    def complete(self, ticket_id: int, at: datetime) -> None:
        ticket = self.tickets[ticket_id].model_copy(
            update={"status": TicketStatus.DONE, "finished_at": at}
        )
        self.tickets[ticket_id] = ticket
        self._add(TicketCompleted(seq=self.seq + 1, at=at, ticket=ticket, counter=ticket.counter))

    def no_show(self, ticket_id: int, at: datetime) -> None:
        ticket = self.tickets[ticket_id].model_copy(
            update={"status": TicketStatus.NO_SHOW, "finished_at": at}
        )
        self.tickets[ticket_id] = ticket
        self._add(TicketNoShow(seq=self.seq + 1, at=at, ticket=ticket, counter=ticket.counter))

    def rate(self, ticket_id: int, score: int, at: datetime) -> None:
        ticket = self.tickets[ticket_id]
        self._add(TicketRated(seq=self.seq + 1, at=at, ticket=ticket, score=score))

    def visit(
        self, ticket_id: int, service: str, issued: datetime, wait_min: float, serve_min: float
    ) -> None:
        """A whole visit: issued, called after `wait_min`, completed after `serve_min`."""
        self.issue(ticket_id, service, issued)
        called = issued + timedelta(minutes=wait_min)
        self.call(ticket_id, called)
        self.complete(ticket_id, called + timedelta(minutes=serve_min))

    def shipment(self, after: int, until: int | None = None) -> dict[str, Any]:
        return {"after_seq": after, "events": self.events[after:until]}


def add_centre(store: HubStore, code: str, name: str | None = None) -> str:
    """A centre and its hub token."""
    from queue_core.clock import SystemClock
    from queue_hub.auth import hash_token, new_token

    token = new_token()
    store.add_centre(code, name or f"Trung tâm {code}", hash_token(token), SystemClock().now())
    return token
