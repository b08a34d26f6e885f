"""Alerts on the server: the pure rules of `queue_core.alerts` read off a live hall, and
their raises and clears written inside the writer's transaction.

`pending` is what the event loop asks first, on its own copy of the hall and without a
write: when nothing would change (nearly always), the check ends there. `apply` is the
same question asked again by the writer on its copy, answered with a row and an event per
raise or clear, in the command's transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import datetime

from queue_core.alerts import (
    Alert,
    DeviceHealth,
    Reconciliation,
    ServiceWait,
    due_alerts,
    reconcile,
)
from queue_core.model import Service
from queue_core.protocol import AlertCleared, AlertOut, AlertRaised
from queue_server.journal import Tx
from queue_server.live import AlertChange, Live


def alert_out(alert: Alert, local: Callable[[datetime], datetime]) -> AlertOut:
    """`alert` as the wire shows it, its time in the site's timezone (`local`)."""
    return AlertOut(
        id=alert.id,
        kind=alert.kind,
        subject=alert.subject,
        message=alert.message,
        since=local(alert.since),
    )


def pending(
    live: Live, services: Iterable[Service], now: datetime, watching_since: datetime
) -> Reconciliation:
    """What `live`'s active alerts lack (raised) or hold no longer (cleared) at `now`.

    Devices revoked are out of service: they raise nothing, and what they had raised
    clears."""
    waits = [
        ServiceWait(s.code, s.name, s.waiting_target_s, live.oldest_waiting(s.code))
        for s in services
    ]
    devices = [
        DeviceHealth(d.name, d.last_seen_at, d.printer)
        for d in live.devices()
        if d.revoked_at is None
    ]
    active = live.alerts()
    due = due_alerts(now, waits, devices, active=active.keys(), watching_since=watching_since)
    return reconcile(due, active)


def apply(tx: Tx, services: Iterable[Service], watching_since: datetime) -> None:
    """Raise and clear in `tx` what `pending` says, each with its event."""
    found = pending(tx.live, services, tx.now, watching_since)
    for alert in found.cleared:
        tx.store.clear_alert(alert.id, tx.now)
        tx.adopt(AlertChange(alert, cleared=True))
        tx.append(AlertCleared(seq=0, at=tx.now, alert=alert_out(alert, tx.views.local)))
    for alert in found.raised:
        kept = dataclasses.replace(alert, id=tx.store.insert_alert(alert, tx.now))
        tx.adopt(AlertChange(kept))
        tx.append(AlertRaised(seq=0, at=tx.now, alert=alert_out(kept, tx.views.local)))
