"""People ahead and the wait estimate, through the real app on a real SQLite file.

The hall (see conftest): counter 1 serves TP, counter 2 serves TP then DD, counter 3 DD.
"""

from __future__ import annotations

from tests.server.conftest import Hall


def ahead_everywhere(hall: Hall, ticket_id: object) -> tuple[int, int, bool]:
    """The figure from the API, from the list a counter shows, and on the follow page."""
    api = hall.client.get(f"/api/tickets/{ticket_id}", headers=hall.headers("kiosk")).json()
    listed = hall.client.get("/api/tickets?counter=1", headers=hall.headers("lan")).json()
    in_list = next(t["waiting_ahead"] for t in listed if t["id"] == ticket_id)
    page = hall.client.get(f"/t/{ticket_id}").text
    figure = int(api["waiting_ahead"])
    shown = (
        "Số người chờ trước Ông/Bà: <b>" + str(figure) + "</b>" in page
        if figure
        else "Không có người chờ trước Ông/Bà" in page
    )
    return figure, int(in_list), shown


def test_a_priority_ticket_behind_five_ordinary_ones_is_told_it_is_next(hall: Hall) -> None:
    for _ in range(5):
        hall.issue("TP")
    urgent = hall.issue("TP", priority=True)
    assert urgent["waiting_ahead"] == 0
    assert urgent["estimated_wait_minutes"] == 0
    assert ahead_everywhere(hall, urgent["id"]) == (0, 0, True)
    called = hall.call_next(1)
    assert called is not None
    assert called["id"] == urgent["id"]


def test_an_ordinary_ticket_counts_priority_tickets_that_came_after_it(hall: Hall) -> None:
    mine = hall.issue("TP")
    assert mine["waiting_ahead"] == 0
    later = [hall.issue("TP", priority=True) for _ in range(2)]
    assert ahead_everywhere(hall, mine["id"]) == (2, 2, True)
    # Each call before it was one of those counted.
    assert [hall.call_next(1)["id"] for _ in range(2)] == [t["id"] for t in later]  # type: ignore[index]
    assert ahead_everywhere(hall, mine["id"]) == (0, 0, True)


def test_the_figure_follows_each_counter_s_priority_streak(hall: Hall) -> None:
    # Counter 1 calls three priority tickets in a row: the ratio (3) is used up there.
    for _ in range(3):
        hall.issue("TP", priority=True)
    for _ in range(3):
        hall.call_next(1)
    normal = hall.issue("TP")
    urgent = hall.issue("TP", priority=True)
    # Counter 1 (open, streak 3) would call the normal ticket first; counter 2 is closed.
    assert urgent["waiting_ahead"] == 1
    assert normal["waiting_ahead"] == 0
    # Once counter 2 (streak 0) is staffed, the urgent ticket is next there.
    hall.client.post("/api/counters/2/open", headers=hall.headers("hung"))
    assert ahead_everywhere(hall, urgent["id"])[0] == 0


def test_one_quick_early_case_does_not_collapse_the_wait_estimate(hall: Hall) -> None:
    first = hall.issue("TP")
    hall.call_next(1)
    hall.clock.advance(seconds=30)
    done = hall.client.post(f"/api/tickets/{first['id']}/complete", headers=hall.headers("lan"))
    assert done.status_code == 200, done.text
    hall.issue("TP")
    third = hall.issue("TP")
    # One counter open (1); typical TP time: (5 × 600 s + 1 × 30 s) / 6 = 505 s;
    # one ahead → 505 s → 9 minutes. The day's mean alone promised 1 minute.
    assert third["waiting_ahead"] == 1
    assert third["estimated_wait_minutes"] == 9
    services = hall.client.get("/api/services", headers=hall.headers("kiosk")).json()
    tp = next(s for s in services if s["code"] == "TP")
    assert tp["estimated_wait_minutes"] == 17  # two waiting: 1010 s


def test_a_ticket_sent_to_one_counter_waits_for_that_counter_alone(hall: Hall) -> None:
    moved = hall.issue("DD")
    for _ in range(4):
        hall.issue("TP")
    assert hall.call_next(3, "hung") is not None
    assert hall.call_next(1) is not None
    response = hall.client.post(
        f"/api/tickets/{moved['id']}/transfer", json={"counter": 1}, headers=hall.headers("hung")
    )
    assert response.status_code == 200, response.text
    assert response.json()["waiting_ahead"] == 0
    # Counter 1 (the only one open for TP) calls it first, then the three TP tickets.
    queued = hall.client.get("/api/tickets?counter=1", headers=hall.headers("lan")).json()
    assert queued[0]["id"] == moved["id"]
    assert [t["waiting_ahead"] for t in queued] == [0, 1, 2, 3]
