"""A ticket's life at the counters, over HTTP: recall, no-show, complete, transfer, walk-in,
calling a chosen ticket, pausing, who holds a counter, priority, and ratings."""

from __future__ import annotations

from typing import Any

import httpx

from tests.server.conftest import Hall


def post(hall: Hall, path: str, who: str = "lan", json: object = None) -> httpx.Response:
    return hall.client.post(path, json=json, headers=hall.headers(who))


def ticket(hall: Hall, ticket_id: object) -> dict[str, Any]:
    response = hall.client.get(f"/api/tickets/{ticket_id}", headers=hall.headers("display"))
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def counter(hall: Hall, number: int) -> dict[str, Any]:
    counters = hall.client.get("/api/counters", headers=hall.headers("display")).json()
    found: dict[str, Any] = next(c for c in counters if c["number"] == number)
    return found


def called_numbers(hall: Hall, counter: int, times: int, who: str = "lan") -> list[str]:
    numbers = []
    for _ in range(times):
        called = hall.call_next(counter, who)
        assert called is not None
        numbers.append(str(called["number"]))
    return numbers


# --- recall, no-show, complete -------------------------------------------------------------


def test_recall_announces_the_current_ticket_again_and_counts(hall: Hall) -> None:
    issued = hall.issue("TP")
    hall.call_next(1)
    first = post(hall, "/api/counters/1/recall")
    second = post(hall, "/api/counters/1/recall")
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["id"] == issued["id"]
    assert second.json()["status"] == "called"
    assert (first.json()["recalls"], second.json()["recalls"]) == (1, 2)


def test_recall_at_a_counter_that_called_nobody_is_409(hall: Hall) -> None:
    response = post(hall, "/api/counters/1/recall")
    assert response.status_code == 409
    assert "Quầy số 1" in response.json()["detail"]


def test_no_show_frees_the_counter(hall: Hall) -> None:
    issued = hall.issue("TP")
    hall.call_next(1)
    response = post(hall, f"/api/tickets/{issued['id']}/no-show")
    assert response.status_code == 200
    assert response.json()["status"] == "no_show"
    assert counter(hall, 1)["current_ticket"] is None


def test_complete_finishes_the_ticket_and_frees_the_counter(hall: Hall) -> None:
    issued = hall.issue("TP")
    hall.call_next(1)
    response = post(hall, f"/api/tickets/{issued['id']}/complete")
    assert response.status_code == 200
    assert response.json()["status"] == "done"
    assert counter(hall, 1)["current_ticket"] is None


def test_completing_a_waiting_ticket_is_409(hall: Hall) -> None:
    issued = hall.issue("TP")
    for action in ("complete", "no-show"):
        response = post(hall, f"/api/tickets/{issued['id']}/{action}")
        assert response.status_code == 409, action
        assert ticket(hall, issued["id"])["status"] == "waiting"


def test_a_finished_ticket_cannot_finish_twice(hall: Hall) -> None:
    issued = hall.issue("TP")
    hall.call_next(1)
    assert post(hall, f"/api/tickets/{issued['id']}/complete").status_code == 200
    assert post(hall, f"/api/tickets/{issued['id']}/complete").status_code == 409
    assert post(hall, f"/api/tickets/{issued['id']}/no-show").status_code == 409
    assert ticket(hall, issued["id"])["status"] == "done"


def test_a_supervisor_may_void_a_ticket_but_a_clerk_may_not(hall: Hall) -> None:
    issued = hall.issue("TP")
    assert post(hall, f"/api/tickets/{issued['id']}/cancel", "lan").status_code == 403
    response = post(hall, f"/api/tickets/{issued['id']}/cancel", "sup")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert hall.call_next(1) is None


# --- transfer ------------------------------------------------------------------------------


def test_transfer_to_a_service_goes_to_the_front_of_its_queue(hall: Hall) -> None:
    land = [hall.issue("DD"), hall.issue("DD")]
    citizen = hall.issue("TP")
    hall.call_next(1)
    response = post(hall, f"/api/tickets/{citizen['id']}/transfer", json={"service": "DD"})
    assert response.status_code == 200
    moved = response.json()
    assert (moved["id"], moved["number"]) == (citizen["id"], citizen["number"])
    assert (moved["status"], moved["service"]) == ("waiting", "DD")
    assert moved["waiting_ahead"] == 0
    assert counter(hall, 1)["current_ticket"] is None
    # Counter 3 serves land: it calls the transferred citizen before those already waiting.
    assert called_numbers(hall, 3, 3, "hung") == [
        citizen["number"],
        land[0]["number"],
        land[1]["number"],
    ]


def test_transfer_to_a_counter_lets_only_that_counter_call_it(hall: Hall) -> None:
    citizen = hall.issue("TP")
    other = hall.issue("TP")
    hall.call_next(1)
    response = post(hall, f"/api/tickets/{citizen['id']}/transfer", json={"counter": 3})
    assert response.status_code == 200
    moved = response.json()
    assert (moved["id"], moved["number"], moved["status"]) == (
        citizen["id"],
        citizen["number"],
        "waiting",
    )
    # Counters 1 and 2 serve TP, yet neither may call it: only counter 3.
    assert hall.call_next(1)["id"] == other["id"]  # type: ignore[index]
    assert hall.call_next(2, "hung") is None
    assert hall.call_next(1) is None
    called = hall.call_next(3, "sup")
    assert called is not None
    assert (called["id"], called["counter"]) == (citizen["id"], 3)


