"""Ratings cannot be forged by typing numbers (issue 11): a device rates a ticket by its id
only within minutes of its completion; the citizen holding the ticket's follow code (its QR
code, at the kiosk's scanner or on a phone) rates all of its day. Real app, real SQLite."""

from __future__ import annotations

from datetime import timedelta

from queue_core.rating import DEVICE_RATING_WINDOW
from tests.server.conftest import Hall
from tests.server.test_follow_rating import issue, rate, ratings, serve

MINUTE = timedelta(minutes=1)


def rate_by_id(hall: Hall, who: str, ticket_id: int, **extra: object) -> int:
    response = hall.client.post(
        "/api/ratings",
        json={"ticket_id": ticket_id, "score": 3, **extra},
        headers=hall.headers(who),
    )
    assert response.headers["content-type"] == "application/json", response.text
    assert "detail" in response.json() or response.status_code == 201
    return response.status_code


def test_a_kiosk_cannot_rate_the_days_visits_by_typing_their_ids(hall: Hall) -> None:
    visits = [issue(hall) for _ in range(10)]
    for _ in visits:
        serve(hall)
    hall.clock.advance(seconds=(DEVICE_RATING_WINDOW + MINUTE).total_seconds())
    assert [rate_by_id(hall, "kiosk", ticket_id) for ticket_id, _ in visits] == [409] * 10
    assert [rate_by_id(hall, "rating", ticket_id) for ticket_id, _ in visits] == [409] * 10
    assert ratings(hall) == []
    # The citizens, holding their tickets, still rate their own visits.
    for _, code in visits:
        assert rate(hall, code)[0] == 303
    assert len(ratings(hall)) == 10


def test_the_counters_tablet_rates_right_after_completion(hall: Hall) -> None:
    ticket_id, _ = issue(hall)
    serve(hall)
    hall.clock.advance(seconds=(DEVICE_RATING_WINDOW - MINUTE).total_seconds())
    assert rate_by_id(hall, "rating", ticket_id) == 201


def test_the_follow_code_rates_all_day_and_only_its_own_ticket(hall: Hall) -> None:
    first, first_code = issue(hall)
    _second, second_code = issue(hall)
    third, third_code = issue(hall)
    for _ in range(3):
        serve(hall)
    hall.clock.advance(hours=3)
    assert rate_by_id(hall, "kiosk", first) == 409
    # Another ticket's code, or a made-up one, is no credential for this ticket.
    assert rate_by_id(hall, "kiosk", first, follow_code=second_code) == 404
    assert rate_by_id(hall, "kiosk", first, follow_code="khongphaima") == 404
    assert rate_by_id(hall, "kiosk", first, follow_code=first_code) == 201
    assert rate_by_id(hall, "kiosk", first, follow_code=first_code) == 409  # once
    assert rate(hall, second_code)[0] == 303
    # The next day a code rates no more, as the follow page's form does not.
    hall.clock.advance(hours=24)
    assert rate_by_id(hall, "kiosk", third, follow_code=third_code) == 409
    assert rate(hall, third_code)[0] == 409


def test_the_kiosk_finds_todays_ticket_by_its_follow_code(hall: Hall) -> None:
    ticket_id, code = issue(hall)

    def found(code: str) -> list[int]:
        response = hall.client.get(
            "/api/tickets", params={"follow_code": code}, headers=hall.headers("kiosk")
        )
        assert response.status_code == 200, response.text
        return [t["id"] for t in response.json()]

    assert found(code) == [ticket_id]
    assert found("khongphaima") == []
    bad = hall.client.get(
        "/api/tickets", params={"follow_code": "<b>"}, headers=hall.headers("kiosk")
    )
    assert bad.status_code == 422
    hall.clock.advance(hours=24)
    assert found(code) == []
