"""Alerts on the real app and a real SQLite file: raised and cleared by the server from the
heartbeats and the queue, each in the event log, kept across a restart, for staff only.

The app's own ticker checks every second of real time; these tests move the frozen clock
and then run the same check themselves, so what they see does not hang on the ticker's
timing (a check the ticker already ran leaves nothing for theirs to do).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from queue_core.clock import FrozenClock
from queue_core.protocol import AlertCleared, AlertRaised, parse_event
from queue_server import policy
from queue_server.app import create_app
from queue_server.auth import revoke_device
from queue_server.policy import Action
from queue_server.roles import Role
from queue_server.settings import Settings
from queue_server.store import connect as connect_store
from tests.server.conftest import MONDAY_9AM, Hall, prepare_data_dir
from tests.server.test_event_stream import last_seq, receive_snapshot, receive_until, stream
from tests.server.test_policy import TOKEN_OF

KIOSK = "kiosk 1"  # the kiosk's name in tests/server/conftest.py


@contextmanager
def running(data_dir: Path, clock: FrozenClock, tokens: dict[str, str]) -> Iterator[Hall]:
    with TestClient(create_app(Settings(data_dir=data_dir), clock=clock)) as client:
        hall = Hall(client, data_dir, clock)
        hall.tokens.update(tokens)
        yield hall


def check(hall: Hall) -> None:
    """What the app's ticker runs every second, run now."""
    service = hall.client.app.state.motcua.service  # type: ignore[attr-defined]
    hall.client.portal.call(service.check_alerts)  # type: ignore[union-attr]


def beat(hall: Hall, body: object, who: str = "kiosk") -> None:
    response = hall.client.post("/api/devices/heartbeat", json=body, headers=hall.headers(who))
    assert response.status_code == 204, response.text


def active(hall: Hall, who: str = "lan") -> list[dict[str, Any]]:
    response = hall.client.get("/api/alerts", headers=hall.headers(who))
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def logged(data_dir: Path) -> list[AlertRaised | AlertCleared]:
    """The alert events of the durable log, in order."""
    with closing(connect_store(data_dir)) as store:
        events = [parse_event(body) for _, _, body in store.events_after(0)]
    return [e for e in events if isinstance(e, AlertRaised | AlertCleared)]


def test_a_kiosk_reporting_paper_out_raises_it_with_its_heartbeat(hall: Hall) -> None:
    beat(hall, {"printer": "ok"})
    assert active(hall) == []
    beat(hall, {"printer": "paper-out", "detail": "TM-T82"})
    # No check run, no clock moved: the heartbeat's own transaction raised it.
    [alert] = active(hall)
    assert (alert["kind"], alert["subject"]) == ("printer-paper-out", KIOSK)
    assert alert["message"] == f"Máy in của {KIOSK}: hết giấy, không in được số"
    assert alert["since"] == "2026-11-23T09:00:00+07:00"
    [raised] = logged(hall.data_dir)
    assert isinstance(raised, AlertRaised)
    assert raised.alert.model_dump(mode="json") == alert
    # A heartbeat that says nothing of the printer keeps what it last said.
    beat(hall, {})
    assert [a["id"] for a in active(hall)] == [alert["id"]]
    beat(hall, {"printer": "paper-near-end"})  # a new roll, nearly … no: a different state
    [near] = active(hall)
    assert near["kind"] == "printer-paper-near-end"
    beat(hall, {"printer": "ok"})
    assert active(hall) == []
    assert [(type(e).__name__, e.alert.kind) for e in logged(hall.data_dir)] == [
        ("AlertRaised", "printer-paper-out"),
        ("AlertCleared", "printer-paper-out"),
        ("AlertRaised", "printer-paper-near-end"),
        ("AlertCleared", "printer-paper-near-end"),
    ]


