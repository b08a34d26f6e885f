"""A supervisor's orders for the day (issue #14), over the real app and SQLite file: a
waiting ticket moved to the front, a counter sent to help another service (dispatch calls
that line; the day's end sends it home), a service's issuing closed early (the kiosks'
`POST /api/tickets` refuses with the reason; reopened; the day's end opens it). Each is in
the event log with its actor, survives a restart, and clerks are refused."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from queue_core.clock import FrozenClock
from queue_server.app import create_app
from queue_server.settings import Settings
from queue_server.store import DATABASE_NAME
from tests.server.conftest import PASSWORDS, Hall

SUPERVISOR = "Lê Minh Giám Sát"


def post(hall: Hall, who: str, path: str, body: object = None) -> tuple[int, dict[str, object]]:
    response = hall.client.post(path, json=body, headers=hall.headers(who))
    return response.status_code, response.json() if response.content else {}


def logged(data_dir: Path, type_: str) -> list[tuple[str | None, dict[str, object]]]:
    with sqlite3.connect(data_dir / DATABASE_NAME) as db:
        rows = db.execute("select actor, body from events where type = ?", [type_]).fetchall()
    return [(actor, json.loads(body)) for actor, body in rows]


def service(hall: Hall, code: str) -> dict[str, object]:
    services = hall.client.get("/api/services", headers=hall.headers("kiosk")).json()
    found: dict[str, object] = next(s for s in services if s["code"] == code)
    return found


def restarted(hall: Hall) -> Iterator[Hall]:
    """The same data directory served by a new process's app."""
    app = create_app(Settings(data_dir=hall.data_dir), clock=hall.clock)
    with TestClient(app) as client:
        again = Hall(client, hall.data_dir, hall.clock)
        again.tokens.update(hall.tokens)
        yield again


def next_day(hall: Hall, clock: FrozenClock) -> None:
    """Tomorrow: the staff sign in again (a user's token lasts 12 hours)."""
    clock.advance(days=1)
    for who in ("lan", "hung", "sup", "admin"):
        answer = hall.client.post(
            "/api/auth/token", data={"username": who, "password": PASSWORDS[who]}
        )
        hall.tokens[who] = answer.json()["access_token"]


# --- a waiting ticket to the front -----------------------------------------------------


def test_a_supervisor_moves_a_waiting_ticket_to_the_front_of_its_own_line(hall: Hall) -> None:
    first = hall.issue("TP")
    hall.issue("TP")
    last = hall.issue("TP")
    status, moved = post(hall, "sup", f"/api/tickets/{last['id']}/transfer", {"service": "TP"})
    assert status == 200
    assert moved["waiting_ahead"] == 0
    [(actor, _)] = logged(hall.data_dir, "ticket.transferred")
    assert actor == SUPERVISOR
    called = hall.call_next(1)
    assert called is not None
    assert called["id"] == last["id"] != first["id"]


def test_a_clerk_may_not_move_a_ticket_to_the_front(hall: Hall) -> None:
    hall.issue("TP")
    last = hall.issue("TP")
    status, _ = post(hall, "lan", f"/api/tickets/{last['id']}/transfer", {"service": "TP"})
    assert status == 403
    assert logged(hall.data_dir, "ticket.transferred") == []


# --- a counter sent to help another service ----------------------------------------------


def test_a_counter_sent_to_help_calls_that_service_and_it_is_logged(hall: Hall) -> None:
    land = hall.issue("DD")
    assert hall.call_next(1) is None  # counter 1 serves TP alone
    status, counter = post(hall, "sup", "/api/counters/1/help", {"service": "DD"})
    assert status == 200
    assert counter["helps"] == "DD"
    assert counter["services"] == ["TP"]
    [(actor, body)] = logged(hall.data_dir, "counter.updated")
    assert actor == SUPERVISOR
    assert body["counter"]["helps"] == "DD"  # type: ignore[index]
    # The ticket counts counter 1 among those that will call it.
    assert (
        hall.client.get(f"/api/tickets/{land['id']}", headers=hall.headers("sup")).json()[
            "waiting_ahead"
        ]
        == 0
    )
    called = hall.call_next(1)
    assert called is not None
    assert called["id"] == land["id"]
    assert called["counter"] == 1


def test_help_ends_on_request_and_at_the_day_change_even_across_a_restart(
    hall: Hall, clock: FrozenClock
) -> None:
    assert post(hall, "sup", "/api/counters/1/help", {"service": "DD"})[0] == 200
    status, counter = post(hall, "sup", "/api/counters/1/end-help")
    assert status == 200
    assert counter["helps"] is None
    assert post(hall, "sup", "/api/counters/1/end-help")[0] == 409
    assert post(hall, "sup", "/api/counters/1/help", {"service": "DD"})[0] == 200
    for again in restarted(hall):  # kept by the store
        counters = again.client.get("/api/counters", headers=again.headers("sup")).json()
        assert counters[0]["helps"] == "DD"
        next_day(again, clock)
        land = again.issue("DD")
        assert again.call_next(1) is None  # the day is over: counter 1 serves TP alone
        counters = again.client.get("/api/counters", headers=again.headers("sup")).json()
        assert counters[0]["helps"] is None
        assert again.call_next(3, "hung") is not None
        assert land["service"] == "DD"


