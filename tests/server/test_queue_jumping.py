"""Each role only its own work (issue #11): a clerk acts on the tickets of their counter's
services and on the one they serve; moving a waiting ticket ahead is a supervisor's act,
recorded; and a clerk holds one counter at a time."""

from __future__ import annotations

import json
import sqlite3

import pytest

from queue_server.policy import MAY, Action
from queue_server.roles import Role
from queue_server.store import DATABASE_NAME
from tests.server.conftest import Hall


def post(hall: Hall, who: str, path: str, body: object = None) -> tuple[int, dict[str, object]]:
    response = hall.client.post(path, json=body, headers=hall.headers(who))
    return response.status_code, response.json() if response.content else {}


def events_of(hall: Hall, type_: str) -> list[tuple[str | None, dict[str, object]]]:
    """(who did it, body) of each logged event of `type_`."""
    with sqlite3.connect(hall.data_dir / DATABASE_NAME) as db:
        rows = db.execute("select actor, body from events where type = ?", [type_]).fetchall()
    return [(actor, json.loads(body)) for actor, body in rows]


def test_a_clerk_may_not_move_a_waiting_ticket_ahead(hall: Hall) -> None:
    hall.issue("DD")
    waiting = hall.issue("TP")
    status, body = post(hall, "lan", f"/api/tickets/{waiting['id']}/transfer", {"service": "DD"})
    assert status == 403
    assert "giám sát" in str(body["detail"])
    assert events_of(hall, "ticket.transferred") == []
    assert (
        hall.client.get(f"/api/tickets/{waiting['id']}", headers=hall.headers("lan")).json()[
            "service"
        ]
        == "TP"
    )


def test_a_supervisor_moves_a_waiting_ticket_to_the_front_and_it_is_logged(hall: Hall) -> None:
    first_dd = hall.issue("DD")
    waiting = hall.issue("TP")
    status, moved = post(hall, "sup", f"/api/tickets/{waiting['id']}/transfer", {"service": "DD"})
    assert status == 200
    assert moved["waiting_ahead"] == 0
    [(actor, logged)] = events_of(hall, "ticket.transferred")
    assert actor == "Lê Minh Giám Sát"
    assert logged["ticket"]["id"] == waiting["id"]  # type: ignore[index]
    called = hall.call_next(3, "hung")
    assert called is not None
    assert called["id"] == waiting["id"] != first_dd["id"]


def test_a_clerk_transfers_the_citizen_at_their_own_counter(hall: Hall) -> None:
    hall.issue("TP")
    serving = hall.call_next(1, "lan")
    assert serving is not None
    status, moved = post(hall, "lan", f"/api/tickets/{serving['id']}/transfer", {"service": "DD"})
    assert status == 200
    assert moved["status"] == "waiting"


def test_a_clerk_may_not_call_a_ticket_their_counter_does_not_serve(hall: Hall) -> None:
    other = hall.issue("DD")  # counter 1 serves TP alone
    status, body = post(hall, "lan", f"/api/counters/1/call/{other['id']}")
    assert status == 403
    assert "không phục vụ" in str(body["detail"])
    status, called = post(hall, "sup", f"/api/counters/1/call/{other['id']}")
    assert (status, called["counter"]) == (200, 1)


def test_a_clerk_holds_one_counter_at_a_time(hall: Hall) -> None:
    assert post(hall, "lan", "/api/counters/1/open")[0] == 200
    status, body = post(hall, "lan", "/api/counters/2/open")
    assert status == 409
    assert "quầy số 1" in str(body["detail"])
    hall.issue("TP")
    assert post(hall, "lan", "/api/counters/2/call-next")[0] == 409
    assert post(hall, "lan", "/api/counters/1/close")[0] == 200
    assert post(hall, "lan", "/api/counters/2/open")[0] == 200


def test_supervisors_act_at_any_counter_without_holding_one(hall: Hall) -> None:
    hall.issue("TP")
    hall.issue("TP")
    assert post(hall, "sup", "/api/counters/1/call-next")[0] == 200
    assert post(hall, "sup", "/api/counters/2/call-next")[0] == 200


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SUPERVISOR, Role.CLERK, Role.COUNTER])
def test_moving_a_waiting_ticket_is_as_the_table_says(hall: Hall, role: Role) -> None:
    who = {Role.ADMIN: "admin", Role.SUPERVISOR: "sup", Role.CLERK: "lan"}.get(role, role.value)
    waiting = hall.issue("TP")
    status, _ = post(hall, who, f"/api/tickets/{waiting['id']}/transfer", {"service": "DD"})
    assert (status == 200) == (role in MAY[Action.MOVE_TICKET]), status
