"""Who may do what: sign-in, lockout, tokens that are missing, bad, expired or revoked, and
the role behind every operation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from queue_core.clock import FrozenClock
from queue_server.app import create_app
from queue_server.settings import Settings
from queue_server.store import connect
from tests.server.conftest import MONDAY_9AM, PASSWORDS, Hall, open_hall, prepare_data_dir

EVERYONE = ("kiosk", "display", "rating", "counter", "lan", "sup", "admin")
AT_COUNTER = ("counter", "lan", "sup", "admin")

# (method, path, JSON body, who may): ticket 1 is at counter 1, ticket 2 waits.
OPERATIONS: list[tuple[str, str, Any, tuple[str, ...]]] = [
    ("GET", "/api/auth/me", None, EVERYONE),
    ("GET", "/api/services", None, EVERYONE),
    ("GET", "/api/counters", None, EVERYONE),
    ("GET", "/api/counters/1", None, EVERYONE),
    ("GET", "/api/counters/1/stats", None, AT_COUNTER),
    ("GET", "/api/rating-scale", None, EVERYONE),
    ("GET", "/api/site", None, EVERYONE),
    ("GET", "/api/tickets", None, EVERYONE),
    ("GET", "/api/tickets/1", None, EVERYONE),
    ("POST", "/api/tickets", {"service": "TP"}, ("kiosk", "lan", "sup", "admin")),
    ("POST", "/api/tickets/1/complete", None, AT_COUNTER),
    ("POST", "/api/tickets/1/no-show", None, AT_COUNTER),
    ("POST", "/api/tickets/2/cancel", None, ("sup", "admin")),
    ("POST", "/api/tickets/2/transfer", {"service": "DD"}, AT_COUNTER),
    ("POST", "/api/counters/1/call-next", None, AT_COUNTER),
    ("POST", "/api/counters/1/recall", None, AT_COUNTER),
    ("POST", "/api/counters/1/call/2", None, AT_COUNTER),
    ("POST", "/api/counters/1/walk-in", {"service": "TP"}, AT_COUNTER),
    ("POST", "/api/counters/1/open", None, AT_COUNTER),
    ("POST", "/api/counters/1/close", None, AT_COUNTER),
    ("POST", "/api/counters/1/pause", {"reason": "Họp giao ban"}, AT_COUNTER),
    ("POST", "/api/counters/1/resume", None, AT_COUNTER),
    ("POST", "/api/ratings", {"ticket_id": 1, "score": 3}, ("rating", "kiosk")),
    ("GET", "/api/devices", None, ("sup", "admin")),
    (
        "POST",
        "/api/devices/heartbeat",
        {"printer": "ok"},
        ("kiosk", "display", "rating", "counter"),
    ),
    ("POST", "/api/devices/1/revoke", None, ("admin",)),
]
DENIED = [
    (method, path, body, who)
    for method, path, body, allowed in OPERATIONS
    for who in EVERYONE
    if who not in allowed
]


def at_work(hall: Hall) -> Hall:
    hall.issue("TP")
    hall.issue("TP")
    hall.call_next(1, "sup")  # ticket 1 at counter 1, held by no clerk
    return hall


@pytest.fixture(scope="module")
def working_hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    """A hall at work, for the many refusals that must change nothing (each checks it)."""
    for hall in open_hall(tmp_path_factory.mktemp("auth") / "data"):
        yield at_work(hall)


def events(hall: Hall) -> int:
    store = connect(hall.data_dir)
    try:
        return store.last_seq()
    finally:
        store.close()


def sign_in(hall: Hall, username: str, password: str) -> Any:
    return hall.client.post("/api/auth/token", data={"username": username, "password": password})


# --- the documented operations and their tokens ---------------------------------------------


def test_every_protected_operation_refuses_a_missing_token(working_hall: Hall) -> None:
    spec = working_hall.client.get("/openapi.json").json()
    before = events(working_hall)
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not operation.get("security"):
                continue
            concrete = re.sub(r"\{[^}]+\}", "1", path)
            response = working_hall.client.request(method.upper(), concrete)
            assert response.status_code == 401, (method, path, response.status_code)
    assert events(working_hall) == before


@pytest.mark.parametrize(("method", "path", "body", "_"), OPERATIONS)
def test_no_token_is_401(working_hall: Hall, method: str, path: str, body: Any, _: object) -> None:
    before = events(working_hall)
    response = working_hall.client.request(method, path, json=body)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert isinstance(response.json()["detail"], str)
    assert events(working_hall) == before


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer not-a-real-token",
        "Bearer ",
        "Bearer",
        "bearer " + "x" * 43,
        "Basic YWRtaW46bWF0LWtoYXUtNA==",
        "Token abc",
        "Bearer " + "A" * 100_000,
        "Bearer \u00ff\u00fe",
        "Bearer a b c",
    ],
)
def test_a_bad_token_is_401(working_hall: Hall, authorization: str) -> None:
    hall = working_hall
    before = events(hall)
    for method, path, body in (
        ("GET", "/api/services", None),
        ("POST", "/api/tickets", {"service": "TP"}),
        ("POST", "/api/counters/1/call-next", None),
    ):
        response = hall.client.request(
            method,
            path,
            json=body,
            headers={"Authorization": authorization.encode("latin-1")},  # type: ignore[dict-item]
        )
        assert response.status_code == 401, (authorization[:20], path)
    assert events(hall) == before


@pytest.mark.parametrize(
    ("method", "path", "body", "who"), DENIED, ids=[f"{w} {m} {p}" for m, p, _, w in DENIED]
)
def test_a_role_that_may_not_is_403_and_changes_nothing(
    working_hall: Hall, method: str, path: str, body: Any, who: str
) -> None:
    hall = working_hall
    before = events(hall)
    response = hall.client.request(method, path, json=body, headers=hall.headers(who))
    assert response.status_code == 403
    assert isinstance(response.json()["detail"], str)
    assert events(hall) == before


def test_the_contracts_own_examples_of_403(working_hall: Hall) -> None:
    hall = working_hall
    assert (
        hall.client.post(
            "/api/tickets", json={"service": "TP"}, headers=hall.headers("display")
        ).status_code
        == 403
    )
    assert (
        hall.client.post("/api/counters/1/call-next", headers=hall.headers("kiosk")).status_code
        == 403
    )
    assert hall.client.post("/api/tickets/2/cancel", headers=hall.headers("lan")).status_code == 403


@pytest.mark.parametrize(("method", "path", "body", "allowed"), OPERATIONS)
def test_a_role_that_may_is_let_through(
    hall: Hall, method: str, path: str, body: Any, allowed: tuple[str, ...]
) -> None:
    at_work(hall)
    who = "sup" if "sup" in allowed else allowed[0]
    response = hall.client.request(method, path, json=body, headers=hall.headers(who))
    assert response.status_code not in (401, 403), response.text
    assert response.status_code < 500


# --- signing in ------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["lan", "hung", "sup", "admin"])
def test_every_staff_member_signs_in_with_their_password(hall: Hall, username: str) -> None:
    response = sign_in(hall, username, PASSWORDS[username])
    assert response.status_code == 200
    token = response.json()["access_token"]
    me = hall.client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["subject"] == username


def test_a_wrong_password_or_unknown_user_is_401(hall: Hall) -> None:
    assert sign_in(hall, "admin", "mat-khau-1").status_code == 401
    assert sign_in(hall, "ai-do", "mat-khau-4").status_code == 401
    assert sign_in(hall, "Admin", "mat-khau-4").status_code == 401


def test_five_failures_lock_the_username_out(hall: Hall) -> None:
    for _ in range(5):
        assert sign_in(hall, "admin", "doan-bua").status_code == 401
    locked = sign_in(hall, "admin", PASSWORDS["admin"])  # even the right password now
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert "thử lại" in locked.json()["detail"]
    # Another username is not locked out by someone guessing at "admin".
    assert sign_in(hall, "sup", PASSWORDS["sup"]).status_code == 200


def test_a_success_forgives_earlier_failures(hall: Hall) -> None:
    for _ in range(4):
        assert sign_in(hall, "admin", "doan-bua").status_code == 401
    assert sign_in(hall, "admin", PASSWORDS["admin"]).status_code == 200
    for _ in range(4):
        assert sign_in(hall, "admin", "doan-bua").status_code == 401
    assert sign_in(hall, "admin", PASSWORDS["admin"]).status_code == 200


def test_a_disabled_user_can_neither_sign_in_nor_use_a_token(hall: Hall) -> None:
    store = connect(hall.data_dir)
    try:
        store.set_user_disabled("hung", True)
    finally:
        store.close()
    assert sign_in(hall, "hung", PASSWORDS["hung"]).status_code == 401
    assert hall.client.get("/api/services", headers=hall.headers("hung")).status_code == 401


# --- token lifetimes ------------------------------------------------------------------------


def test_a_user_token_lasts_twelve_hours(hall: Hall) -> None:
    token = sign_in(hall, "lan", PASSWORDS["lan"]).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    hall.clock.advance(hours=11, minutes=59)
    assert hall.client.get("/api/services", headers=headers).status_code == 200
    hall.clock.advance(minutes=2)
    assert hall.client.get("/api/services", headers=headers).status_code == 401
    assert hall.client.get("/api/services", headers=hall.headers("kiosk")).status_code == 200


def test_a_revoked_device_token_is_401(hall: Hall) -> None:
    me = hall.client.get("/api/auth/me", headers=hall.headers("kiosk")).json()
    revoked = hall.client.post(
        f"/api/devices/{me['subject']}/revoke", headers=hall.headers("admin")
    )
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    response = hall.client.post(
        "/api/tickets", json={"service": "TP"}, headers=hall.headers("kiosk")
    )
    assert response.status_code == 401


def test_tokens_stay_valid_across_a_restart(tmp_path: Path) -> None:
    clock = FrozenClock(MONDAY_9AM)
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir, now=clock.now())
    with TestClient(create_app(Settings(data_dir=data_dir), clock=clock)) as client:
        signed = client.post(
            "/api/auth/token", data={"username": "lan", "password": PASSWORDS["lan"]}
        ).json()["access_token"]
    clock.advance(hours=1)
    with TestClient(create_app(Settings(data_dir=data_dir), clock=clock)) as client:
        for token in (signed, tokens["kiosk"], tokens["display"]):
            response = client.get("/api/services", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200
