"""The live supervision page, `/supervisor`, over the real app: the contract's sign-in form
with no session, a refusal for a clerk, the hall for a supervisor; its event stream opened
with the page's session (SameSite=Strict cookie, Origin checked) and closed at sign-out;
its buttons, each with the session's CSRF token, refused without it or from elsewhere."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from typing import Literal

import pytest
from starlette.websockets import WebSocketDisconnect

from queue_server import policy
from queue_server.auth import Principal
from queue_server.roles import Role
from queue_server.store import DATABASE_NAME
from tests.server.conftest import Hall
from tests.server.test_reports_page import sign_in

ORIGIN = {"origin": "http://testserver"}


@pytest.fixture
def browser(hall: Hall) -> Iterator[Hall]:
    hall.client.cookies.clear()
    yield hall
    hall.client.cookies.clear()


def signed_in(hall: Hall, who: str = "sup") -> str:
    """Sign `who` in; the page's CSRF token."""
    assert sign_in(hall, who).status_code == 303  # type: ignore[attr-defined]
    page = hall.client.get("/supervisor")
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def hall_data(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="hall-data">(.*?)</script>', html, re.S)
    assert found is not None
    data: dict[str, object] = json.loads(found.group(1))
    return data


def test_without_a_session_the_page_is_the_sign_in_form(browser: Hall) -> None:
    response = browser.client.get("/supervisor")
    assert response.status_code == 200
    assert 'name="username"' in response.text
    assert 'name="next" value="/supervisor"' in response.text
    assert "hall-data" not in response.text
    assert browser.client.get("/supervisor/hall.json").status_code == 401


def test_signing_in_from_the_form_leads_back_to_the_page(browser: Hall) -> None:
    form = browser.client.get("/supervisor")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None
    response = browser.client.post(
        "/sign-in",
        data={"username": "sup", "password": "mat-khau-3", "csrf": csrf.group(1)}
        | {"next": "/supervisor"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/supervisor"


def test_a_clerk_is_refused(browser: Hall) -> None:
    assert sign_in(browser, "lan").status_code == 303  # type: ignore[attr-defined]
    response = browser.client.get("/supervisor")
    assert response.status_code == 403
    assert "không có quyền giám sát" in response.text
    assert "hall-data" not in response.text
    assert browser.client.get("/supervisor/hall.json").status_code == 403


def test_a_supervisor_sees_the_whole_hall(browser: Hall) -> None:
    browser.issue("TP")
    browser.issue("DD", priority=True)
    browser.call_next(1)
    browser.issue("TP")
    signed_in(browser)
    page = browser.client.get("/supervisor")
    assert "Giám sát trực tiếp" in page.text
    data = hall_data(page.text)
    fetched = browser.client.get("/supervisor/hall.json").json()
    assert fetched["services"] == data["services"]
    services = {s["code"]: s for s in fetched["services"]}
    assert services["TP"]["waiting"] == 1
    assert services["DD"]["first_waiting"][0]["priority"] is True
    assert services["DD"]["oldest_issued_at"].endswith("+07:00")
    counters = {c["number"]: c for c in fetched["counters"]}
    assert counters[1]["clerk"] == "Nguyễn Thị Lan"
    assert counters[1]["current_ticket"]["number"] == "1001"
    assert fetched["figures"] == {
        "issued": 3,
        "waiting": 2,
        "called": 1,
        "served": 0,
        "no_show": 0,
        "cancelled": 0,
        "wait_avg_minutes": 0.0,
        "within_target_pct": 100.0,
    }
    assert {d["name"] for d in fetched["devices"]} >= {"kiosk 1", "display 1"}


def test_the_page_reads_in_english_on_the_switch(browser: Hall) -> None:
    signed_in(browser)
    browser.client.cookies.set("lang", "en")
    page = browser.client.get("/supervisor")
    assert "Live supervision" in page.text
    assert "Close today" in page.text
    assert "a citizen has waited past the {minutes}-minute target" in page.text  # alerts' words
    assert "Giám sát trực tiếp" not in page.text


# --- the event stream with the page's session --------------------------------------------


def test_the_stream_opens_with_the_session_and_carries_the_hall(browser: Hall) -> None:
    signed_in(browser)
    with browser.client.websocket_connect("/ws/events", headers=ORIGIN) as ws:
        assert ws.receive_json()["type"] == "snapshot"
        browser.issue("TP")
        assert ws.receive_json()["type"] == "ticket.issued"


@pytest.mark.parametrize("origin", [None, "http://elsewhere.example", "null"])
def test_the_stream_refuses_a_session_from_another_origin(
    browser: Hall, origin: str | None
) -> None:
    signed_in(browser)
    headers = {"origin": origin} if origin else {}
    with (
        browser.client.websocket_connect("/ws/events", headers=headers) as ws,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        ws.receive_json()
    assert closed.value.code == 4401


def test_the_stream_refuses_no_session_and_a_clerks_session(browser: Hall) -> None:
    with (
        browser.client.websocket_connect("/ws/events", headers=ORIGIN) as ws,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        ws.receive_json()
    assert closed.value.code == 4401
    assert sign_in(browser, "lan").status_code == 303  # type: ignore[attr-defined]
    with (
        browser.client.websocket_connect("/ws/events", headers=ORIGIN) as ws,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        ws.receive_json()
    assert closed.value.code == 4403


def test_signing_out_ends_the_pages_stream(browser: Hall) -> None:
    csrf = signed_in(browser)
    with browser.client.websocket_connect("/ws/events", headers=ORIGIN) as ws:
        assert ws.receive_json()["type"] == "snapshot"
        out = browser.client.post(
            "/sign-out", data={"csrf": csrf, "next": "/supervisor"}, follow_redirects=False
        )
        assert out.status_code == 303
        assert out.headers["location"] == "/supervisor"  # its sign-in form, not another page
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4401


# --- the page's buttons ---------------------------------------------------------------------


def actors(hall: Hall, type_: str) -> list[str | None]:
    with sqlite3.connect(hall.data_dir / DATABASE_NAME) as db:
        return [a for (a,) in db.execute("select actor from events where type = ?", [type_])]


def test_the_pages_buttons_give_the_orders_with_the_csrf_token(browser: Hall) -> None:
    browser.issue("TP")
    last = browser.issue("TP")
    browser.issue("DD")
    csrf = signed_in(browser)
    post = browser.client.post
    moved = post(f"/supervisor/move/{last['id']}", data={"csrf": csrf}, headers=ORIGIN)
    assert moved.status_code == 200, moved.text
    assert moved.json()["waiting_ahead"] == 0
    helping = post("/supervisor/help/1", data={"csrf": csrf, "service": "DD"}, headers=ORIGIN)
    assert helping.json()["helps"] == "DD"
    assert post("/supervisor/end-help/1", data={"csrf": csrf}).json()["helps"] is None
    closed = post("/supervisor/close-today/TP", data={"csrf": csrf}, headers=ORIGIN)
    assert closed.json()["closed_early"] is True
    assert post("/supervisor/reopen/TP", data={"csrf": csrf}).json()["open"] is True
    assert actors(browser, "ticket.transferred") == ["Lê Minh Giám Sát"]
    assert actors(browser, "counter.updated") == ["Lê Minh Giám Sát"] * 2
    assert actors(browser, "service.updated") == ["Lê Minh Giám Sát"] * 2


def test_a_button_without_the_token_or_from_elsewhere_changes_nothing(browser: Hall) -> None:
    csrf = signed_in(browser)
    post = browser.client.post
    assert post("/supervisor/close-today/TP", data={}).status_code == 403
    assert post("/supervisor/close-today/TP", data={"csrf": "forged"}).status_code == 403
    elsewhere = {"origin": "http://elsewhere.example"}
    refused = post("/supervisor/close-today/TP", data={"csrf": csrf}, headers=elsewhere)
    assert refused.status_code == 403
    assert "detail" in refused.json()
    assert actors(browser, "service.updated") == []
    browser.client.cookies.clear()
    assert post("/supervisor/close-today/TP", data={"csrf": csrf}).status_code == 401


def test_a_clerks_session_may_not_give_orders(browser: Hall) -> None:
    assert sign_in(browser, "lan").status_code == 303  # type: ignore[attr-defined]
    answer = browser.client.post("/supervisor/close-today/TP", data={"csrf": "x"})
    assert answer.status_code == 403
    assert actors(browser, "service.updated") == []


def test_the_domain_refusals_come_back_as_json(browser: Hall) -> None:
    csrf = signed_in(browser)
    answer = browser.client.post("/supervisor/help/1", data={"csrf": csrf, "service": "TP"})
    assert answer.status_code == 409
    assert "đã phục vụ" in answer.json()["detail"]
    assert browser.client.post("/supervisor/move/999", data={"csrf": csrf}).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/supervisor/move/99999999999999999999",
        "/supervisor/move/-1",
        "/supervisor/help/x",
        "/supervisor/end-help/100000",
        "/supervisor/close-today/" + "X" * 100,
    ],
)
def test_bad_addresses_are_4xx_with_a_detail(browser: Hall, path: str) -> None:
    csrf = signed_in(browser)
    answer = browser.client.post(path, data={"csrf": csrf})
    assert 400 <= answer.status_code < 500
    assert "detail" in answer.json()


def test_only_people_who_may_supervise_stream_with_a_page_session() -> None:
    def person(role: Role, kind: Literal["user", "device"] = "user") -> Principal:
        return Principal(kind, "x", role, "X")

    assert policy.may_stream_by_session(person(Role.SUPERVISOR))
    assert policy.may_stream_by_session(person(Role.ADMIN))
    assert not policy.may_stream_by_session(person(Role.CLERK))
    assert not policy.may_stream_by_session(person(Role.DISPLAY, "device"))
