"""Today's figures at a counter, as the clerk's desk shows them."""

from __future__ import annotations

from tests.server.conftest import Hall


def stats(hall: Hall, counter: int, who: str) -> dict[str, object]:
    response = hall.client.get(f"/api/counters/{counter}/stats", headers=hall.headers(who))
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def post(hall: Hall, path: str, who: str = "lan", **body: object) -> dict[str, object]:
    response = hall.client.post(path, json=body or None, headers=hall.headers(who))
    assert response.status_code in (200, 201), response.text
    found: dict[str, object] = response.json()
    return found


def test_a_fresh_counter_has_served_nobody(hall: Hall) -> None:
    assert stats(hall, 1, "lan") == {
        "counter": 1,
        "clerk": "lan",
        "day": "2026-11-23",
        "served": 0,
        "no_shows": 0,
        "average_service_s": None,
        "ratings": 0,
        "satisfied": 0,
        "satisfaction_rate": None,
    }


def test_the_clerk_sees_served_no_shows_service_time_and_ratings(hall: Hall) -> None:
    for _ in range(3):
        hall.issue("TP")
    first = hall.call_next(1)
    hall.clock.advance(minutes=4)
    second = hall.call_next(1)  # completes the first after 4 minutes
    hall.clock.advance(minutes=6)
    assert first is not None
    assert second is not None
    post(hall, f"/api/tickets/{second['id']}/complete")
    third = hall.call_next(1)
    assert third is not None
    post(hall, f"/api/tickets/{third['id']}/no-show")
    post(hall, "/api/ratings", "rating", ticket_id=first["id"], score=3)
    post(hall, "/api/ratings", "rating", ticket_id=second["id"], score=1)

    figures = stats(hall, 1, "lan")
    assert (figures["served"], figures["no_shows"]) == (2, 1)
    assert figures["average_service_s"] == 300.0
    assert (figures["ratings"], figures["satisfied"], figures["satisfaction_rate"]) == (2, 1, 0.5)


def test_a_clerk_counts_only_their_own_work_and_a_supervisor_everyones(hall: Hall) -> None:
    hall.issue("TP")
    hall.issue("TP")
    called = hall.call_next(1, "lan")
    assert called is not None
    post(hall, f"/api/tickets/{called['id']}/complete")
    post(hall, "/api/counters/1/close")
    called = hall.call_next(1, "hung")
    assert called is not None
    post(hall, f"/api/tickets/{called['id']}/complete", "hung")

    assert stats(hall, 1, "lan")["served"] == 1
    assert stats(hall, 1, "hung")["served"] == 1
    everyone = stats(hall, 1, "sup")
    assert (everyone["served"], everyone["clerk"]) == (2, None)
    assert stats(hall, 2, "lan")["served"] == 0


def test_only_staff_and_counter_devices_read_the_figures(hall: Hall) -> None:
    for who, status in (("kiosk", 403), ("display", 403), ("counter", 200)):
        response = hall.client.get("/api/counters/1/stats", headers=hall.headers(who))
        assert response.status_code == status
    assert hall.client.get("/api/counters/1/stats").status_code == 401
    assert hall.client.get("/api/counters/9/stats", headers=hall.headers("lan")).status_code == 404
