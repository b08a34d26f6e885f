"""A clerk's list is the front of the counter's call order, and costs what its length
costs, not what the queue's does (issue #15)."""

from __future__ import annotations

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
