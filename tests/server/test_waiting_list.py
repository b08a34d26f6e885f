"""A clerk's list is the front of the counter's call order, and costs what its length
costs, not what the queue's does (issue #15)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from queue_core import ahead
from queue_core.model import Ticket
from tests.server.conftest import Hall


def numbers(hall: Hall, query: str) -> list[str]:
    response = hall.client.get(f"/api/tickets?{query}", headers=hall.headers("lan"))
    assert response.status_code == 200, response.text
    return [ticket["number"] for ticket in response.json()]


def test_the_list_is_the_front_of_the_whole_call_order(hall: Hall) -> None:
    for i in range(60):
        hall.issue("TP", priority=i % 4 == 0)
    moved = hall.issue("TP")
    hall.client.post(
        f"/api/tickets/{moved['id']}/transfer", json={"counter": 2}, headers=hall.headers("sup")
    )
    whole = numbers(hall, "counter=2&limit=500")
    assert len(whole) == 61
    assert whole[0] == moved["number"]  # sent to counter 2: called there first
    for limit in (1, 5, 17, 60):
        assert numbers(hall, f"counter=2&limit={limit}") == whole[:limit]
    assert numbers(hall, "counter=1&limit=7") == numbers(hall, "counter=1&limit=500")[:7]


def test_the_hall_wide_list_is_in_queue_order_and_bounded(hall: Hall) -> None:
    for _ in range(30):
        hall.issue("TP")
    hall.issue("DD")
    assert numbers(hall, "limit=3") == ["1001", "1002", "1003"]
    assert len(numbers(hall, "")) == 31  # the default bound is well above this


def test_a_list_too_long_to_ask_for_is_refused(hall: Hall) -> None:
    response = hall.client.get("/api/tickets?limit=100000", headers=hall.headers("lan"))
    assert response.status_code == 422


def test_desks_reading_at_one_version_of_the_hall_place_each_ticket_once(
    hall: Hall, monkeypatch: pytest.MonkeyPatch
) -> None:
    placed: list[int] = []
    place = ahead.places

    def counted(tickets: Sequence[Ticket], *args: Any) -> dict[int, ahead.Place]:
        placed.extend(t.id for t in tickets)
        return place(tickets, *args)

    monkeypatch.setattr(ahead, "places", counted)
    for _ in range(12):
        hall.issue("TP")
    first = [hall.client.get("/api/tickets?counter=1", headers=hall.headers("lan")).json()]
    placed.clear()
    # Every other desk over the same tickets, and the first again: nothing is placed anew.
    for counter in (2, 1):
        first.append(
            hall.client.get(f"/api/tickets?counter={counter}", headers=hall.headers("lan")).json()
        )
    assert placed == []
    assert first[0] == first[2]
    # One ticket more: a new version of the hall, so the list is placed again.
    hall.issue("TP")
    after = hall.client.get("/api/tickets?counter=1", headers=hall.headers("lan")).json()
    assert len(placed) == 1 + 13  # the new ticket for the kiosk's answer, then the list
    assert [t["waiting_ahead"] for t in after] == list(range(13))


def test_a_changed_copy_of_a_ticket_is_placed_anew(hall: Hall) -> None:
    for _ in range(3):
        hall.issue("TP")
    state = hall.client.app.state.motcua  # type: ignore[attr-defined]
    live = state.service.live
    last = live.waiting(first=10)[-1]
    assert live.places([last])[last.id].ahead == 2
    # The same ticket, as a priority one would be: not what was placed a moment ago.
    assert live.places([last.replace(priority=True)])[last.id].ahead == 0
