"""A counter keypad and a rating tablet bound to one counter act there alone (issue 11: "a
counter-device token works at every counter")."""

from __future__ import annotations

import re
from contextlib import closing
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlite_utils import Database

from queue_core.clock import FrozenClock
from queue_server.app import create_app
from queue_server.auth import add_device, rotate_device_token
from queue_server.roles import Role
from queue_server.settings import Settings
from queue_server.store import DATABASE_NAME, connect
from tests.helpers.server_process import motcua
from tests.server.conftest import MONDAY_9AM, Hall, prepare_data_dir
from tests.server.test_event_stream import last_seq


def bind(hall: Hall, name: str, kind: Role, counter: int) -> None:
    store = connect(hall.data_dir)
    try:
        with store.transaction():
            _, hall.tokens[name] = add_device(
                store, f"{kind.value} quầy {counter}", kind, hall.clock.now(), counter
            )
    finally:
        store.close()


@pytest.fixture
def bound(hall: Hall) -> Hall:
    """Counter keypad `keypad 1` and rating tablet `tablet 1`, both of counter 1; Hùng holds
    counter 2 and serves a citizen there."""
    bind(hall, "keypad 1", Role.COUNTER, 1)
    bind(hall, "tablet 1", Role.RATING, 1)
    for _ in range(3):
        hall.issue("TP")
    assert hall.call_next(2, "hung") is not None
    return hall


def refused(hall: Hall, path: str, who: str, json: object = None) -> None:
    before = last_seq(hall.data_dir)
    response = hall.client.post(path, json=json, headers=hall.headers(who))
    assert response.status_code == 403, response.text
    assert "quầy số 1" in response.json()["detail"]
    assert last_seq(hall.data_dir) == before


def test_a_bound_keypad_cannot_call_mark_or_sign_out_at_another_counter(bound: Hall) -> None:
    hall = bound
    at_2 = hall.client.get("/api/counters/2", headers=hall.headers("sup")).json()
    serving = at_2["current_ticket"]["id"]
    refused(hall, "/api/counters/2/call-next", "keypad 1")
    refused(hall, f"/api/tickets/{serving}/no-show", "keypad 1")
    refused(hall, "/api/counters/2/close", "keypad 1")
    refused(hall, "/api/counters/2/pause", "keypad 1", {"reason": "Họp"})
    refused(hall, f"/api/tickets/{serving}/complete", "keypad 1")
    refused(hall, f"/api/tickets/{serving}/transfer", "keypad 1", {"service": "DD"})
    refused(hall, "/api/counters/2/open", "keypad 1")
    assert (
        hall.client.get("/api/counters/2/stats", headers=hall.headers("keypad 1")).status_code
        == 403
    )
    # Hùng's counter is as he left it.
    assert hall.client.get("/api/counters/2", headers=hall.headers("sup")).json() == at_2


def test_a_bound_keypad_works_at_its_own_counter(bound: Hall) -> None:
    hall = bound
    called = hall.call_next(1, "keypad 1")
    assert called is not None
    assert called["counter"] == 1
    no_show = hall.client.post(
        f"/api/tickets/{called['id']}/no-show", headers=hall.headers("keypad 1")
    )
    assert no_show.status_code == 200, no_show.text
    back = hall.client.post(
        f"/api/tickets/{called['id']}/requeue", headers=hall.headers("keypad 1")
    )
    assert back.status_code == 200, back.text  # from its own counter, which serves TP
    closed = hall.client.post("/api/counters/1/close", headers=hall.headers("keypad 1"))
    assert closed.status_code == 200


def test_a_bound_keypad_may_not_touch_a_waiting_ticket(bound: Hall) -> None:
    hall = bound
    waiting = hall.client.get("/api/tickets", headers=hall.headers("sup")).json()[0]["id"]
    refused(hall, f"/api/tickets/{waiting}/transfer", "keypad 1", {"service": "DD"})


def test_an_unbound_keypad_still_works_at_every_counter(bound: Hall) -> None:
    # Registered before binding existed ("counter" in conftest): it keeps working.
    hall = bound
    assert hall.call_next(1, "counter") is not None
    assert hall.call_next(3, "counter") is None  # nobody waits for DD: 204, not 403


