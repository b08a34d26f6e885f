"""The durable event log: every state change appends its events with a strictly increasing
`seq`, a refused command appends nothing, and the hub hands subscribers exactly what was
committed, in `seq` order."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from queue_core.clock import FrozenClock
from queue_core.protocol import EVENT_TYPES, Event, parse_event
from queue_server.app import create_app
from queue_server.settings import Settings
from queue_server.store import connect
from tests.server.conftest import Hall


def event_log(hall: Hall) -> list[Event]:
    store = connect(hall.data_dir)
    try:
        rows = store.events_after(0, limit=100_000)
    finally:
        store.close()
    events = [parse_event(row[-1]) for row in rows]
    assert [row[0] for row in rows] == [e.seq for e in events]  # the column and the body agree
    return events


@pytest.fixture
def heard(hall: Hall) -> Iterator[list[Event]]:
    """What a subscriber on the hub receives while the test runs."""
    received: list[Event] = []
    unsubscribe = hall.client.app.state.motcua.hub.subscribe(  # type: ignore[attr-defined]
        lambda event, *_: received.append(event)
    )
    yield received
    unsubscribe()


def post(hall: Hall, path: str, who: str = "lan", json: object = None) -> httpx.Response:
    return hall.client.post(path, json=json, headers=hall.headers(who))


def changes(hall: Hall, response: httpx.Response, before: int, *types: str) -> list[Event]:
    """The events `response`'s command appended, checked against the `types` expected."""
    assert response.status_code < 300, response.text
    new = event_log(hall)[before:]
    assert [e.type for e in new] == list(types), response.request.url
    return new


def test_every_change_appends_its_events_in_order(hall: Hall, heard: list[Event]) -> None:
    log = 0

    def step(response: httpx.Response, *types: str) -> list[Event]:
        nonlocal log
        new = changes(hall, response, log, *types)
        log += len(new)
        return new

    tp = post(hall, "/api/tickets", "kiosk", {"service": "TP"})
    [issued] = step(tp, "ticket.issued")
    assert issued.ticket.id == tp.json()["id"]  # type: ignore[union-attr]
    step(post(hall, "/api/tickets", "kiosk", {"service": "TP", "priority": True}), "ticket.issued")
    step(post(hall, "/api/tickets", "kiosk", {"service": "DD"}), "ticket.issued")
    # The first call opens the counter for the clerk: the boards hear of that too.
    first = step(post(hall, "/api/counters/1/call-next"), "counter.updated", "ticket.called")
    assert first[1].counter == 1  # type: ignore[union-attr]
    step(post(hall, "/api/counters/1/recall"), "ticket.recalled")
    step(post(hall, "/api/counters/1/call-next"), "ticket.completed", "ticket.called")
    step(
        post(hall, f"/api/tickets/{tp.json()['id']}/transfer", json={"service": "DD"}),
        "ticket.transferred",
    )
    step(post(hall, "/api/counters/3/call-next", "hung"), "counter.updated", "ticket.called")
    step(post(hall, f"/api/tickets/{tp.json()['id']}/no-show", "hung"), "ticket.no_show")
    step(post(hall, "/api/counters/3/call-next", "hung"), "ticket.called")
    step(post(hall, "/api/counters/3/call-next", "hung"), "ticket.completed")  # then 204
    walk_in = post(hall, "/api/counters/1/walk-in", json={"service": "TP"})
    step(walk_in, "ticket.issued", "ticket.called")
    step(post(hall, f"/api/tickets/{walk_in.json()['id']}/complete"), "ticket.completed")
    step(
        post(hall, "/api/ratings", "rating", {"ticket_id": walk_in.json()["id"], "score": 3}),
        "ticket.rated",
    )
    step(post(hall, "/api/counters/1/pause", json={"reason": "Họp giao ban"}), "counter.updated")
    step(post(hall, "/api/counters/1/resume"), "counter.updated")
    spare = post(hall, "/api/tickets", "kiosk", {"service": "TP"})
    step(spare, "ticket.issued")
    step(post(hall, f"/api/tickets/{spare.json()['id']}/cancel", "sup"), "ticket.cancelled")

    events = event_log(hall)
    seqs = [e.seq for e in events]
    assert seqs == list(range(1, len(events) + 1))  # strictly increasing, no gap
    assert {e.type for e in events} <= set(EVENT_TYPES)
    assert [(e.seq, e.type) for e in heard] == [(e.seq, e.type) for e in events]
    assert heard == events


def test_event_times_carry_the_halls_offset(hall: Hall) -> None:
    hall.issue("TP")
    [event] = event_log(hall)
    assert event.at.utcoffset() is not None
    assert event.at == hall.clock.now()


def test_a_ticket_event_carries_the_ticket_as_answered(hall: Hall) -> None:
    response = post(hall, "/api/tickets", "kiosk", {"service": "DD", "priority": True})
    [event] = event_log(hall)
    assert event.ticket.model_dump(mode="json") == response.json()  # type: ignore[union-attr]


