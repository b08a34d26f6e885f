"""The hall as the live supervision page draws it (`GET /supervisor/hall.json`), read
from the event loop's live hall: the same views the API and the boards read, plus what
only a supervisor needs (each line's longest wait and first tickets, devices, alerts,
today's running figures)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from queue_core.dispatch import Line
from queue_core.hall_figures import today_figures
from queue_core.protocol import (
    DeviceStateOut,
    HallOut,
    HubLinkOut,
    SupervisedServiceOut,
    TodayFiguresOut,
    WaitingTicketOut,
)
from queue_server.live import Live
from queue_server.service import QueueService
from queue_server.views import Views

FIRST_WAITING = 5  # the tickets of each line a supervisor may move to the front


def _first_waiting(live: Live, views: Views, code: str) -> list[WaitingTicketOut]:
    lines = [Line(service=code, priority=True), Line(service=code, priority=False)]
    tickets = sorted(live.waiting(lines, first=FIRST_WAITING), key=lambda t: (t.rank, t.id))
    return [
        WaitingTicketOut(
            id=t.id, number=t.number, priority=t.priority, issued_at=views.local(t.issued_at)
        )
        for t in tickets[:FIRST_WAITING]
    ]


def hall_view(
    service: QueueService, now: datetime, hub_link: dict[str, object] | None = None
) -> HallOut:
    live, views = service.live, service.views
    services = []
    for found in views.offered():
        oldest = live.oldest_waiting(found.code)
        services.append(
            SupervisedServiceOut(
                **views.service(live, found, now).model_dump(),
                oldest_issued_at=views.local(oldest) if oldest is not None else None,
                first_waiting=_first_waiting(live, views, found.code),
            )
        )
    figures = today_figures(
        live.tickets_of_day(), {code: s.waiting_target_s for code, s in views.services.items()}
    )
    return HallOut(
        seq=live.last_seq,
        at=views.local(now),
        services=services,
        counters=service.counters(),
        alerts=service.alerts(),
        devices=[
            DeviceStateOut(
                name=d.name,
                kind=d.kind,
                counter=d.counter,
                last_seen_at=views.local(d.last_seen_at) if d.last_seen_at else None,
                printer=d.printer,
            )
            for d in live.devices()
            if d.revoked_at is None
        ],
        figures=TodayFiguresOut(**dataclasses.asdict(figures)),
        hub_link=HubLinkOut.model_validate(hub_link) if hub_link is not None else None,
    )
