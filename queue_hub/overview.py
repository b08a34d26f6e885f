"""The province at a glance: each centre's waiting, longest wait, today's figures, alerts
and link lag (`HubCentreOut`), for the `/hub` page and its live stream."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from queue_core.protocol import AlertOut, HubCentreOut
from queue_core.report import one_decimal
from queue_hub.projection import SiteFacts
from queue_hub.store import HubStore


def centres(store: HubStore, now: datetime, only: str | None = None) -> list[HubCentreOut]:
    """Every centre (or `only` that one), as the province's live view shows it."""
    everyone = [c for c in store.centres() if only is None or c.code == only]
    waiting = store.waiting((now - timedelta(days=2)).date())
    # Each centre's today is its own timezone's: read the days around UTC's.
    days = store.today((now - timedelta(days=1)).date(), (now + timedelta(days=1)).date())
    alerts = store.active_alerts()
    found: list[HubCentreOut] = []
    for centre in everyone:
        site = SiteFacts.of(centre.site)
        today = now.astimezone(ZoneInfo(site.timezone)).date()
        issued, served, ratings = days.get((centre.code, today), (0, 0, [0] * 5))
        rated = sum(ratings)
        # Level 1 is "not satisfied" on every scale (queue_core.report).
        satisfaction = one_decimal((rated - ratings[0]) * 100 / rated) if rated else None
        count, oldest = waiting.get(centre.code, (0, None))
        longest = int((now - oldest).total_seconds() // 60) if oldest is not None else None
        shown: list[AlertOut] = []
        for body in alerts.get(centre.code, []):
            with contextlib.suppress(ValidationError):
                shown.append(AlertOut.model_validate(body))
        lag = (
            int((now - centre.last_shipped_at).total_seconds())
            if centre.last_shipped_at is not None
            else None
        )
        found.append(
            HubCentreOut(
                code=centre.code,
                name=centre.name,
                waiting=count,
                longest_wait_minutes=longest,
                issued_today=issued,
                served_today=served,
                satisfaction_pct=satisfaction,
                alerts=shown,
                acknowledged_seq=centre.acknowledged_seq,
                last_shipped_at=centre.last_shipped_at,
                link_lag_seconds=lag,
            )
        )
    return found
