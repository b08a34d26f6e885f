"""The snapshot every event stream starts with: the whole live state, consistently."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from queue_core.numbering import local_day
from queue_core.protocol import (
    CallOut,
    DisplaySettings,
    Event,
    Snapshot,
    TicketCalled,
    TicketRecalled,
    parse_event,
)
from queue_server.store import Store
from queue_server.views import Views

CALL_EVENTS = ("ticket.called", "ticket.recalled")


def build_snapshot(views: Views, store: Store, now: datetime) -> Snapshot:
    """Read in one WAL snapshot, so `seq` is exactly the last event the state includes."""
    site = views.site
    timezone = site.site.timezone
    midnight = datetime.combine(local_day(now, timezone), time(), ZoneInfo(timezone))
    with store.read_transaction():
        counts = store.waiting_counts()
        return Snapshot(
            seq=store.last_seq(),
            at=views.local(now),
            display=DisplaySettings(
                site_name=site.site.name,
                agency=site.site.agency,
                call_phrase=site.site.call_phrase,
                ticker=site.display.ticker,
                spotlight_seconds=site.display.spotlight_seconds,
                history=site.display.history,
                reading=site.display.reading,
                repeat=site.display.repeat,
            ),
            counters=[views.counter(store, c, now) for c in store.counters()],
            services=[
                views.service(store, s, counts.get(s.code, 0), now) for s in views.services.values()
            ],
            # Today's calls only: yesterday's numbers mean nothing on this morning's board.
            latest_calls=[
                _call(parse_event(body))
                for body in store.latest_events(CALL_EVENTS, midnight, site.display.history)
            ],
        )


def _call(event: Event) -> CallOut:
    assert isinstance(event, TicketCalled | TicketRecalled)
    assert event.counter is not None
    return CallOut(
        seq=event.seq,
        at=event.at,
        number=event.ticket.number,
        counter=event.counter,
        service=event.ticket.service,
        recall=isinstance(event, TicketRecalled),
    )