def test_a_counter_calls_what_was_transferred_to_it_first(hall: Hall) -> None:
    land = hall.issue("DD")
    citizen = hall.issue("TP")
    hall.call_next(1)
    post(hall, f"/api/tickets/{citizen['id']}/transfer", json={"counter": 3})
    assert called_numbers(hall, 3, 2, "hung") == [citizen["number"], land["number"]]


def test_transfer_needs_exactly_one_target(hall: Hall) -> None:
    citizen = hall.issue("TP")
    for body in ({}, {"service": "DD", "counter": 3}, {"service": None, "counter": None}):
        response = post(hall, f"/api/tickets/{citizen['id']}/transfer", json=body)
        assert response.status_code == 422, body


def test_transfer_to_an_unknown_target_is_404(hall: Hall) -> None:
    citizen = hall.issue("TP")
    assert (
        post(hall, f"/api/tickets/{citizen['id']}/transfer", json={"service": "XX"}).status_code
        == 404
    )
    assert (
        post(hall, f"/api/tickets/{citizen['id']}/transfer", json={"counter": 99}).status_code
        == 404
    )
    assert ticket(hall, citizen["id"])["status"] == "waiting"


def test_a_finished_ticket_cannot_be_transferred(hall: Hall) -> None:
    citizen = hall.issue("TP")
    hall.call_next(1)
    post(hall, f"/api/tickets/{citizen['id']}/complete")
    response = post(hall, f"/api/tickets/{citizen['id']}/transfer", json={"service": "DD"})
    assert response.status_code == 409
    assert ticket(hall, citizen["id"])["status"] == "done"


# --- walk-in and calling a chosen ticket ---------------------------------------------------


def test_a_walk_in_is_issued_and_called_at_once(hall: Hall) -> None:
    waiting = hall.issue("TP")
    response = post(hall, "/api/counters/1/walk-in", json={"service": "TP"})
    assert response.status_code == 201
    walk_in = response.json()
    assert (walk_in["status"], walk_in["counter"], walk_in["walk_in"]) == ("called", 1, True)
    assert walk_in["number"] == "1002"  # it takes the next number of the day
    assert counter(hall, 1)["current_ticket"]["id"] == walk_in["id"]
    assert ticket(hall, waiting["id"])["status"] == "waiting"


def test_a_walk_in_at_a_paused_counter_is_409(hall: Hall) -> None:
    post(hall, "/api/counters/1/pause", json={"reason": "Họp giao ban"})
    response = post(hall, "/api/counters/1/walk-in", json={"service": "TP"})
    assert response.status_code == 409
    assert hall.issue("TP")["number"] == "1001"  # no number was used


def test_a_counter_may_call_a_chosen_ticket_out_of_turn(hall: Hall) -> None:
    first, _, third = hall.issue("TP"), hall.issue("TP"), hall.issue("TP")
    response = post(hall, f"/api/counters/1/call/{third['id']}")
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["status"]) == (third["id"], "called")
    assert hall.call_next(1)["id"] == first["id"]  # type: ignore[index]
    assert ticket(hall, third["id"])["status"] == "done"


def test_calling_a_ticket_that_is_not_waiting_is_409(hall: Hall) -> None:
    issued = hall.issue("TP")
    hall.call_next(1)
    response = post(hall, f"/api/counters/2/call/{issued['id']}", "hung")
    assert response.status_code == 409
    assert ticket(hall, issued["id"])["counter"] == 1


def test_calling_an_unknown_ticket_is_404(hall: Hall) -> None:
    assert post(hall, "/api/counters/1/call/12345").status_code == 404


# --- pause, resume, and who holds a counter ------------------------------------------------


def test_a_paused_counter_calls_nobody_until_it_resumes(hall: Hall) -> None:
    hall.issue("TP")
    paused = post(hall, "/api/counters/1/pause", json={"reason": "Họp giao ban"})
    assert paused.status_code == 200
    assert (paused.json()["state"], paused.json()["pause_reason"]) == ("paused", "Họp giao ban")
    refused = post(hall, "/api/counters/1/call-next")
    assert refused.status_code == 409
    assert "tạm ngưng" in refused.json()["detail"]
    resumed = post(hall, "/api/counters/1/resume")
    assert resumed.status_code == 200
    assert resumed.json()["state"] == "open"
    assert hall.call_next(1) is not None


def test_resuming_a_counter_that_is_not_paused_is_409(hall: Hall) -> None:
    assert post(hall, "/api/counters/1/resume").status_code == 409


