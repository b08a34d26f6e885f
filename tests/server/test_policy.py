"""The authorization policy is the app's: every route is in its table, the real app answers
each (role, action) as the table says, and the docs show the very same table."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute
from starlette.routing import BaseRoute, Mount, Route

from queue_core.protocol import parse_event
from queue_server import policy
from queue_server.app import create_app
from queue_server.auth import add_device, issue_user_token
from queue_server.policy import Action
from queue_server.roles import Role
from queue_server.settings import Settings
from queue_server.store import connect
from tests.server.conftest import Hall, open_hall
from tests.server.test_event_stream import last_seq, receive_snapshot, receive_until, stream

DOC = Path(__file__).parents[2] / "docs" / "authorization.md"

# A real token of each role (tests/server/conftest.py makes them).
TOKEN_OF = {
    Role.ADMIN: "admin",
    Role.SUPERVISOR: "sup",
    Role.CLERK: "lan",
    Role.KIOSK: "kiosk",
    Role.DISPLAY: "display",
    Role.COUNTER: "counter",
    Role.RATING: "rating",
}

# What each route is sent: ticket 1 is at counter 1, ticket 2 waits; {device_id} is a spare.
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/tickets"): {"service": "TP"},
    ("POST", "/api/counters/{number}/walk-in"): {"service": "TP"},
    ("POST", "/api/counters/{number}/pause"): {"reason": "Họp giao ban"},
    ("POST", "/api/tickets/{ticket_id}/transfer"): {"service": "DD"},
    ("POST", "/api/ratings"): {"ticket_id": 1, "score": 3},
    ("POST", "/api/devices/heartbeat"): {"printer": "ok"},
}
QUERIES = {
    "/api/voice/call.wav": "?number=1005&counter=1",
    "/api/reports/summary": "?from=2026-11-01&to=2026-11-30&by=counter",
    "/api/reports/export.xlsx": "?from=2026-11-01&to=2026-11-30",
}


def guards(route: APIRoute) -> list[Action]:
    """The actions checked by the `allowed(...)` guards among a route's dependencies."""
    found: list[Action] = []
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        action = policy.action_of(dependency.call)
        if action is not None:
            found.append(action)
        pending.extend(dependency.dependencies)
    return found