REFUSED: list[tuple[str, str, Any, str, int]] = [
    ("kiosk", "/api/tickets", {"service": "XX"}, "unknown service", 404),
    ("display", "/api/tickets", {"service": "TP"}, "display may not issue", 403),
    ("kiosk", "/api/tickets", {"service": 5}, "not a code", 422),
    ("lan", "/api/counters/1/recall", None, "nobody called", 409),
    ("lan", "/api/tickets/1/complete", None, "still waiting", 409),
    ("lan", "/api/tickets/1/no-show", None, "still waiting", 409),
    ("lan", "/api/tickets/99/complete", None, "unknown ticket", 404),
    ("lan", "/api/tickets/1/transfer", {"counter": 99}, "unknown counter", 404),
    ("lan", "/api/counters/2/resume", None, "not paused", 409),
    ("hung", "/api/counters/3/call-next", None, "lan holds counter 3", 409),
    ("hung", "/api/counters/3/walk-in", {"service": "DD"}, "lan holds counter 3", 409),
    ("rating", "/api/ratings", {"ticket_id": 1, "score": 3}, "not served yet", 409),
    ("rating", "/api/ratings", {"ticket_id": 1, "score": 4}, "above the scale", 422),
    ("lan", "/api/tickets/1/cancel", None, "a clerk may not void", 403),
    ("kiosk", "/api/tickets", {"service": "DD"}, "DD is out of numbers", 409),
]


@pytest.mark.parametrize(
    ("who", "path", "body", "why", "status"), REFUSED, ids=[r[3] for r in REFUSED]
)
def test_a_refused_command_appends_nothing(
    hall: Hall, heard: list[Event], who: str, path: str, body: Any, why: str, status: int
) -> None:
    hall.issue("TP")  # ticket 1, waiting
    for _ in range(3):
        hall.issue("DD")
    hall.call_next(3, "lan")  # lan holds counter 3
    before, heard_before = event_log(hall), list(heard)
    response = post(hall, path, who, body)
    assert response.status_code == status, response.text
    assert event_log(hall) == before
    assert heard == heard_before


def test_an_idempotent_retry_appends_nothing(hall: Hall) -> None:
    headers = {**hall.headers("kiosk"), "Idempotency-Key": "may-1-lan-3"}
    hall.client.post("/api/tickets", json={"service": "TP"}, headers=headers)
    before = event_log(hall)
    again = hall.client.post("/api/tickets", json={"service": "TP"}, headers=headers)
    assert again.status_code == 201
    assert event_log(hall) == before


def test_a_204_with_nobody_at_the_counter_appends_nothing(hall: Hall) -> None:
    response = post(hall, "/api/counters/1/call-next")
    assert response.status_code == 204
    assert event_log(hall) == []


def test_the_day_change_is_logged_as_expiries(hall: Hall, heard: list[Event]) -> None:
    waiting = hall.issue("TP")
    hall.clock.advance(days=1)
    hall.issue("DD")
    events = event_log(hall)
    assert [e.type for e in events] == ["ticket.issued", "ticket.expired", "ticket.issued"]
    assert events[1].ticket.id == waiting["id"]  # type: ignore[union-attr]
    assert heard == events


def test_seq_goes_on_after_a_restart(hall: Hall) -> None:
    hall.issue("TP")
    hall.issue("TP")
    clock = FrozenClock(hall.clock.now())
    with TestClient(create_app(Settings(data_dir=hall.data_dir), clock=clock)) as again:
        assert again.app.state.motcua.hub.last_seq == 2  # type: ignore[attr-defined]
        response = again.post("/api/tickets", json={"service": "TP"}, headers=hall.headers("kiosk"))
        assert response.json()["number"] == "1003"
    assert [e.seq for e in event_log(hall)] == [1, 2, 3]


def test_refusals_in_a_busy_moment_undo_none_of_their_neighbours(hall: Hall) -> None:
    # Commands that arrive together are committed together; each failure rolls back alone.
    issue = ("kiosk", "/api/tickets", {"service": "TP"})
    requests: list[tuple[str, str, Any]] = []
    for n in range(30):
        requests.append(issue)
        requests.append(("kiosk", "/api/tickets", {"service": "XX"}))
        requests.append(("rating", "/api/ratings", {"ticket_id": 1, "score": 3}))
        if n % 3 == 0:
            requests.append(("lan", "/api/counters/1/call-next", None))
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda r: post(hall, r[1], r[0], r[2]), requests))
    assert max(a.status_code for a in answers) < 500
    issued = [a for a, r in zip(answers, requests, strict=True) if r is issue]
    assert {a.status_code for a in issued} == {201}
    numbers = sorted(int(a.json()["number"]) for a in issued)
    assert numbers == list(range(1001, 1031))  # no gap, no repeat
    events = event_log(hall)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert sum(e.type == "ticket.issued" for e in events) == 30
    called = [e.ticket.id for e in events if e.type == "ticket.called"]  # type: ignore[union-attr]
    assert len(set(called)) == len(called) > 0
