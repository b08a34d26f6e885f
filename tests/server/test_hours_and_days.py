"""Issuing hours, the daily cap and the day change, told by a frozen clock.

Times below are written in Hồ Chí Minh City time (UTC+7), as the hall lives them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from queue_core.clock import FrozenClock
from tests.server.conftest import PASSWORDS, Hall, open_hall

VN = timezone(timedelta(hours=7))

HOURS_SITE = """
[site]
name = "Trung tâm Phục vụ hành chính công xã Giờ Giấc"

[site.hours]
default = ["07:30-11:30", "13:30-17:00"]
sat = ["07:30-11:30"]
sun = []
closed_dates = ["2026-11-25"]

[[services]]
code = "TP"
name = "Tư pháp – Hộ tịch"
prefix = "1"
digits = 3

[[services]]
code = "DD"
name = "Đất đai"
prefix = "2"
digits = 3
daily_cap = 3

[[services]]
code = "TR"
name = "Trả kết quả"
prefix = "A"
digits = 3

[services.hours]
default = ["13:30-17:00"]

[[counters]]
number = 1
name = "Quầy 1"
services = ["TP", "TR"]

[[counters]]
number = 2
name = "Quầy 2"
services = ["DD"]
"""


def vn(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A moment of 2026 in Vietnam time (23/11/2026 is a Monday)."""
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


@pytest.fixture
def timed_hall(tmp_path: Path) -> Iterator[Hall]:
    """A hall whose services issue numbers only in office hours."""
    yield from open_hall(tmp_path / "timed", HOURS_SITE, FrozenClock(vn(23, 9)))


def issue(hall: Hall, service: str = "TP") -> Any:
    return hall.client.post(
        "/api/tickets", json={"service": service}, headers=hall.headers("kiosk")
    )


def ticket(hall: Hall, ticket_id: object) -> dict[str, Any]:
    body: dict[str, Any] = hall.client.get(
        f"/api/tickets/{ticket_id}", headers=hall.headers("display")
    ).json()
    return body


def sign_in(hall: Hall, username: str) -> None:
    """A clerk's token lasts a working day: the next morning they sign in again."""
    response = hall.client.post(
        "/api/auth/token", data={"username": username, "password": PASSWORDS[username]}
    )
    assert response.status_code == 200
    hall.tokens[username] = response.json()["access_token"]


def services(hall: Hall) -> dict[str, dict[str, Any]]:
    listed = hall.client.get("/api/services", headers=hall.headers("display")).json()
    return {s["code"]: s for s in listed}


# --- issuing hours -------------------------------------------------------------------------


def test_numbers_are_issued_within_the_hours(timed_hall: Hall) -> None:
    assert issue(timed_hall).status_code == 201
    timed_hall.clock.set(vn(23, 7, 30))
    assert issue(timed_hall).status_code == 201


@pytest.mark.parametrize(
    ("now", "opens_at"),
    [
        (vn(23, 11, 30), vn(23, 13, 30)),  # lunch: a window's end is already closed
        (vn(23, 12, 15), vn(23, 13, 30)),
        (vn(23, 6, 0), vn(23, 7, 30)),  # before the doors open
        (vn(23, 17, 0), vn(24, 7, 30)),  # evening: tomorrow morning
        (vn(24, 17, 30), vn(26, 7, 30)),  # the 25th is a holiday
        (vn(28, 13, 30), vn(30, 7, 30)),  # Saturday afternoon and Sunday are closed
        (vn(29, 10, 0), vn(30, 7, 30)),
    ],
)
def test_outside_the_hours_issuing_is_409_saying_when_it_opens(
    timed_hall: Hall, now: datetime, opens_at: datetime
) -> None:
    timed_hall.clock.set(now)
    response = issue(timed_hall)
    assert response.status_code == 409
    body = response.json()
    assert datetime.fromisoformat(body["opens_at"]) == opens_at
    assert body["opens_at"].endswith("+07:00")
    assert "hết giờ lấy số" in body["detail"]
    assert f"{opens_at:%H:%M}" in body["detail"]


