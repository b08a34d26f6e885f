"""An Idempotency-Key is the sender's own: another device's key never returns its ticket,
and an empty key is no key."""

from __future__ import annotations

import pytest

from tests.server.conftest import Hall


def issue(hall: Hall, who: str, key: str) -> tuple[int, dict[str, object]]:
    response = hall.client.post(
        "/api/tickets",
        json={"service": "TP"},
        headers={**hall.headers(who), "Idempotency-Key": key},
    )
    return response.status_code, response.json()


def test_the_same_key_from_two_senders_gives_each_its_own_ticket(hall: Hall) -> None:
    status, from_kiosk = issue(hall, "kiosk", "cham-0001")
    assert status == 201
    status, from_clerk = issue(hall, "lan", "cham-0001")
    assert status == 201
    assert from_clerk["id"] != from_kiosk["id"]
    assert from_clerk["number"] != from_kiosk["number"]
    # Each sender's retry still returns its own ticket.
    assert issue(hall, "kiosk", "cham-0001")[1]["id"] == from_kiosk["id"]
    assert issue(hall, "lan", "cham-0001")[1]["id"] == from_clerk["id"]


@pytest.mark.parametrize("key", ["", " ", "\t"])
def test_an_empty_or_blank_key_is_refused_and_issues_nothing(hall: Hall, key: str) -> None:
    waiting = hall.client.get("/api/services", headers=hall.headers("kiosk")).json()
    status, body = issue(hall, "kiosk", key)
    assert status == 422
    assert "detail" in body
    assert hall.client.get("/api/services", headers=hall.headers("kiosk")).json() == waiting


def test_a_key_is_remembered_for_its_day(hall: Hall) -> None:
    """A retry comes within seconds; the next day the same key is a new touch (yesterday's
    ticket expired at midnight), answered from the writer's memory of the day's keys."""
    status, monday = issue(hall, "kiosk", "cham-0002")
    assert status == 201
    assert issue(hall, "kiosk", "cham-0002")[1]["id"] == monday["id"]
    hall.clock.advance(days=1)
    status, tuesday = issue(hall, "kiosk", "cham-0002")
    assert status == 201
    assert tuesday["id"] != monday["id"]
    assert tuesday["number"] == "1001"  # the first of the new day
    assert issue(hall, "kiosk", "cham-0002")[1]["id"] == tuesday["id"]
