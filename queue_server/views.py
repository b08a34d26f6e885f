"""Domain values as the wire shows them, with the live figures a reader needs."""

from __future__ import annotations

from datetime import datetime

from queue_core.errors import QueueError, ServiceClosed
from queue_core.estimate import estimated_wait_s, to_minutes
from queue_core.model import Counter, CounterState, Service, Ticket
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

    def wait_s(self, store: Store, service_code: str, people_ahead: int, now: datetime) -> int:
        service = self.services.get(service_code)
        if service is None or people_ahead == 0:
            return 0
        counters = [c for c in store.counters() if service_code in c.services]
        open_counters = sum(1 for c in counters if c.state is CounterState.OPEN)
        day = local_time(now, self.site.site.timezone).date()
        return estimated_wait_s(
            people_ahead,
            store.average_service_s(service_code, day),
            service.average_service_s,
            # Before the clerks sign in, assume the counters that serve it will open.
            open_counters or len(counters),
        )

    def ticket(self, store: Store, ticket: Ticket, now: datetime) -> TicketOut:
        ahead = store.waiting_ahead(ticket)
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
            waiting_ahead=ahead,
            estimated_wait_minutes=to_minutes(self.wait_s(store, ticket.service, ahead, now)),
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
            clerk = (user["display_name"] if user else None) or counter.clerk
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
