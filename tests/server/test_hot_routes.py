"""Issuing and call-next, answered below FastAPI (`queue_server.hot_routes`), answer
exactly as the FastAPI routes do: the same script of requests, good and bad, played on two
copies of one hall, one with the hot routes and one without, gets the same answers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from queue_core.clock import FrozenClock
from queue_server.app import create_app
from queue_server.auth import add_device
from queue_server.hot_routes import HotRoutesApp
from queue_server.roles import Role
from queue_server.settings import Settings
from queue_server.store import connect
from tests.server.conftest import MONDAY_9AM, prepare_data_dir


@dataclass
class Step:
    who: str | None
    path: str
    body: Any = None
    headers: dict[str, str] | None = None
    content: bytes | None = None


ISSUE = "/api/tickets"
SCRIPT = [
    Step("kiosk", ISSUE, {"service": "TP"}),
    Step("kiosk", ISSUE, {"service": "TP", "priority": True}, {"Idempotency-Key": "k1"}),
    Step("kiosk", ISSUE, {"service": "TP", "priority": True}, {"Idempotency-Key": "k1"}),
    Step("kiosk", ISSUE, {"service": "DD"}, {"Idempotency-Key": "k1"}),  # reused key: 422
    Step("kiosk", ISSUE, {"service": "XX"}),  # no such service: 404
    *[Step("kiosk", ISSUE, {"service": "DD"}) for _ in range(4)],  # the daily cap: 409
    Step("kiosk", ISSUE, {"service": 5}),
    Step("kiosk", ISSUE, {"service": "TP", "priority": "yes"}),
    Step("kiosk", ISSUE, {"service": "TP", "extra": 1}),
    Step("kiosk", ISSUE, content=b'{"service": "TP"'),
    Step("kiosk", ISSUE, content=b'{"service": "TP"}', headers={"Content-Type": "text/plain"}),
    Step("kiosk", ISSUE, {"service": "TP"}, {"Idempotency-Key": ""}),
    Step("kiosk", ISSUE, {"service": "TP"}, {"Idempotency-Key": "   "}),
    Step("kiosk", ISSUE, {"service": "TP"}, {"Idempotency-Key": "k" * 201}),
    Step("kiosk", ISSUE, {"service": "TP"}, {"Idempotency-Key": "k" * 200}),
    Step(None, ISSUE, {"service": "TP"}),
    Step("forged", ISSUE, {"service": "TP"}),
    Step("display", ISSUE, {"service": "TP"}),
    Step("lan", ISSUE, {"service": "TP"}),
    Step("kiosk", ISSUE, {"service": "TP" * 3000}),  # past the body cap: 413
    Step("lan", "/api/counters/1/call-next"),
    Step("hung", "/api/counters/1/call-next"),  # Lan holds counter 1: 409
    Step("hung", "/api/counters/2/call-next"),
    Step("keypad", "/api/counters/2/call-next"),  # bound to counter 1: 403
    Step("kiosk", "/api/counters/1/call-next"),
    Step("lan", "/api/counters/01/call-next"),
    Step("lan", "/api/counters/1000/call-next"),
    Step("lan", "/api/counters/x/call-next"),
    Step("lan", "/api/counters/1/call-next", {"ignored": True}),
    Step(None, "/api/counters/1/call-next"),
    *[Step("lan", "/api/counters/1/call-next") for _ in range(4)],  # to the 204
    Step("sup", "/api/counters/3/call-next"),
]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    data_dir = tmp_path_factory.mktemp("hot") / "data"
    tokens = prepare_data_dir(data_dir, now=MONDAY_9AM)
    store = connect(data_dir)
    with store.transaction():
        _, tokens["keypad"] = add_device(store, "keypad 1", Role.COUNTER, MONDAY_9AM, 1)
    store.close()
    tokens["forged"] = "not-a-token"
    return data_dir, tokens


def _play(data_dir: Path, tokens: dict[str, str], hot: bool) -> Iterator[tuple[Any, ...]]:
    app = create_app(Settings(data_dir=data_dir), clock=FrozenClock(MONDAY_9AM))
    assert isinstance(app, HotRoutesApp)
    app.hot = hot
    with TestClient(app) as client:
        for step in SCRIPT:
            headers = dict(step.headers or {})
            if step.who is not None:
                headers["Authorization"] = f"Bearer {tokens[step.who]}"
            if step.content is not None:
                headers.setdefault("Content-Type", "application/json")
            answer = client.post(
                step.path,
                json=step.body if step.content is None else None,
                content=step.content,
                headers=headers,
            )
            body = answer.json() if answer.content else None
            if isinstance(body, dict):
                body.pop("follow_code", None)  # each copy draws its own
            yield (
                step.path,
                answer.status_code,
                body,
                answer.headers.get("content-type"),
                "follow-code" in answer.headers,
                answer.headers.get("www-authenticate"),
            )
        yield ("answered by the hot routes", app.answered > 0)


def test_the_hot_routes_answer_every_request_as_the_fastapi_routes_do(
    prepared: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    data_dir, tokens = prepared
    answers = {}
    for hot in (True, False):
        copy = tmp_path / f"hot-{hot}"
        shutil.copytree(data_dir, copy)
        answers[hot] = list(_play(copy, tokens, hot))
    statuses = [answer[1] for answer in answers[True][:-1]]
    assert {200, 201, 204, 401, 403, 404, 409, 413, 422} <= set(statuses)
    assert answers[True][:-1] == answers[False][:-1]
    assert answers[True][-1][1], "the hot routes answered nothing themselves"
    assert not answers[False][-1][1]


@pytest.mark.parametrize("hot", [True, False])
def test_issuing_and_calling_answer_with_the_ticket_their_event_carries(
    prepared: tuple[Path, dict[str, str]], tmp_path: Path, hot: bool
) -> None:
    data_dir, tokens = prepared
    shutil.copytree(data_dir, tmp_path / "hall")
    app = create_app(Settings(data_dir=tmp_path / "hall"), clock=FrozenClock(MONDAY_9AM))
    assert isinstance(app, HotRoutesApp)
    app.hot = hot
    with TestClient(app) as client:
        issued = client.post(ISSUE, json={"service": "TP"}, headers=_bearer(tokens["kiosk"]))
        called = client.post("/api/counters/1/call-next", headers=_bearer(tokens["lan"]))
        with client.websocket_connect(f"/ws/events?token={tokens['display']}&since=0") as ws:
            assert ws.receive_json()["type"] == "snapshot"
            events = {e["type"]: e for e in (ws.receive_json() for _ in range(3))}
    assert (issued.status_code, called.status_code) == (201, 200)
    assert issued.json() == events["ticket.issued"]["ticket"]
    assert called.json() == events["ticket.called"]["ticket"]
    assert called.json()["id"] == issued.json()["id"]
    assert issued.headers["follow-code"] not in issued.text


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