def flat(routes: list[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, those of included routers too (FastAPI keeps them apart)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is None:
            yield route
        else:  # our routers are included without a prefix: their paths are the app's
            assert not route.include_context.prefix  # type: ignore[attr-defined]
            yield from flat(included.routes)


def app_routes() -> list[BaseRoute]:
    return list(flat(create_app(Settings(data_dir=Path("unused"))).routes))


# --- every route is declared ----------------------------------------------------------------


def test_every_route_of_the_app_is_in_the_policy_table_or_public() -> None:
    seen: set[tuple[str, str]] = set()
    for route in app_routes():
        if isinstance(route, APIRoute):
            for method in route.methods:
                key = (method, route.path)
                seen.add(key)
                if route.path in policy.PUBLIC:
                    assert guards(route) == [], f"{key} is public, yet guarded"
                    continue
                assert key in policy.ROUTES, f"{key} is neither in policy.ROUTES nor public"
                if key in policy.CHECKED_INSIDE:
                    assert guards(route) == [], f"{key} is checked inside, yet guarded"
                else:
                    assert guards(route) == [policy.ROUTES[key]], key
        elif isinstance(route, APIWebSocketRoute):
            key = ("WS", route.path)
            seen.add(key)
            assert key in policy.ROUTES, f"{key} is not in policy.ROUTES"
            assert key in policy.CHECKED_INSIDE
        elif isinstance(route, Route | Mount):  # the docs, static files
            assert route.path in policy.PUBLIC, f"{route.path} is not declared public"
        else:  # pragma: no cover - a kind of route this test does not know yet
            pytest.fail(f"unknown route {route!r}")
    assert set(policy.ROUTES) <= seen, "the table names routes the app does not have"


def test_every_action_has_a_row_and_a_way_to_be_checked() -> None:
    assert set(policy.MAY) == set(Action)
    exercised = set(policy.ROUTES.values()) | {
        Action.TAKE_OVER_COUNTER,  # test_taking_over_a_counter_is_as_the_table_says
        Action.RECEIVE_RATED_EVENTS,  # test_rated_events_reach_whom_the_table_says
        Action.RECEIVE_ALERT_EVENTS,  # tests/server/test_alerts.py, public screens never get them
        Action.MOVE_TICKET,  # test_queue_jumping.test_moving_a_waiting_ticket_is_as_the_table_says
    }
    assert exercised == set(Action)


def test_the_docs_show_the_policy_table() -> None:
    assert policy.markdown_table() in DOC.read_text(encoding="utf-8")


# --- the real app answers as the table says --------------------------------------------------


@pytest.fixture(scope="module")
def busy_hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    for hall in open_hall(tmp_path_factory.mktemp("policy") / "data"):
        hall.issue("TP")
        hall.issue("TP")
        hall.call_next(1, "sup")  # ticket 1 at counter 1, held by no clerk
        store = connect(hall.data_dir)
        try:
            with store.transaction():
                spare, _ = add_device(store, "dự phòng", Role.KIOSK, hall.clock.now())
        finally:
            store.close()
        hall.tokens["spare device"] = str(spare)
        yield hall


def concrete(hall: Hall, path: str) -> str:
    path = path.replace("{number}", "1").replace("{ticket_id}", "2")
    path = path.replace("{device_id}", hall.tokens["spare device"])
    return path + QUERIES.get(path, "")


def token_for(hall: Hall, role: Role, action: Action) -> str:
    if action is Action.SIGN_OUT and role in (Role.ADMIN, Role.SUPERVISOR, Role.CLERK):
        # Signing out ends the token: each attempt spends a token of its own.
        store = connect(hall.data_dir)
        try:
            with store.transaction():
                token, _ = issue_user_token(store, TOKEN_OF[role], datetime.now(UTC), 3600)
        finally:
            store.close()
        return token
    return hall.tokens[TOKEN_OF[role]]


CASES = [
    (role, method, path)
    for (method, path), action in policy.ROUTES.items()
    if method != "WS"
    for role in Role
]


@pytest.mark.parametrize(
    ("role", "method", "path"), CASES, ids=[f"{r.value} {m} {p}" for r, m, p in CASES]
)
def test_the_app_answers_each_role_as_the_table_says(
    busy_hall: Hall, role: Role, method: str, path: str
) -> None:
    hall = busy_hall
    action = policy.ROUTES[(method, path)]
    token = token_for(hall, role, action)
    before = last_seq(hall.data_dir)
    url = concrete(hall, path)
    if path == "/display":  # a TV's browser opens the address, token and all
        url += f"?token={token}"
    response = hall.client.request(
        method,
        url,
        json=BODIES.get((method, path)),
        headers={"Authorization": f"Bearer {token}"},
    )
    if role in policy.MAY[action]:
        assert response.status_code not in (401, 403), response.text
    else:
        assert response.status_code == 403, response.text
        if response.headers["content-type"].startswith("application/json"):
            assert isinstance(response.json()["detail"], str)
        else:  # the web board's page: a refusal a person at the TV can read
            assert "text/html" in response.headers["content-type"]
        assert last_seq(hall.data_dir) == before


@pytest.mark.parametrize("role", list(Role))
def test_taking_over_a_counter_is_as_the_table_says(hall: Hall, role: Role) -> None:
    assert hall.client.post("/api/counters/3/open", headers=hall.headers("hung")).status_code == 200
    hall.client.post(
        "/api/counters/3/open",
        json={"force": True},
        headers=hall.headers(TOKEN_OF[role]),
    )
    clerk = hall.client.get("/api/counters/3", headers=hall.headers("sup")).json()["clerk"]
    taken_over = clerk is None
    assert taken_over == (role in policy.MAY[Action.TAKE_OVER_COUNTER])


def test_rated_events_reach_whom_the_table_says(hall: Hall) -> None:
    ticket = hall.issue("TP")
    hall.call_next(1)
    done = hall.client.post(f"/api/tickets/{ticket['id']}/complete", headers=hall.headers("lan"))
    assert done.status_code == 200
    rated = hall.client.post(
        "/api/ratings", json={"ticket_id": ticket["id"], "score": 1}, headers=hall.headers("rating")
    )
    assert rated.status_code == 201
    hall.issue("DD")  # a marker every token receives
    end = last_seq(hall.data_dir)
    for role, who in TOKEN_OF.items():
        with stream(hall, who, since=0) as ws:
            receive_snapshot(ws)
            types = {parse_event(t).type for t in receive_until(ws, end)}
        assert ("ticket.rated" in types) == (role in policy.MAY[Action.RECEIVE_RATED_EVENTS]), role


# --- the table itself -----------------------------------------------------------------------


def test_the_table_keeps_the_contract_examples() -> None:
    may = policy.MAY
    assert Role.DISPLAY not in may[Action.ISSUE_TICKET]
    assert Role.KIOSK not in may[Action.CALL_NEXT]
    assert Role.CLERK not in may[Action.CANCEL]
    assert may[Action.READ] == may[Action.READ_EVENTS] == frozenset(Role)


def test_the_markdown_table_has_a_row_per_action_and_a_column_per_role() -> None:
    rows = policy.markdown_table().splitlines()
    assert len(rows) == 2 + len(Action)
    for row, action in zip(rows[2:], Action, strict=True):
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[0] == f"`{action.value}`"
        assert len(cells) == len(re.findall(r"\|", rows[0])) - 1