def test_a_service_may_keep_hours_of_its_own(timed_hall: Hall) -> None:
    morning = issue(timed_hall, "TR")
    assert morning.status_code == 409
    assert datetime.fromisoformat(morning.json()["opens_at"]) == vn(23, 13, 30)
    timed_hall.clock.set(vn(23, 14, 0))
    response = issue(timed_hall, "TR")
    assert response.status_code == 201
    assert response.json()["number"] == "A001"


def test_the_services_list_says_which_are_closed_and_until_when(timed_hall: Hall) -> None:
    listed = services(timed_hall)
    assert (listed["TP"]["open"], listed["TR"]["open"]) == (True, False)
    assert datetime.fromisoformat(listed["TR"]["opens_at"]) == vn(23, 13, 30)
    timed_hall.clock.set(vn(23, 12, 0))
    assert services(timed_hall)["TP"]["open"] is False


def test_a_refused_number_is_not_used_up(timed_hall: Hall) -> None:
    timed_hall.clock.set(vn(23, 12, 0))
    assert issue(timed_hall).status_code == 409
    timed_hall.clock.set(vn(23, 13, 30))
    assert issue(timed_hall).json()["number"] == "1001"


def test_a_walk_in_is_served_outside_the_hours(timed_hall: Hall) -> None:
    timed_hall.clock.set(vn(23, 12, 0))
    response = timed_hall.client.post(
        "/api/counters/1/walk-in", json={"service": "TP"}, headers=timed_hall.headers("lan")
    )
    assert response.status_code == 201
    assert response.json()["status"] == "called"


# --- the daily cap -------------------------------------------------------------------------


def test_past_the_daily_cap_issuing_is_409_out_of_numbers(hall: Hall) -> None:
    assert [hall.issue("DD")["number"] for _ in range(3)] == ["2001", "2002", "2003"]
    response = hall.client.post(
        "/api/tickets", json={"service": "DD"}, headers=hall.headers("kiosk")
    )
    assert response.status_code == 409
    assert "hết số" in response.json()["detail"]
    assert "Đất đai" in response.json()["detail"]
    listed = services(hall)
    assert listed["DD"]["open"] is False
    assert listed["TP"]["open"] is True
    assert hall.issue("TP")["number"] == "1001"  # other services go on


def test_the_cap_counts_numbers_issued_not_citizens_waiting(hall: Hall) -> None:
    for _ in range(3):
        hall.issue("DD")
        hall.call_next(3)
    hall.call_next(3)
    response = hall.client.post(
        "/api/tickets", json={"service": "DD"}, headers=hall.headers("kiosk")
    )
    assert response.status_code == 409


def test_the_cap_is_renewed_the_next_day(hall: Hall) -> None:
    for _ in range(3):
        hall.issue("DD")
    hall.clock.set(vn(24, 0, 0))
    assert hall.issue("DD")["number"] == "2001"


# --- the day change ------------------------------------------------------------------------


def test_numbering_restarts_at_midnight_in_vietnam(hall: Hall) -> None:
    hall.clock.set(vn(23, 23, 59))  # 16:59 UTC
    assert [hall.issue("TP")["number"] for _ in range(2)] == ["1001", "1002"]
    hall.clock.advance(minutes=1)  # 17:00 UTC: 00:00 on Tuesday in Hồ Chí Minh City
    assert hall.issue("TP")["number"] == "1001"
    assert hall.issue("DD")["number"] == "2001"


def test_numbering_does_not_restart_at_midnight_utc(hall: Hall) -> None:
    hall.clock.set(datetime(2026, 11, 23, 23, 59, tzinfo=UTC))  # 06:59 on Tuesday
    assert hall.issue("TP")["number"] == "1001"
    hall.clock.advance(minutes=2)  # 00:01 UTC: still the same day in the hall
    assert hall.issue("TP")["number"] == "1002"


