"""A kiosk's retry with its Idempotency-Key gets its ticket, even after a transfer."""

from __future__ import annotations

from tests.server.conftest import Hall


def issue(hall: Hall, key: str, service: str) -> tuple[int, dict[str, object]]:
    response = hall.client.post(
        "/api/tickets",
        json={"service": service},
        headers={**hall.headers("kiosk"), "Idempotency-Key": key},
    )
    return response.status_code, response.json()


def test_a_retry_after_the_ticket_was_transferred_returns_the_same_ticket(hall: Hall) -> None:
    status, first = issue(hall, "kiosk-1-0042", "TP")
    assert status == 201
    hall.call_next(1)
    response = hall.client.post(
        f"/api/tickets/{first['id']}/transfer", json={"service": "DD"}, headers=hall.headers("lan")
    )
    assert response.status_code == 200, response.text

    status, again = issue(hall, "kiosk-1-0042", "TP")
    assert status == 201, again
    assert (again["id"], again["number"], again["service"]) == (first["id"], first["number"], "DD")
    # The key still stands for the request it was first sent with, not another.
    status, other = issue(hall, "kiosk-1-0042", "DD")
    assert status == 422, other
