"""Contract v1, HTTP part: each row of the table, its statuses and the shapes it answers."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.server.conftest import Hall

# The Ticket of CONTRACT.md; the server may add fields around these.
TICKET_FIELDS = {
    "id",
    "number",
    "service",
    "priority",
    "status",
    "issued_at",
    "called_at",
    "counter",
    "waiting_ahead",
    "estimated_wait_minutes",
}
SERVICE_FIELDS = {"code", "name", "prefix", "waiting", "open", "estimated_wait_minutes"}
COUNTER_FIELDS = {"number", "name", "services", "state", "current_ticket"}
STATUSES = {"waiting", "called", "done", "no_show", "cancelled", "expired"}


def assert_ticket(body: object) -> None:
    """`body` is a Ticket as CONTRACT.md lists it, with the types it promises."""
    assert isinstance(body, dict)
    assert body.keys() >= TICKET_FIELDS, TICKET_FIELDS - body.keys()
    assert isinstance(body["id"], int)
    assert isinstance(body["number"], str)
    assert isinstance(body["service"], str)
    assert isinstance(body["priority"], bool)
    assert body["status"] in STATUSES
    assert datetime.fromisoformat(body["issued_at"]).utcoffset() is not None
    if body["called_at"] is not None:
        assert datetime.fromisoformat(body["called_at"]).utcoffset() is not None
    assert body["counter"] is None or isinstance(body["counter"], int)
    assert isinstance(body["waiting_ahead"], int)
    assert isinstance(body["estimated_wait_minutes"], int)


def test_health_answers_anyone(hall: Hall) -> None:
    response = hall.client.get("/api/health")
    assert response.status_code == 200


def test_sign_in_gives_a_bearer_token_that_works(hall: Hall) -> None:
    response = hall.client.post(
        "/api/auth/token", data={"username": "admin", "password": "mat-khau-4"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert isinstance(body["access_token"], str)
    token = body["access_token"]
    assert token.replace("-", "").replace("_", "").isalnum()  # URL-safe
    services = hall.client.get("/api/services", headers={"Authorization": f"Bearer {token}"})
    assert services.status_code == 200


@pytest.mark.parametrize(
    ("username", "password"),
    [("admin", "sai-mat-khau"), ("khong-ai", "mat-khau-4"), ("admin", ""), ("", "")],
)
def test_sign_in_with_bad_credentials_is_401(hall: Hall, username: str, password: str) -> None:
    response = hall.client.post(
        "/api/auth/token", data={"username": username, "password": password}
    )
    assert response.status_code in (401, 422)
    assert "detail" in response.json()
    if username and password:
        assert response.status_code == 401


def test_services_list_their_live_waiting_counts(hall: Hall) -> None:
    hall.issue("TP")
    hall.issue("TP")
    response = hall.client.get("/api/services", headers=hall.headers("display"))
    assert response.status_code == 200
    services = {s["code"]: s for s in response.json()}
    assert set(services) == {"TP", "DD"}
    for service in services.values():
        assert service.keys() >= SERVICE_FIELDS
        assert isinstance(service["open"], bool)
        assert isinstance(service["estimated_wait_minutes"], int)
    assert services["TP"]["waiting"] == 2
    assert services["TP"]["prefix"] == "1"
    assert services["TP"]["name"] == "Tư pháp – Hộ tịch"
    assert services["DD"]["waiting"] == 0


def test_issuing_answers_201_with_a_waiting_ticket(hall: Hall) -> None:
    response = hall.client.post(
        "/api/tickets", json={"service": "TP"}, headers=hall.headers("kiosk")
    )
    assert response.status_code == 201
    ticket = response.json()
    assert_ticket(ticket)
    assert ticket["number"] == "1001"
    assert ticket["service"] == "TP"
    assert ticket["priority"] is False
    assert ticket["status"] == "waiting"
    assert ticket["called_at"] is None
    assert ticket["counter"] is None
    assert ticket["waiting_ahead"] == 0


@pytest.mark.parametrize("who", ["kiosk", "lan", "sup", "admin"])
def test_kiosks_and_staff_may_issue(hall: Hall, who: str) -> None:
    response = hall.client.post(
        "/api/tickets", json={"service": "DD", "priority": True}, headers=hall.headers(who)
    )
    assert response.status_code == 201
    assert response.json()["priority"] is True


def test_the_same_idempotency_key_returns_the_same_ticket(hall: Hall) -> None:
    headers = {**hall.headers("kiosk"), "Idempotency-Key": "kiosk-1-cham-0001"}
    first = hall.client.post("/api/tickets", json={"service": "TP"}, headers=headers)
    again = hall.client.post("/api/tickets", json={"service": "TP"}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["number"] == first.json()["number"]
    # Only one number was used: the next one is 1002.
    assert hall.issue("TP")["number"] == "1002"


def test_an_idempotency_key_reused_for_another_service_is_refused(hall: Hall) -> None:
    headers = {**hall.headers("kiosk"), "Idempotency-Key": "kiosk-1-cham-0002"}
    first = hall.client.post("/api/tickets", json={"service": "TP"}, headers=headers)
    other = hall.client.post("/api/tickets", json={"service": "DD"}, headers=headers)
    assert first.status_code == 201
    assert 400 <= other.status_code < 500
    assert isinstance(other.json()["detail"], str)
    assert hall.issue("DD")["number"] == "2001"  # the refused request used no DD number


def test_a_ticket_can_be_looked_up_by_any_token(hall: Hall) -> None:
    issued = hall.issue("TP")
    for who in ("display", "rating", "kiosk", "counter", "lan"):
        response = hall.client.get(f"/api/tickets/{issued['id']}", headers=hall.headers(who))
        assert response.status_code == 200
        assert_ticket(response.json())
        assert response.json()["number"] == issued["number"]


def test_counters_list_their_state_and_current_ticket(hall: Hall) -> None:
    hall.issue("TP")
    hall.call_next(1)
    response = hall.client.get("/api/counters", headers=hall.headers("display"))
    assert response.status_code == 200
    counters = response.json()
    assert [c["number"] for c in counters] == [1, 2, 3]
    for counter in counters:
        assert counter.keys() >= COUNTER_FIELDS
        assert isinstance(counter["state"], str)
    assert counters[0]["services"] == ["TP"]
    assert counters[1]["services"] == ["TP", "DD"]
    assert_ticket(counters[0]["current_ticket"])
    assert counters[0]["current_ticket"]["number"] == "1001"
    assert counters[1]["current_ticket"] is None


def test_call_next_answers_the_called_ticket(hall: Hall) -> None:
    issued = hall.issue("TP")
    response = hall.client.post("/api/counters/2/call-next", headers=hall.headers("lan"))
    assert response.status_code == 200
    called = response.json()
    assert_ticket(called)
    assert (called["id"], called["status"], called["counter"]) == (issued["id"], "called", 2)
    assert called["called_at"] is not None


def test_call_next_with_nobody_waiting_is_204_and_finishes_the_citizen(hall: Hall) -> None:
    only = hall.issue("TP")
    hall.call_next(1)
    response = hall.client.post("/api/counters/1/call-next", headers=hall.headers("lan"))
    assert response.status_code == 204
    assert response.content == b""
    ticket = hall.client.get(f"/api/tickets/{only['id']}", headers=hall.headers("lan")).json()
    assert ticket["status"] == "done"


@pytest.mark.parametrize("who", ["lan", "sup", "admin"])
def test_staff_of_every_role_may_call_next(hall: Hall, who: str) -> None:
    hall.issue("TP")
    assert hall.call_next(2, who) is not None


def test_waiting_ahead_counts_down_as_the_queue_moves(hall: Hall) -> None:
    hall.issue("TP")
    hall.issue("TP")
    third = hall.issue("TP")
    hall.call_next(1)
    ticket = hall.client.get(f"/api/tickets/{third['id']}", headers=hall.headers("kiosk")).json()
    assert ticket["waiting_ahead"] == 1


def test_priority_defaults_to_false_and_can_be_asked_for(hall: Hall) -> None:
    assert hall.issue("TP")["priority"] is False
    assert hall.issue("TP", priority=True)["priority"] is True


def test_errors_are_json_with_a_detail(hall: Hall) -> None:
    for response in (
        hall.client.get("/api/tickets/999", headers=hall.headers("kiosk")),
        hall.client.post("/api/tickets", json={"service": "XX"}, headers=hall.headers("kiosk")),
        hall.client.post("/api/tickets", json={}, headers=hall.headers("kiosk")),
        hall.client.get("/api/services"),
        hall.client.post("/api/counters/1/call-next", headers=hall.headers("kiosk")),
    ):
        assert 400 <= response.status_code < 500
        assert response.headers["content-type"].startswith("application/json")
        assert "detail" in response.json()
