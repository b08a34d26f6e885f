"""The public follow page of a ticket's QR code, and finding today's ticket by its number."""

from __future__ import annotations

from tests.server.conftest import Hall


def test_the_follow_page_needs_no_token_and_shows_where_the_ticket_stands(hall: Hall) -> None:
    hall.issue("TP")
    mine = hall.issue("TP")
    page = hall.client.get(f"/t/{mine['id']}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "1002" in text
    assert "Tư pháp – Hộ tịch" in text
    assert "Đang chờ đến lượt" in text
    assert "Số người chờ trước Ông/Bà: <b>1</b>" in text
    assert 'http-equiv="refresh"' in text


def test_the_follow_page_says_which_counter_calls(hall: Hall) -> None:
    mine = hall.issue("TP")
    hall.call_next(1)
    text = hall.client.get(f"/t/{mine['id']}").text
    assert "Đến lượt Ông/Bà" in text
    assert "quầy số 1" in text


def test_an_unknown_or_damaged_address_is_the_not_found_page(hall: Hall) -> None:
    missing = hall.client.get("/t/999")
    assert missing.status_code == 404
    assert "Không tìm thấy số này" in missing.text
    assert hall.client.get("/t/abc").status_code == 404  # no such follow code
    assert hall.client.get("/t/0").status_code == 404
    for damaged in ("x" * 33, "a.b", "%C3%B4ng", "1e5", "-1"):  # a Vietnamese page, not JSON
        response = hall.client.get(f"/t/{damaged}")
        assert response.status_code == 404, damaged
        assert "Không tìm thấy số này" in response.text


def test_today_s_ticket_is_found_by_its_number_whatever_its_status(hall: Hall) -> None:
    first = hall.issue("TP")
    hall.issue("DD")
    hall.call_next(1)
    hall.call_next(1)  # completes 1001
    found = hall.client.get("/api/tickets?number=1001", headers=hall.headers("kiosk"))
    assert found.status_code == 200
    [ticket] = found.json()
    assert (ticket["id"], ticket["status"], ticket["counter"]) == (first["id"], "done", 1)
    assert [t["number"] for t in _find(hall, "2001")] == ["2001"]
    assert _find(hall, "1009") == []


def test_a_number_of_another_day_is_not_found(hall: Hall) -> None:
    hall.issue("TP")
    hall.clock.advance(days=1)
    assert _find(hall, "1001") == []


def test_a_malformed_number_is_refused(hall: Hall) -> None:
    for bad in ("", "10 01", "x" * 21, "1001;drop"):
        response = hall.client.get(
            "/api/tickets", params={"number": bad}, headers=hall.headers("kiosk")
        )
        assert response.status_code == 422, bad
    assert hall.client.get("/api/tickets?number=1001").status_code == 401


def _find(hall: Hall, number: str) -> list[dict[str, object]]:
    response = hall.client.get(f"/api/tickets?number={number}", headers=hall.headers("kiosk"))
    assert response.status_code == 200, response.text
    body: list[dict[str, object]] = response.json()
    return body
