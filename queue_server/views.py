"""Domain values as the wire shows them, with the live figures a reader needs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from queue_core import ahead
from queue_core.errors import QueueError, ServiceClosed
from queue_core.estimate import (
    estimated_wait_s,
    serving_capacity,
    ticket_capacity,
    to_minutes,
    typical_service_s,
)
from queue_core.model import Counter, Service, Ticket
from queue_core.numbering import grant_number, local_time
from queue_core.protocol import CounterOut, HolidayOut, ServiceOut, TicketOut
from queue_core.site import SiteConfig
from queue_server.live import Live


class Views:
    """Builds protocol models from the live hall for one site."""

    def __init__(self, site: SiteConfig) -> None:
        self.site = site
        # Every service, retired ones too: history and today's tickets still name them.
        self.services: dict[str, Service] = site.services_domain()

    def offered(self) -> list[Service]:
        """The services kiosks offer and boards list, in the site's order: not retired."""
        return [s for s in self.services.values() if not s.retired]

    def local(self, at: datetime) -> datetime:
        """Times leave the server in the site's timezone (stored in UTC)."""
        return local_time(at, self.site.site.timezone)

    def service_name(self, code: str) -> str:
        service = self.services.get(code)
        return service.name if service is not None else code

    def wait_s(
        self,
        live: Live,
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
            live.recent_service_s(service_code, day), service.average_service_s
        )
        # Sent to one counter, which calls it before its queues: that counter alone.
        if alone:
            capacity = 1.0
        elif nearest is not None:
            capacity = ticket_capacity(service_code, live.counters(), nearest)
        else:
            capacity = serving_capacity(service_code, live.counters())
        return estimated_wait_s(people_ahead, typical, capacity)

    def places(self, live: Live, tickets: Sequence[Ticket]) -> dict[int, ahead.Place]:
        """People ahead of each of `tickets`, by id, and where they are counted: the one
        place the server reads it."""
        return live.places(tickets, self.site.site.priority_ratio)

    def ticket(self, live: Live, ticket: Ticket, now: datetime) -> TicketOut:
        return self.tickets(live, [ticket], now)[0]

    def tickets(self, live: Live, tickets: Sequence[Ticket], now: datetime) -> list[TicketOut]:
        places = self.places(live, tickets)
        return [self._ticket(live, t, places[t.id], now) for t in tickets]

    def _ticket(self, live: Live, ticket: Ticket, place: ahead.Place, now: datetime) -> TicketOut:
        waiting_ahead = place.ahead
        wait_s = self.wait_s(
            live,
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

    def counter(self, live: Live, counter: Counter, now: datetime) -> CounterOut:
        at_counter = (
            live.ticket(counter.current_ticket_id)
            if counter.current_ticket_id is not None
            else None
        )
        current = self.ticket(live, at_counter, now) if at_counter is not None else None
        clerk = live.display_name(counter.clerk) if counter.clerk is not None else None
        return CounterOut(
            number=counter.number,
            name=counter.name,
            services=list(counter.services),
            call_mode=counter.call_mode,
            state=counter.state,
            clerk=clerk,
            pause_reason=counter.pause_reason,
            current_ticket=current,
            helps=counter.helps,
        )

    def service(self, live: Live, service: Service, now: datetime) -> ServiceOut:
        local = local_time(now, self.site.site.timezone)
        issued = live.last_sequence(service.code, local.date())
        waiting = live.waiting_count(service.code)
        closed_reason, opens_at, holiday = None, None, None
        try:
            grant_number(
                service,
                issued,
                now,
                self.site.site.timezone,
                closed_today=live.closed_early(service.code) is not None,
            )
        except QueueError as exc:
            closed_reason = exc.message
            if isinstance(exc, ServiceClosed):
                opens_at = exc.opens_at
                if exc.holiday is not None:
                    holiday = HolidayOut(vi=exc.holiday.name_vi, en=exc.holiday.name_en)
        return ServiceOut(
            code=service.code,
            name=service.name,
            prefix=service.prefix,
            waiting=waiting,
            open=closed_reason is None,
            estimated_wait_minutes=to_minutes(self.wait_s(live, service.code, waiting, now)),
            closed_reason=closed_reason,
            opens_at=opens_at,
            holiday=holiday,
            issued_today=issued,
            daily_cap=service.daily_cap,
            waiting_target_minutes=service.waiting_target_s // 60,
            closed_early=live.closed_early(service.code) is not None,
        )