@pytest.mark.parametrize(
    ("body", "status"),
    [({"service": "TP"}, 409), ({"service": "XX"}, 404), ({}, 422), ({"service": ""}, 404)],
)
def test_help_refuses_what_makes_no_sense(hall: Hall, body: object, status: int) -> None:
    answer, detail = post(hall, "sup", "/api/counters/1/help", body)
    assert answer == status
    assert "detail" in detail
    assert post(hall, "sup", "/api/counters/99/help", {"service": "DD"})[0] == 404


def test_a_clerk_may_not_send_a_counter_to_help(hall: Hall) -> None:
    assert post(hall, "lan", "/api/counters/1/help", {"service": "DD"})[0] == 403
    assert post(hall, "kiosk", "/api/counters/1/help", {"service": "DD"})[0] == 403
    assert hall.client.post("/api/counters/1/help", json={"service": "DD"}).status_code == 401


# --- issuing closed early -------------------------------------------------------------


def test_closing_issuing_early_refuses_the_kiosk_in_vietnamese_until_reopened(
    hall: Hall,
) -> None:
    waiting = hall.issue("TP")
    status, closed = post(hall, "sup", "/api/services/TP/close-today")
    assert status == 200
    assert closed["open"] is False
    assert closed["closed_early"] is True
    refused = hall.client.post(
        "/api/tickets", json={"service": "TP"}, headers=hall.headers("kiosk")
    )
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "Tư pháp – Hộ tịch: hôm nay đã dừng cấp số sớm, mời Ông/Bà quay lại vào ngày làm việc"
        " tiếp theo"
    )
    seen = service(hall, "TP")
    assert seen["open"] is False
    assert seen["closed_reason"] == refused.json()["detail"]
    assert hall.issue("DD")["service"] == "DD"  # only that service
    called = hall.call_next(1)  # those already waiting are still served
    assert called is not None
    assert called["id"] == waiting["id"]
    assert post(hall, "sup", "/api/services/TP/close-today")[0] == 409
    status, reopened = post(hall, "sup", "/api/services/TP/reopen")
    assert status == 200
    assert reopened["open"] is True
    assert hall.issue("TP")["service"] == "TP"
    assert post(hall, "sup", "/api/services/TP/reopen")[0] == 409
    events = logged(hall.data_dir, "service.updated")
    assert [(actor, body["service"]["open"]) for actor, body in events] == [  # type: ignore[index]
        (SUPERVISOR, False),
        (SUPERVISOR, True),
    ]


def test_a_walk_in_is_still_served_when_issuing_closed_early(hall: Hall) -> None:
    assert post(hall, "sup", "/api/services/TP/close-today")[0] == 200
    status, ticket = post(hall, "lan", "/api/counters/1/walk-in", {"service": "TP"})
    assert status == 201
    assert ticket["status"] == "called"


def test_an_early_closing_survives_a_restart_and_ends_with_the_day(
    hall: Hall, clock: FrozenClock
) -> None:
    assert post(hall, "admin", "/api/services/DD/close-today")[0] == 200
    for again in restarted(hall):
        assert service(again, "DD")["closed_early"] is True
        assert (
            again.client.post(
                "/api/tickets", json={"service": "DD"}, headers=again.headers("kiosk")
            ).status_code
            == 409
        )
        next_day(again, clock)
        assert again.issue("DD")["service"] == "DD"
        assert service(again, "DD")["closed_early"] is False


def test_kiosks_hear_of_an_early_closing_on_the_event_stream(hall: Hall) -> None:
    with hall.client.websocket_connect(f"/ws/events?token={hall.tokens['kiosk']}") as ws:
        snapshot = ws.receive_json()
        assert snapshot["type"] == "snapshot"
        assert post(hall, "sup", "/api/services/TP/close-today")[0] == 200
        event = ws.receive_json()
    assert event["type"] == "service.updated"
    assert event["service"]["code"] == "TP"
    assert event["service"]["open"] is False


def test_the_snapshot_carries_an_early_closing(hall: Hall) -> None:
    assert post(hall, "sup", "/api/services/TP/close-today")[0] == 200
    with hall.client.websocket_connect(f"/ws/events?token={hall.tokens['display']}") as ws:
        snapshot = ws.receive_json()
    [tp] = [s for s in snapshot["services"] if s["code"] == "TP"]
    assert tp["closed_early"] is True
    assert tp["open"] is False


@pytest.mark.parametrize("who", ["lan", "kiosk", "display"])
def test_only_supervisors_close_issuing(hall: Hall, who: str) -> None:
    assert post(hall, who, "/api/services/TP/close-today")[0] == 403
    assert service(hall, "TP")["open"] is True


def test_closing_an_unknown_service_is_404(hall: Hall) -> None:
    assert post(hall, "sup", "/api/services/XX/close-today")[0] == 404
