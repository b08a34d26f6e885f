"""A citizen who came late, over HTTP: a no-show taken back within minutes at its counter,
or the ticket put back first in its service's queue; and every refusal as 4xx JSON."""

from __future__ import annotations

from typing import Any

import httpx

from queue_core.dispatch import UNDO_NO_SHOW_WINDOW
from queue_core.protocol import TicketCalled, TicketRequeued, parse_event
from tests.server.conftest import Hall
from tests.server.test_event_stream import receive_snapshot, receive_text
from tests.server.test_transitions_http import counter, post, ticket


def absent_at(hall: Hall, number: int, who: str = "lan", service: str = "TP") -> dict[str, Any]:
    """A ticket of `service` called at counter `number` by `who` and marked absent."""
    issued = hall.issue(service)
    called = hall.call_next(number, who)
    assert called is not None
    assert called["id"] == issued["id"]
    hall.clock.advance(seconds=90)
    response = post(hall, f"/api/tickets/{issued['id']}/no-show", who)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def assert_refused(response: httpx.Response, status: int, words: str) -> None:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert words in detail, detail


# --- undo --------------------------------------------------------------------------------


def test_undo_within_the_window_puts_the_citizen_back_at_the_counter(hall: Hall) -> None:
    gone = absent_at(hall, 1)
    hall.clock.advance(minutes=3)
    response = post(hall, f"/api/tickets/{gone['id']}/undo-no-show")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["id"], body["number"], body["status"]) == (gone["id"], gone["number"], "called")
    assert body["called_at"] == gone["called_at"]
    assert body["finished_at"] is None
    assert counter(hall, 1)["current_ticket"]["id"] == gone["id"]
    # The counter goes on as usual: completing it frees the counter.
    assert post(hall, f"/api/tickets/{gone['id']}/complete").json()["status"] == "done"


def test_undo_is_announced_as_a_call_at_its_counter(hall: Hall) -> None:
    gone = absent_at(hall, 1)
    query = f"token={hall.tokens['display']}"
    with hall.client.websocket_connect(f"/ws/events?{query}") as ws:
        receive_snapshot(ws)
        assert post(hall, f"/api/tickets/{gone['id']}/undo-no-show").status_code == 200
        event = parse_event(receive_text(ws))
    assert isinstance(event, TicketCalled)
    assert (event.ticket.id, event.counter) == (gone["id"], 1)


def test_undo_after_the_window_is_409_and_changes_nothing(hall: Hall) -> None:
    gone = absent_at(hall, 1)
    hall.clock.advance(seconds=UNDO_NO_SHOW_WINDOW.total_seconds() + 1)
    response = post(hall, f"/api/tickets/{gone['id']}/undo-no-show")
    assert_refused(response, 409, "Đã quá 5 phút")
    assert ticket(hall, gone["id"])["status"] == "no_show"
    assert counter(hall, 1)["current_ticket"] is None


def test_undo_from_another_counter_is_refused(hall: Hall) -> None:
    gone = absent_at(hall, 1, "lan")
    # Hùng holds counter 2: the ticket was marked at counter 1, held by Lan.
    hall.call_next(2, "hung")
    response = post(hall, f"/api/tickets/{gone['id']}/undo-no-show", "hung")
    assert_refused(response, 409, "Nguyễn Thị Lan")
    assert ticket(hall, gone["id"])["status"] == "no_show"


def test_undo_while_the_counter_serves_the_next_citizen_waits_for_its_completion(
    hall: Hall,
) -> None:
    gone = absent_at(hall, 1)
    nxt = hall.issue("TP")
    hall.call_next(1)
    response = post(hall, f"/api/tickets/{gone['id']}/undo-no-show")
    assert_refused(response, 409, f"đang phục vụ số {nxt['number']}")
    assert post(hall, f"/api/tickets/{nxt['id']}/complete").status_code == 200
    assert post(hall, f"/api/tickets/{gone['id']}/undo-no-show").status_code == 200


def test_undo_of_a_ticket_that_is_not_a_no_show_is_409(hall: Hall) -> None:
    waiting = hall.issue("TP")
    assert_refused(post(hall, f"/api/tickets/{waiting['id']}/undo-no-show"), 409, "chưa được gọi")
    hall.call_next(1)
    assert_refused(post(hall, f"/api/tickets/{waiting['id']}/undo-no-show"), 409, "hoàn tác")


