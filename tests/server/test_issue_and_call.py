from tests.server.conftest import Hall


def test_numbers_run_per_service_from_one(hall: Hall) -> None:
    assert [hall.issue("TP")["number"] for _ in range(3)] == ["1001", "1002", "1003"]
    assert hall.issue("DD")["number"] == "2001"


def test_a_new_ticket_says_how_many_wait_ahead_and_how_long(hall: Hall) -> None:
    hall.issue("TP")
    hall.issue("TP")
    third = hall.issue("TP")
    assert third["waiting_ahead"] == 2
    # Counter 1 serves TP alone, counter 2 shares its time with DD: 1.5 counters' worth
    # (none open yet: those that will). The configured average is 10 minutes: 2 × 10 / 1.5.
    assert third["estimated_wait_minutes"] == 14


def test_call_next_completes_the_current_ticket_and_calls_the_oldest(hall: Hall) -> None:
    first, second = hall.issue("TP"), hall.issue("TP")
    called = hall.call_next(1)
    assert called is not None
    assert (called["id"], called["status"], called["counter"]) == (first["id"], "called", 1)
    hall.call_next(1)
    done = hall.client.get(f"/api/tickets/{first['id']}", headers=hall.headers("kiosk")).json()
    assert done["status"] == "done"
    counters = hall.client.get("/api/counters", headers=hall.headers("display")).json()
    assert counters[0]["current_ticket"]["id"] == second["id"]
    assert counters[0]["clerk"] == "Nguyễn Thị Lan"


def test_call_next_answers_204_when_nobody_waits(hall: Hall) -> None:
    assert hall.call_next(1) is None


def test_times_are_shown_in_vietnam_time(hall: Hall) -> None:
    assert str(hall.issue()["issued_at"]).endswith("+07:00")


def test_a_counters_list_is_in_the_order_it_will_call(hall: Hall) -> None:
    normal = hall.issue("TP")
    urgent = hall.issue("TP", priority=True)
    listed = hall.client.get("/api/tickets?counter=1", headers=hall.headers("lan")).json()
    assert [t["id"] for t in listed] == [urgent["id"], normal["id"]]
    called = hall.call_next(1)
    assert called is not None
    assert called["id"] == listed[0]["id"]


def test_a_body_is_read_strictly_not_guessed(hall: Hall) -> None:
    for body in ({"service": "TP", "priority": "yes"}, {"service": "TP", "priority": 1}):
        response = hall.client.post("/api/tickets", json=body, headers=hall.headers("kiosk"))
        assert response.status_code == 422, body
    services = hall.client.get("/api/services", headers=hall.headers("kiosk")).json()
    assert services[0]["issued_today"] == 0