def test_a_device_unheard_for_90_s_is_offline_until_it_is_heard_again(hall: Hall) -> None:
    beat(hall, {"printer": "ok"})
    hall.clock.advance(seconds=89)
    check(hall)
    assert active(hall) == []
    hall.clock.advance(seconds=1)
    check(hall)
    [alert] = active(hall)
    assert (alert["kind"], alert["subject"]) == ("device-offline", KIOSK)
    assert alert["since"] == "2026-11-23T09:00:00+07:00"  # when it was last heard
    beat(hall, {"printer": "ok"})
    assert active(hall) == []
    assert [type(e).__name__ for e in logged(hall.data_dir)] == ["AlertRaised", "AlertCleared"]


def test_a_wait_past_its_target_raises_and_clears_when_the_ticket_is_called(hall: Hall) -> None:
    hall.issue("TP")
    hall.clock.advance(minutes=20)
    check(hall)
    assert active(hall) == []  # at the target, not past it
    hall.clock.advance(seconds=1)
    check(hall)
    [alert] = active(hall)
    assert (alert["kind"], alert["subject"]) == ("wait-over-target", "TP")
    assert alert["since"] == "2026-11-23T09:20:00+07:00"
    assert "Tư pháp – Hộ tịch" in alert["message"]
    assert hall.call_next(1) is not None
    check(hall)
    assert active(hall) == []
    raised, cleared = logged(hall.data_dir)
    assert isinstance(raised, AlertRaised)
    assert isinstance(cleared, AlertCleared)
    assert raised.alert == cleared.alert


def test_a_services_own_target_counts(tmp_path: Path) -> None:
    site = (
        '[site]\nname = "Xã Thử"\n[[services]]\ncode = "TP"\nname = "Tư pháp"\nprefix = "1"\n'
        'waiting_target_minutes = 5\n[[counters]]\nnumber = 1\nname = "Quầy 1"\nservices = ["TP"]\n'
    )
    clock = FrozenClock(MONDAY_9AM)
    tokens = prepare_data_dir(tmp_path, site_text=site, now=clock.now())
    with running(tmp_path, clock, tokens) as hall:
        hall.issue("TP")
        hall.clock.advance(minutes=5, seconds=1)
        check(hall)
        assert [a["kind"] for a in active(hall)] == ["wait-over-target"]


def test_a_restart_keeps_the_active_alerts_without_raising_them_again(tmp_path: Path) -> None:
    clock = FrozenClock(MONDAY_9AM)
    tokens = prepare_data_dir(tmp_path, now=clock.now())
    with running(tmp_path, clock, tokens) as hall:
        hall.issue("TP")
        beat(hall, {"printer": "paper-out"})
        hall.clock.advance(minutes=21)
        check(hall)
        before = active(hall)
    assert {a["kind"] for a in before} == {
        "printer-paper-out",
        "device-offline",
        "wait-over-target",
    }
    seq = last_seq(tmp_path)
    clock.advance(seconds=5)  # the restart took a moment
    with running(tmp_path, clock, tokens) as hall:
        assert active(hall) == before
        check(hall)
        assert active(hall) == before
    assert last_seq(tmp_path) == seq  # nothing raised twice, nothing cleared by the restart
    assert [type(e).__name__ for e in logged(tmp_path)] == ["AlertRaised"] * 3


def test_a_device_silent_while_the_server_was_down_gets_time_to_call_in(tmp_path: Path) -> None:
    clock = FrozenClock(MONDAY_9AM)
    tokens = prepare_data_dir(tmp_path, now=clock.now())
    with running(tmp_path, clock, tokens) as hall:
        beat(hall, {"printer": "ok"})
    clock.advance(hours=11)  # the server was off (staff tokens last 12 h)
    with running(tmp_path, clock, tokens) as hall:
        check(hall)
        assert active(hall) == []
        clock.advance(seconds=90)
        check(hall)
        assert [a["kind"] for a in active(hall)] == ["device-offline"]