def test_undo_of_an_unknown_ticket_is_404_and_needs_staff(hall: Hall) -> None:
    assert_refused(post(hall, "/api/tickets/9999/undo-no-show"), 404, "9999")
    gone = absent_at(hall, 1)
    response = post(hall, f"/api/tickets/{gone['id']}/undo-no-show", "kiosk")
    assert response.status_code == 403
    assert "detail" in response.json()


# --- requeue ------------------------------------------------------------------------------


def test_requeue_puts_the_late_citizen_first_in_its_service_queue(hall: Hall) -> None:
    gone = absent_at(hall, 1)
    others = [hall.issue("TP"), hall.issue("TP")]
    hall.clock.advance(minutes=40)  # long past the undo window: the same day still
    response = post(hall, f"/api/tickets/{gone['id']}/requeue")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["id"], body["number"], body["status"]) == (gone["id"], gone["number"], "waiting")
    assert (body["counter"], body["called_at"], body["waiting_ahead"]) == (None, None, 0)
    queue = hall.client.get("/api/tickets?counter=2", headers=hall.headers("lan")).json()
    assert [t["id"] for t in queue] == [gone["id"], others[0]["id"], others[1]["id"]]
    # Any counter of the service calls it next: Hùng at counter 2.
    called = hall.call_next(2, "hung")
    assert called is not None
    assert called["id"] == gone["id"]


def test_requeue_is_its_own_event(hall: Hall) -> None:
    gone = absent_at(hall, 1)
    with hall.client.websocket_connect(f"/ws/events?token={hall.tokens['display']}") as ws:
        receive_snapshot(ws)
        assert post(hall, f"/api/tickets/{gone['id']}/requeue").status_code == 200
        event = parse_event(receive_text(ws))
    assert isinstance(event, TicketRequeued)
    assert (event.ticket.id, event.ticket.status, event.counter) == (gone["id"], "waiting", None)
    assert event.from_counter == 1


def test_requeue_by_a_clerk_whose_counter_does_not_serve_the_service_is_409(hall: Hall) -> None:
    gone = absent_at(hall, 1, "lan", "TP")
    hall.issue("DD")
    hall.call_next(3, "hung")  # Hùng holds counter 3: Đất đai only
    response = post(hall, f"/api/tickets/{gone['id']}/requeue", "hung")
    assert_refused(response, 409, "không phục vụ")
    response = post(hall, f"/api/tickets/{gone['id']}/requeue", "hung", {"counter": 3})
    assert_refused(response, 409, "không phục vụ")
    assert ticket(hall, gone["id"])["status"] == "no_show"


def test_requeue_by_a_clerk_at_no_counter_is_409(hall: Hall) -> None:
    gone = absent_at(hall, 1, "lan")
    response = post(hall, f"/api/tickets/{gone['id']}/requeue", "hung")
    assert_refused(response, 409, "mở quầy")


def test_requeue_by_a_supervisor_needs_no_counter(hall: Hall) -> None:
    gone = absent_at(hall, 1, "lan")
    response = post(hall, f"/api/tickets/{gone['id']}/requeue", "sup")
    assert response.status_code == 200
    assert response.json()["status"] == "waiting"


def test_requeue_of_yesterdays_no_show_is_409(hall: Hall) -> None:
    gone = absent_at(hall, 1, "lan")
    hall.clock.advance(days=1)  # staff tokens are over by then; a counter device's is not
    response = post(hall, f"/api/tickets/{gone['id']}/requeue", "counter")
    assert_refused(response, 409, "ngày khác")


def test_requeue_of_a_ticket_that_is_not_a_no_show_is_409(hall: Hall) -> None:
    waiting = hall.issue("TP")
    hall.call_next(1)
    assert_refused(post(hall, f"/api/tickets/{waiting['id']}/requeue"), 409, "hàng chờ")


def test_requeue_with_a_malformed_body_is_422(hall: Hall) -> None:
    gone = absent_at(hall, 1, "lan")
    for body in ({"counter": 0}, {"counter": "một"}, {"other": 1}, [1]):
        response = post(hall, f"/api/tickets/{gone['id']}/requeue", json=body)
        assert response.status_code == 422, body
        assert "detail" in response.json()
    assert ticket(hall, gone["id"])["status"] == "no_show"