def test_a_bound_tablet_rates_only_its_counters_tickets(bound: Hall) -> None:
    hall = bound
    at_2 = hall.client.get("/api/counters/2", headers=hall.headers("sup")).json()
    other = at_2["current_ticket"]["id"]
    done = hall.client.post(f"/api/tickets/{other}/complete", headers=hall.headers("hung"))
    assert done.status_code == 200
    refused(hall, "/api/ratings", "tablet 1", {"ticket_id": other, "score": 3})

    mine = hall.call_next(1, "lan")
    assert mine is not None
    hall.client.post(f"/api/tickets/{mine['id']}/complete", headers=hall.headers("lan"))
    rated = hall.client.post(
        "/api/ratings", json={"ticket_id": mine["id"], "score": 3}, headers=hall.headers("tablet 1")
    )
    assert rated.status_code == 201, rated.text


# --- the command line ------------------------------------------------------------------------

TOKEN = re.compile(r"[A-Za-z0-9_\-]{20,}")


@pytest.mark.slow
def test_device_add_binds_to_a_counter_and_list_shows_it(tmp_path: Path) -> None:
    data_dir = str(tmp_path / "data")
    added = motcua("device", "add", "Bàn phím 2", "--kind", "counter", "--counter", "2",
                   "--data-dir", data_dir)  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert TOKEN.fullmatch(added.stdout.strip().splitlines()[-1]), added.stdout
    assert "at counter 2" in added.stdout

    old = motcua("device", "add", "Bàn phím cũ", "--kind", "counter", "--data-dir", data_dir)
    assert old.returncode == 0, old.stderr
    assert TOKEN.fullmatch(old.stdout.strip().splitlines()[-1])
    assert "every counter" in old.stderr

    listed = motcua("device", "list", "--data-dir", data_dir)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert "counter 2" in lines[0]
    assert "Bàn phím 2" in lines[0]
    assert "unbound: works at every counter" in lines[1]

    kiosk = motcua("device", "add", "Kiosk", "--kind", "kiosk", "--counter", "1",
                   "--data-dir", data_dir)  # fmt: skip
    assert kiosk.returncode == 2
    assert "--counter" in kiosk.stderr
    nowhere = motcua("device", "add", "Bảng 9", "--kind", "rating", "--counter", "99",
                     "--data-dir", data_dir)  # fmt: skip
    assert nowhere.returncode == 1
    assert "no counter 99" in nowhere.stderr
    assert "Traceback" not in kiosk.stderr + nowhere.stderr


def test_a_rotated_token_keeps_the_binding(bound: Hall) -> None:
    hall = bound
    store = connect(hall.data_dir)
    try:
        with store.transaction():
            row = store.device_by_name("counter quầy 1")
            assert row is not None
            hall.tokens["keypad 1"] = rotate_device_token(store, row.id, hall.clock.now())
    finally:
        store.close()
    refused(hall, "/api/counters/2/call-next", "keypad 1")
    assert hall.call_next(1, "keypad 1") is not None


def test_a_database_from_before_binding_upgrades_with_its_devices_unbound(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir)
    # As main left it before m005: no `counter` column, the migration not yet applied.
    db = Database(data_dir / DATABASE_NAME)
    db.execute("alter table devices drop column counter")
    db.execute("delete from _sqlite_migrations where name = 'm005_device_counter'")
    db.conn.commit()
    db.close()
    with TestClient(
        create_app(Settings(data_dir=data_dir), clock=FrozenClock(MONDAY_9AM))
    ) as client:
        for number in (1, 3):
            response = client.post(
                f"/api/counters/{number}/call-next",
                headers={"Authorization": f"Bearer {tokens['counter']}"},
            )
            assert response.status_code == 204, response.text  # nobody waits; not 403
    with closing(connect(data_dir)) as store:
        assert {device.counter for device in store.devices()} == {None}


def test_the_device_list_shows_each_binding(bound: Hall) -> None:
    listed = bound.client.get("/api/devices", headers=bound.headers("sup")).json()
    counters = {d["name"]: d["counter"] for d in listed}
    assert counters["counter quầy 1"] == 1
    assert counters["rating quầy 1"] == 1
    assert counters["counter 1"] is None  # registered before binding: unbound
