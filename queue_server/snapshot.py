"""The snapshot every event stream starts with: the whole live state, consistently."""

from __future__ import annotations

from datetime import datetime

from queue_core.numbering import local_day
from queue_core.protocol import BoardOut, DisplaySettings, Snapshot
from queue_server.live import Live, midnight
from queue_server.views import Views


def build_snapshot(views: Views, live: Live, now: datetime) -> Snapshot:
    """From the event loop's live hall, which holds exactly the events delivered so far:
    `seq` is the last event the state includes. Its cost grows with the counters and
    services, never with the queue or the history."""
    site = views.site
    today = midnight(local_day(now, site.site.timezone), site.site.timezone)
    return Snapshot(
        seq=live.last_seq,
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
            boards=[BoardOut.model_validate(b.model_dump()) for b in site.boards],
        ),
        counters=[views.counter(live, c, now) for c in live.counters() if not c.retired],
        services=[views.service(live, s, now) for s in views.offered()],
        # Today's calls only: yesterday's numbers mean nothing on this morning's board.
        latest_calls=[call for call in live.calls if call.at >= today],
    )
