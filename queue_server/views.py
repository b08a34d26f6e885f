"""Domain values as the wire shows them, with the live figures a reader needs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from queue_core import ahead
from queue_core.ahead import counters_for
from queue_core.errors import QueueError, ServiceClosed
from queue_core.estimate import (
    RECENT_COMPLETIONS,
    estimated_wait_s,
    serving_capacity,
    ticket_capacity,
    to_minutes,
    typical_service_s,
)
from queue_core.lines import WaitingLines
from queue_core.model import Counter, Service, Ticket, TicketStatus
from queue_core.numbering import grant_number, local_time
from queue_core.protocol import CounterOut, ServiceOut, TicketOut
from queue_core.site import SiteConfig
from queue_server.store import Store


class Views:
    """Builds protocol models from the store for one site."""

    def __init__(self, site: SiteConfig) -> None:
        self.site = site
        self.services: dict[str, Service] = site.services_domain()

    def local(self, at: datetime) -> datetime:
        """Times leave the server in the site's timezone (stored in UTC)."""
        return local_time(at, self.site.site.timezone)

    def service_name(self, code: str) -> str:
        service = self.services.get(code)
        return service.name if service is not None else code

    def wait_s(
        self,
        store: Store,
        service_code: str,
        people_ahead: int,
        now: datetime,
        *,
        alone: bool = False,
        nearest: Counter | None = None,
    ) -> int:
        """The estimate for someone with `people_ahead` in `service_code`'s queue (`alone`:
        transferred to one counter, which alone will call them; `nearest`: the counter
        where `people_ahead` was counted, all its services included)."""
        service = self.services.get(service_code)
        if service is None or people_ahead == 0:
            return 0
        day = local_time(now, self.site.site.timezone).date()
        typical = typical_service_s(
            store.recent_service_s(service_code, day, RECENT_COMPLETIONS),
            service.average_service_s,
        )
        # Sent to one counter, which calls it before its queues: that counter alone.
        if alone:
            capacity = 1.0
        elif nearest is not None:
            capacity = ticket_capacity(service_code, store.counters(), nearest)
        else:
            capacity = serving_capacity(service_code, store.counters())
        return estimated_wait_s(people_ahead, typical, capacity)

    def places(self, store: Store, tickets: Sequence[Ticket]) -> dict[int, ahead.Place]:
        """People ahead of each of `tickets`, by id, and where they are counted: the one
        place the server reads it."""
        if all(t.status is not TicketStatus.WAITING for t in tickets):
            return {t.id: ahead.Place(0, None) for t in tickets}
        counters = store.counters()
        involved = {c for t in tickets for c in counters_for(t, counters)}
        waiting = {t.id: t for t in store.waiting_for(sorted(involved, key=lambda c: c.number))}
        lines = WaitingLines()
        for ticket in waiting.values():
            lines.add(ticket)
        return ahead.places(tickets, counters, lines, waiting, self.site.site.priority_ratio)

    def ticket(self, store: Store, ticket: Ticket, now: datetime) -> TicketOut:
        return self.tickets(store, [ticket], now)[0]

    def tickets(self, store: Store, tickets: Sequence[Ticket], now: datetime) -> list[TicketOut]:
        """Several tickets at once: their places come from one reading of the queues."""
        places = self.places(store, tickets)
        return [self._ticket(store, t, places[t.id], now) for t in tickets]

    def _ticket(self, store: Store, ticket: Ticket, place: ahead.Place, now: datetime) -> TicketOut:
        waiting_ahead = place.ahead
        wait_s = self.wait_s(
            store,
            ticket.service,
            waiting_ahead,
            now,
            alone=ticket.target_counter is not None,
            nearest=place.counter,
        )
        return TicketOut(
            id=ticket.id,
            number=ticket.number,
            service=ticket.service,
            service_name=self.service_name(ticket.service),
            priority=ticket.priority,
            status=ticket.status,
            issued_at=self.local(ticket.issued_at),
            called_at=self.local(ticket.called_at) if ticket.called_at else None,
            finished_at=self.local(ticket.finished_at) if ticket.finished_at else None,
            counter=ticket.counter,
            target_counter=ticket.target_counter,
            recalls=ticket.recalls,
            walk_in=ticket.walk_in,
            waiting_ahead=waiting_ahead,
            estimated_wait_minutes=to_minutes(wait_s),
        )

    def counter(self, store: Store, counter: Counter, now: datetime) -> CounterOut:
        current = (
            self.ticket(store, store.ticket(counter.current_ticket_id), now)
            if counter.current_ticket_id is not None
            else None
        )
        clerk = None
        if counter.clerk is not None:
            user = store.user(counter.clerk)
            clerk = user.display_name if user else counter.clerk
        return CounterOut(
            number=counter.number,
            name=counter.name,
            services=list(counter.services),
            call_mode=counter.call_mode,
            state=counter.state,
            clerk=clerk,
            pause_reason=counter.pause_reason,
            current_ticket=current,
        )

    def service(self, store: Store, service: Service, waiting: int, now: datetime) -> ServiceOut:
        local = local_time(now, self.site.site.timezone)
        issued = store.last_sequence(service.code, local.date())
        closed_reason, opens_at = None, None
        try:
            grant_number(service, issued, now, self.site.site.timezone)
        except QueueError as exc:
            closed_reason = exc.message
            opens_at = exc.opens_at if isinstance(exc, ServiceClosed) else None
        return ServiceOut(
            code=service.code,
            name=service.name,
            prefix=service.prefix,
            waiting=waiting,
            open=closed_reason is None,
            estimated_wait_minutes=to_minutes(self.wait_s(store, service.code, waiting, now)),
            closed_reason=closed_reason,
            opens_at=opens_at,
            issued_today=issued,
            daily_cap=service.daily_cap,
            waiting_target_minutes=service.waiting_target_s // 60,
        )
