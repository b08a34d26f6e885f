"""A centre's events reach the hub exactly once, in order, over `POST /api/hub/events`."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from queue_hub.store import HubStore, connect
from tests.hub.centre_log import MORNING, CentreLog, add_centre


def _log(visits: int = 3) -> CentreLog:
    log = CentreLog()
    for n in range(1, visits + 1):
        log.visit(n, "TP", MORNING + timedelta(minutes=n), wait_min=n, serve_min=2)
    return log


def _ship(hub: TestClient, token: str, body: dict[str, Any]) -> httpx.Response:
    return hub.post("/api/hub/events", json=body, headers={"Authorization": f"Bearer {token}"})


def test_a_new_centre_starts_at_zero_and_is_acknowledged_what_it_ships(
    hub: TestClient, hub_store: HubStore
) -> None:
    token = add_centre(hub_store, "XA-TAN-AN")
    auth = {"Authorization": f"Bearer {token}"}
    assert hub.get("/api/hub/ack", headers=auth).json() == {
        "centre": "XA-TAN-AN",
        "acknowledged_seq": 0,
    }
    log = _log()
    answer = _ship(hub, token, log.shipment(0, 5))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"centre": "XA-TAN-AN", "acknowledged_seq": 5}
    assert _ship(hub, token, log.shipment(5)).json()["acknowledged_seq"] == log.seq
    assert hub.get("/api/hub/ack", headers=auth).json()["acknowledged_seq"] == log.seq
    assert hub_store.event_count("XA-TAN-AN") == log.seq


def test_a_batch_sent_again_counts_once(hub: TestClient, hub_store: HubStore) -> None:
    token = add_centre(hub_store, "A")
    log = _log()
    for _ in range(3):
        assert _ship(hub, token, log.shipment(0)).json()["acknowledged_seq"] == log.seq
    # Overlapping: part held, part new.
    log.visit(9, "TP", MORNING + timedelta(hours=1), wait_min=1, serve_min=1)
    assert _ship(hub, token, log.shipment(4)).json()["acknowledged_seq"] == log.seq
    assert hub_store.event_count("A") == log.seq
    assert hub_store.tallies(MORNING.date(), MORNING.date(), "A", "centre")[0][0][2].issued == 4


def test_a_shipment_past_what_the_hub_holds_is_a_hole(hub: TestClient, hub_store: HubStore) -> None:
    token = add_centre(hub_store, "A")
    log = _log()
    _ship(hub, token, log.shipment(0, 3))
    answer = _ship(hub, token, log.shipment(5))
    assert answer.status_code == 409
    assert answer.json()["acknowledged_seq"] == 3
    assert "3" in answer.json()["detail"]
    assert hub_store.event_count("A") == 3


def test_centres_are_kept_apart(hub: TestClient, hub_store: HubStore) -> None:
    one, two = add_centre(hub_store, "ONE"), add_centre(hub_store, "TWO")
    _ship(hub, one, _log(3).shipment(0))
    _ship(hub, two, _log(1).shipment(0))
    assert hub_store.event_count("ONE") == 9
    assert hub_store.event_count("TWO") == 3
    ack = hub.get("/api/hub/ack", headers={"Authorization": f"Bearer {two}"}).json()
    assert ack == {"centre": "TWO", "acknowledged_seq": 3}


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc", "Bearer "])
def test_only_a_centre_token_ships(
    hub: TestClient, hub_store: HubStore, header: str | None
) -> None:
    add_centre(hub_store, "A")
    headers = {"Authorization": header} if header else {}
    answer = hub.post("/api/hub/events", json=_log().shipment(0), headers=headers)
    assert answer.status_code == 401
    assert "detail" in answer.json()
    assert hub.get("/api/hub/ack", headers=headers).status_code == 401
    assert hub_store.event_count("A") == 0


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"{}",
        b'{"after_seq": -1, "events": []}',
        b'{"after_seq": 0, "events": [{"seq": 1, "type": "x", "at": "yesterday", "body": ""}]}',
        b'{"after_seq": 2, "events": [{"seq": 1, "type": "x", "at": "2026-11-30T08:00:00Z",'
        b' "body": ""}]}',
        b'{"after_seq": 0, "events": [], "extra": 1}',
        b'{"after_seq": 0, "events": [{"seq": 1, "type": "\\ud800", "at": "2026-11-30T08:00:00Z",'
        b' "body": ""}]}',
    ],
)
def test_a_malformed_shipment_is_a_422_and_changes_nothing(
    hub: TestClient, hub_store: HubStore, body: bytes
) -> None:
    token = add_centre(hub_store, "A")
    answer = hub.post(
        "/api/hub/events",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 422, answer.text
    assert isinstance(answer.json()["detail"], str)
    assert hub_store.event_count("A") == 0


def test_an_event_body_that_is_not_a_ticket_is_kept_and_counts_for_nothing(
    hub: TestClient, hub_store: HubStore
) -> None:
    token = add_centre(hub_store, "A")
    at = MORNING.isoformat()
    events = [
        {"seq": 1, "type": "counter.updated", "at": at, "body": '{"counter": {}}'},
        {"seq": 2, "type": "ticket.issued", "at": at, "body": "not json"},
        {"seq": 3, "type": "ticket.issued", "at": at, "body": '{"ticket": {"id": "x"}}'},
    ]
    answer = _ship(hub, token, {"after_seq": 0, "events": events})
    assert answer.json()["acknowledged_seq"] == 3
    assert hub_store.event_count("A") == 3
    assert hub_store.tallies(MORNING.date(), MORNING.date(), None, "centre") == ([], {})


def test_two_hub_stores_racing_on_one_centre_keep_each_event_once(
    hub_store: HubStore, database_url: str
) -> None:
    """Two processes' pools, the same batches at once: the centre's row lock makes them
    take turns, and each event is stored and counted once."""
    from queue_core.clock import SystemClock
    from queue_core.protocol import Shipment

    add_centre(hub_store, "A")
    log = _log(60)
    other = connect(database_url)
    batches = [
        Shipment.model_validate_json(json.dumps(log.shipment(n, n + 30)))
        for n in range(0, log.seq, 30)
    ]
    errors: list[BaseException] = []

    def ship_all(store: HubStore) -> None:
        try:
            for batch in batches:
                store.ingest("A", batch, SystemClock().now())
        except BaseException as exc:  # pragma: no cover - shown below
            errors.append(exc)

    try:
        threads = [threading.Thread(target=ship_all, args=(s,)) for s in (hub_store, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        other.close()
    assert errors == []
    assert hub_store.event_count("A") == log.seq
    [(_, _, tally)] = hub_store.tallies(MORNING.date(), MORNING.date(), "A", "centre")[0]
    assert (tally.issued, tally.called, tally.served) == (60, 60, 60)


def test_two_processes_migrating_at_once_both_start(database_url: str) -> None:
    stores: list[HubStore] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            stores.append(connect(database_url))
        except BaseException as exc:  # pragma: no cover - shown below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert errors == []
    assert len(stores) == 3