def test_yesterdays_open_tickets_expire_at_the_day_change(hall: Hall) -> None:
    waiting, at_counter = hall.issue("TP"), hall.issue("TP")
    hall.call_next(1)  # `waiting` is at counter 1 now
    called_id = waiting["id"]
    still_waiting = at_counter
    hall.clock.set(vn(24, 0, 1))
    hall.issue("DD")  # any write sweeps first
    sign_in(hall, "lan")
    assert ticket(hall, still_waiting["id"])["status"] == "expired"
    assert ticket(hall, called_id)["status"] == "expired"
    counters = hall.client.get("/api/counters", headers=hall.headers("display")).json()
    assert counters[0]["current_ticket"] is None
    assert services(hall)["TP"]["waiting"] == 0
    assert hall.call_next(1) is None  # nobody from yesterday is called today


def test_finished_tickets_keep_their_status_across_the_day_change(hall: Hall) -> None:
    done = hall.issue("TP")
    hall.call_next(1)
    hall.call_next(1)
    hall.clock.set(vn(24, 8, 0))
    hall.issue("TP")
    assert ticket(hall, done["id"])["status"] == "done"


def test_yesterdays_done_ticket_is_past_its_rating_window(hall: Hall) -> None:
    done = hall.issue("TP")
    hall.call_next(1)
    hall.call_next(1)
    hall.clock.set(vn(24, 8, 0))
    response = hall.client.post(
        "/api/ratings", json={"ticket_id": done["id"], "score": 2}, headers=hall.headers("rating")
    )
    assert response.status_code == 409  # a device rates within minutes of completion (#11)


def test_the_sweep_happens_before_the_first_command_of_the_day(hall: Hall) -> None:
    yesterday = hall.issue("TP")
    hall.clock.set(vn(24, 7, 30))
    # The first write of the day is a call: it must not call yesterday's citizen.
    assert hall.call_next(1, "counter") is None
    assert ticket(hall, yesterday["id"])["status"] == "expired"


def test_the_next_working_day_in_a_timed_hall(timed_hall: Hall) -> None:
    first = issue(timed_hall).json()
    timed_hall.clock.set(vn(24, 7, 30))
    today = issue(timed_hall)
    assert today.status_code == 201
    assert today.json()["number"] == "1001"
    assert ticket(timed_hall, first["id"])["status"] == "expired"


def test_counters_left_open_yesterday_are_closed_at_the_day_change(hall: Hall) -> None:
    opened = hall.client.post("/api/counters/1/open", headers=hall.headers("lan"))
    assert opened.status_code == 200
    hall.clock.set(vn(24, 7, 0))
    hall.issue("TP")  # the first write of the day sweeps
    counters = hall.client.get("/api/counters", headers=hall.headers("display")).json()
    assert (counters[0]["state"], counters[0]["clerk"]) == ("closed", None)
    changes = [
        e for e in _events(hall) if e["type"] == "counter.updated" and e["counter"]["number"] == 1
    ]
    assert changes[-1]["counter"]["state"] == "closed"


def test_a_restart_during_the_day_leaves_todays_counters_open(hall: Hall, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from queue_server.app import create_app
    from queue_server.settings import Settings

    opened = hall.client.post("/api/counters/1/open", headers=hall.headers("lan"))
    assert opened.status_code == 200
    # The same data, opened again by a second server process on the same day.
    app = create_app(Settings(data_dir=hall.data_dir), clock=hall.clock)
    with TestClient(app) as again:
        counters = again.get("/api/counters", headers=hall.headers("display")).json()
        again.post("/api/tickets", json={"service": "DD"}, headers=hall.headers("kiosk"))
        counters = again.get("/api/counters", headers=hall.headers("display")).json()
    assert (counters[0]["state"], counters[0]["clerk"]) == ("open", "Nguyễn Thị Lan")


def _events(hall: Hall) -> list[dict[str, Any]]:
    import json

    from queue_server.store import connect

    store = connect(hall.data_dir)
    try:
        return [json.loads(body) for _, _, body in store.events_after(0, 100_000)]
    finally:
        store.close()