def test_a_pause_needs_a_reason(hall: Hall) -> None:
    assert post(hall, "/api/counters/1/pause", json={"reason": ""}).status_code == 422
    assert post(hall, "/api/counters/1/pause", json={}).status_code == 422
    assert counter(hall, 1)["state"] != "paused"


def test_a_clerk_cannot_act_at_a_counter_another_clerk_holds(hall: Hall) -> None:
    hall.issue("TP")
    hall.issue("TP")
    hall.call_next(1, "lan")
    for path, body in (
        ("/api/counters/1/call-next", None),
        ("/api/counters/1/recall", None),
        ("/api/counters/1/walk-in", {"service": "TP"}),
        ("/api/counters/1/pause", {"reason": "Nghỉ"}),
    ):
        response = post(hall, path, "hung", body)
        assert response.status_code == 409, path
        detail = response.json()["detail"]
        assert "Quầy số 1" in detail
        assert "phụ trách" in detail
        assert "Nguyễn Thị Lan" in detail  # her name, as colleagues know her
    assert counter(hall, 1)["current_ticket"]["number"] == "1001"
    # The clerk who holds it carries on.
    assert hall.call_next(1, "lan")["number"] == "1002"  # type: ignore[index]


def test_a_clerk_cannot_finish_a_ticket_at_another_clerks_counter(hall: Hall) -> None:
    issued = hall.issue("TP")
    hall.call_next(1, "lan")
    assert post(hall, f"/api/tickets/{issued['id']}/complete", "hung").status_code == 409
    assert post(hall, f"/api/tickets/{issued['id']}/no-show", "hung").status_code == 409
    assert ticket(hall, issued["id"])["status"] == "called"


def test_a_supervisor_may_act_at_any_counter(hall: Hall) -> None:
    hall.issue("TP")
    hall.issue("TP")
    hall.call_next(1, "lan")
    assert hall.call_next(1, "sup") is not None


# --- priority ------------------------------------------------------------------------------


def test_priority_tickets_are_called_first(hall: Hall) -> None:
    normal = hall.issue("TP")
    urgent = hall.issue("TP", priority=True)
    assert called_numbers(hall, 1, 2) == [urgent["number"], normal["number"]]


def test_after_three_priority_calls_a_waiting_normal_ticket_gets_its_turn(hall: Hall) -> None:
    normal = [hall.issue("TP") for _ in range(2)]
    urgent = [hall.issue("TP", priority=True) for _ in range(5)]
    order = called_numbers(hall, 1, 7)
    assert order == [
        urgent[0]["number"],
        urgent[1]["number"],
        urgent[2]["number"],
        normal[0]["number"],
        urgent[3]["number"],
        urgent[4]["number"],
        normal[1]["number"],
    ]


# --- ratings -------------------------------------------------------------------------------


def served(hall: Hall) -> dict[str, Any]:
    issued = hall.issue("TP")
    hall.call_next(1)
    done = post(hall, f"/api/tickets/{issued['id']}/complete")
    assert done.status_code == 200
    return issued


def test_a_done_ticket_can_be_rated_once(hall: Hall) -> None:
    issued = served(hall)
    response = post(hall, "/api/ratings", "rating", {"ticket_id": issued["id"], "score": 3})
    assert response.status_code == 201
    assert response.json()["ticket_id"] == issued["id"]
    assert response.json()["label"] == "Rất hài lòng"
    again = post(hall, "/api/ratings", "rating", {"ticket_id": issued["id"], "score": 1})
    assert again.status_code == 409
    assert isinstance(again.json()["detail"], str)


def test_a_kiosk_may_rate_too(hall: Hall) -> None:
    issued = served(hall)
    response = post(hall, "/api/ratings", "kiosk", {"ticket_id": issued["id"], "score": 1})
    assert response.status_code == 201
    assert response.json()["label"] == "Không hài lòng"


def test_only_a_done_ticket_can_be_rated(hall: Hall) -> None:
    waiting = hall.issue("TP")
    response = post(hall, "/api/ratings", "rating", {"ticket_id": waiting["id"], "score": 2})
    assert response.status_code == 409
    hall.call_next(1)
    response = post(hall, "/api/ratings", "rating", {"ticket_id": waiting["id"], "score": 2})
    assert response.status_code == 409
    post(hall, f"/api/tickets/{waiting['id']}/no-show")
    response = post(hall, "/api/ratings", "rating", {"ticket_id": waiting["id"], "score": 2})
    assert response.status_code == 409


def test_a_score_outside_the_sites_scale_is_422(hall: Hall) -> None:
    issued = served(hall)
    for score in (0, -1, 4, 5, 6, 10**30):
        response = post(hall, "/api/ratings", "rating", {"ticket_id": issued["id"], "score": score})
        assert response.status_code == 422, score
    # None of them counted: the ticket can still be rated.
    response = post(hall, "/api/ratings", "rating", {"ticket_id": issued["id"], "score": 2})
    assert response.status_code == 201


def test_rating_an_unknown_ticket_is_404(hall: Hall) -> None:
    response = post(hall, "/api/ratings", "rating", {"ticket_id": 4242, "score": 2})
    assert response.status_code == 404