def test_a_check_with_nothing_new_writes_nothing(
    hall: Hall, monkeypatch: pytest.MonkeyPatch
) -> None:
    hall.issue("TP")
    beat(hall, {"printer": "paper-out"})
    hall.clock.advance(minutes=30)
    check(hall)
    assert len(active(hall)) == 3
    state = hall.client.app.state.motcua  # type: ignore[attr-defined]
    runs: list[object] = []
    real_run = state.writer.run

    async def counted(command: Any) -> Any:
        runs.append(command)
        return await real_run(command)

    monkeypatch.setattr(state.writer, "run", counted)
    seq = last_seq(hall.data_dir)
    for _ in range(3):
        hall.clock.advance(seconds=1)
        check(hall)
    assert runs == []
    assert last_seq(hall.data_dir) == seq


def test_a_revoked_device_raises_nothing_and_its_alerts_clear(hall: Hall) -> None:
    beat(hall, {"printer": "paper-out"})
    assert len(active(hall)) == 1
    devices = hall.client.get("/api/devices", headers=hall.headers("admin")).json()
    kiosk = next(d for d in devices if d["name"] == KIOSK)
    revoked = hall.client.post(f"/api/devices/{kiosk['id']}/revoke", headers=hall.headers("admin"))
    assert revoked.status_code == 200, revoked.text
    assert active(hall) == []
    hall.clock.advance(minutes=5)
    check(hall)
    assert active(hall) == []


def test_alerts_reach_staff_alone(hall: Hall) -> None:
    beat(hall, {"printer": "paper-out"})
    beat(hall, {"printer": "ok"})
    hall.issue("DD")  # a marker every token receives
    end = last_seq(hall.data_dir)
    for role, who in TOKEN_OF.items():
        may = role in policy.MAY[Action.RECEIVE_ALERT_EVENTS]
        with stream(hall, who, since=0) as ws:
            receive_snapshot(ws)
            types = {parse_event(t).type for t in receive_until(ws, end)}
        assert ("alert.raised" in types) == ("alert.cleared" in types) == may, role
        reading = hall.client.get("/api/alerts", headers=hall.headers(who))
        assert reading.status_code == (200 if may else 403), role
    assert not policy.MAY[Action.RECEIVE_ALERT_EVENTS] & {Role.DISPLAY, Role.KIOSK}
    assert hall.client.get("/api/alerts").status_code == 401


def test_alerts_reach_a_staff_stream_live(hall: Hall) -> None:
    with stream(hall, "sup") as ws:
        receive_snapshot(ws)
        beat(hall, {"printer": "offline"})
        [text] = receive_until(ws, last_seq(hall.data_dir))
    event = parse_event(text)
    assert isinstance(event, AlertRaised)
    assert (event.alert.kind, event.alert.subject) == ("printer-offline", KIOSK)


@pytest.mark.parametrize(
    "body",
    [
        {"printer": "empty"},
        {"printer": 3},
        {"printer": "ok", "colour": "red"},
        {"printer": "ok", "detail": "x" * 501},
        [],
        "paper-out",
        None,
    ],
)
def test_bad_heartbeat_bodies_are_422_and_change_nothing(hall: Hall, body: object) -> None:
    response = hall.client.post("/api/devices/heartbeat", json=body, headers=hall.headers("kiosk"))
    assert response.status_code == 422, response.text
    assert "detail" in response.json()
    assert active(hall) == []


def test_a_heartbeat_that_is_not_json_is_422(hall: Hall) -> None:
    response = hall.client.post(
        "/api/devices/heartbeat",
        content=b"{printer: paper-out",
        headers={**hall.headers("kiosk"), "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert "detail" in response.json()


def test_a_device_revoked_from_the_command_line_clears_its_alerts(hall: Hall) -> None:
    beat(hall, {"printer": "paper-out"})
    assert len(active(hall)) == 1
    with closing(connect_store(hall.data_dir)) as store, store.transaction():  # as the CLI does
        kiosk = store.device_by_name(KIOSK)
        assert kiosk is not None
        revoke_device(store, kiosk.id, hall.clock.now())
    service = hall.client.app.state.motcua.service  # type: ignore[attr-defined]
    hall.client.portal.call(service.take_devices)  # what the app's watch does on the change
    assert active(hall) == []
    hall.clock.advance(minutes=5)
    check(hall)
    assert active(hall) == []
