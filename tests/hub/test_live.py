"""The province's live view: every centre now, and changes pushed from whichever hub
process took the shipment (LISTEN/NOTIFY between real `motcua hub serve` processes)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from websockets.sync.client import connect as ws_connect

from queue_core.clock import FrozenClock
from queue_core.protocol import AlertCleared, AlertOut, AlertRaised
from queue_hub.app import create_app
from queue_hub.auth import hash_password
from queue_hub.settings import HubSettings
from queue_hub.store import HubStore, User
from tests.helpers.server_process import motcua, running
from tests.hub.centre_log import MORNING, CentreLog, add_centre

PASSWORD = "mật khẩu tỉnh"


def _staff_token(client: Any, store: HubStore | None = None) -> str:
    if store is not None:
        store.add_user(User("lan", "Lan", hash_password(PASSWORD), False), MORNING)
    signed = client.post("/api/auth/token", data={"username": "lan", "password": PASSWORD})
    assert signed.status_code == 200, signed.text
    token: str = signed.json()["access_token"]
    return token


def _alert(seq: int, kind: str, alert_id: int, at: datetime) -> dict[str, Any]:
    alert = AlertOut(
        id=alert_id, kind="printer-paper-out", subject="Kiosk 1", message="Hết giấy", since=at
    )
    model = (AlertRaised if kind == "raised" else AlertCleared)(seq=seq, at=at, alert=alert)
    return {"seq": seq, "type": model.type, "at": at.isoformat(), "body": model.model_dump_json()}


def test_every_centre_now_waiting_longest_wait_today_alerts_and_lag(
    hub_store: HubStore, database_url: str
) -> None:
    now = MORNING + timedelta(hours=1)
    clock = FrozenClock(now.astimezone(UTC))
    quiet = add_centre(hub_store, "B-QUIET", "Xã Lặng")
    token = add_centre(hub_store, "A-BUSY", "Xã Đông")
    log = CentreLog()
    log.visit(1, "TP", MORNING, wait_min=5, serve_min=5)
    log.rate(1, 3, MORNING + timedelta(minutes=11))
    log.visit(2, "TP", MORNING + timedelta(minutes=1), wait_min=5, serve_min=5)
    log.rate(2, 1, MORNING + timedelta(minutes=12))
    log.issue(3, "TP", MORNING + timedelta(minutes=20))  # waiting 40 minutes at `now`
    log.issue(4, "DD", MORNING + timedelta(minutes=50))
    events = [
        *log.events,
        _alert(log.seq + 1, "raised", 7, now),
        _alert(log.seq + 2, "raised", 8, now),
    ]
    events.append(_alert(log.seq + 3, "cleared", 7, now))
    with TestClient(create_app(HubSettings(database_url), hub_store, clock)) as hub:
        staff = {"Authorization": f"Bearer {_staff_token(hub, hub_store)}"}
        shipped = hub.post(
            "/api/hub/events",
            json={"after_seq": 0, "events": events},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert shipped.status_code == 200, shipped.text
        clock.advance(seconds=30)
        answer = hub.get("/api/hub/centres", headers=staff)
        assert hub.get("/api/hub/centres").status_code == 401
        assert quiet  # a centre that never shipped is listed too
    busy, idle = answer.json()
    assert busy["code"] == "A-BUSY"
    assert (busy["waiting"], busy["longest_wait_minutes"]) == (2, 40)
    assert (busy["issued_today"], busy["served_today"], busy["satisfaction_pct"]) == (4, 2, 50.0)
    assert [a["id"] for a in busy["alerts"]] == [8]
    assert busy["link_lag_seconds"] == 30
    assert busy["acknowledged_seq"] == len(events)
    assert idle["code"] == "B-QUIET"
    assert (idle["waiting"], idle["link_lag_seconds"], idle["alerts"]) == (0, None, [])


@pytest.mark.slow
def test_a_page_on_one_process_sees_a_shipment_taken_by_the_other(
    database_url: str, tmp_path: Path
) -> None:
    token = motcua("hub", "centre", "add", "A", "Xã A", "--database", database_url)
    token = token.stdout.strip().splitlines()[-1]
    assert (
        motcua("hub", "user", "add", "lan", "--database", database_url, stdin=PASSWORD).returncode
        == 0
    )
    serve = ["hub", "serve", "--database", database_url, "--host", "127.0.0.1", "--port", "0"]
    log = CentreLog()
    log.issue(1, "TP", datetime.now(UTC) - timedelta(minutes=3))
    with (
        running(serve, tmp_path / "one") as one,
        running(serve, tmp_path / "two") as two,
        two.client() as page_side,
        one.client(token) as centre_side,
    ):
        staff = _staff_token(page_side)
        stream_url = two.url.replace("http://", "ws://") + f"/api/hub/stream?token={staff}"
        with ws_connect(stream_url, open_timeout=10) as socket:
            first = json.loads(socket.recv(timeout=10))
            assert first["type"] == "centres"
            assert [(c["code"], c["waiting"]) for c in first["centres"]] == [("A", 0)]
            shipped = centre_side.post("/api/hub/events", json=log.shipment(0))
            assert shipped.status_code == 200
            pushed = json.loads(socket.recv(timeout=15))
            assert pushed["type"] == "centres.updated"
            assert [(c["code"], c["waiting"]) for c in pushed["centres"]] == [("A", 1)]
        bad = two.url.replace("http://", "ws://") + "/api/hub/stream?token=nope"
        with pytest.raises(Exception, match="403"), ws_connect(bad, open_timeout=10) as refused:
            refused.recv(timeout=10)
        one.stop_cleanly()
        two.stop_cleanly()
