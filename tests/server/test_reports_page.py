"""The `/reports` page and its sign-in: the contract's form with no session, a cookie
session (HttpOnly, SameSite=Strict) after it, CSRF on every form, signed out after
inactivity or on sign-out; the tables of the worked example for a supervisor, a refusal
for a clerk."""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import BytesIO

import pytest
from openpyxl import load_workbook

from queue_core.clock import FrozenClock
from queue_server.pages.session import FORM_COOKIE, SESSION_COOKIE, Sessions
from tests.core.report_example import DAY1, at
from tests.server.conftest import PASSWORDS, Hall, open_hall
from tests.server.test_reports_http import SITE, Day, play

MONTH = {"from": "2026-11-01", "to": "2026-11-30"}


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    start = at(DAY1, "07:30")
    assert start is not None
    clock = FrozenClock(start)
    for hall in open_hall(tmp_path_factory.mktemp("page") / "data", SITE, clock):
        play(Day(hall, clock))
        yield hall


@pytest.fixture
def browser(example: Hall) -> Iterator[Hall]:
    """The hall with a browser's cookie jar, emptied before and after each test."""
    example.client.cookies.clear()
    yield example
    example.client.cookies.clear()


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, html
    return found.group(1)


def sign_in(hall: Hall, username: str, password: str | None = None, **extra: str) -> object:
    form = hall.client.get("/reports")
    response = hall.client.post(
        "/sign-in",
        data={
            "username": username,
            "password": PASSWORDS[username] if password is None else password,
            "csrf": _csrf(form.text),
            "next": "/reports",
        }
        | extra,
        follow_redirects=False,
    )
    return response


def test_without_a_session_the_page_is_the_contract_sign_in_form(browser: Hall) -> None:
    response = browser.client.get("/reports", params=MONTH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert 'action="/sign-in"' in html
    assert "Số đã cấp" not in html  # no figure before signing in
    assert response.headers["cache-control"] == "no-store"
    assert "httponly" in response.headers["set-cookie"].lower()


def test_signing_in_opens_a_strict_http_only_session(browser: Hall) -> None:
    response = sign_in(browser, "sup")
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert response.headers["location"] == "/reports"  # type: ignore[attr-defined]
    cookie = next(
        c
        for c in response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
        if c.startswith(SESSION_COOKIE + "=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    page = browser.client.get("/reports", params=MONTH)
    assert page.status_code == 200
    for words in (
        "Báo cáo tình hình phục vụ",
        "Từ ngày 01/11/2026 đến ngày 30/11/2026",
        "Tư pháp – Hộ tịch",
        "Nguyễn Thị Lan",
        "Đánh giá cán bộ, công chức",
        "Mức độ hài lòng của người dân",
        'id="chart-wait-by-hour"',
        "/static/vendor/chartjs/chart.umd.min.js",
        "Đăng xuất",
    ):
        assert words in page.text, words
    # The total row of the service table: 7 issued, waits 19,3 / 45,0, 57,1 % within.
    assert re.search(
        r"Tổng cộng</th>\s*<td>7</td><td>7</td><td>6</td><td>1</td>\s*<td>19,3</td>"
        r"<td>45,0</td>\s*<td>45,0</td><td>11,8</td>\s*<td>57,1</td><td>80,0</td>",
        page.text,
    ), page.text


def test_a_wrong_password_shows_the_form_again(browser: Hall) -> None:
    response = sign_in(browser, "sup", password="sai")
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.text  # type: ignore[attr-defined]
    assert SESSION_COOKIE not in browser.client.cookies


def test_a_sign_in_without_its_form_token_is_refused(browser: Hall) -> None:
    browser.client.get("/reports")
    for csrf in ("", "forged"):
        response = browser.client.post(
            "/sign-in",
            data={"username": "sup", "password": PASSWORDS["sup"], "csrf": csrf},
            follow_redirects=False,
        )
        assert response.status_code == 403
        assert SESSION_COOKIE not in browser.client.cookies


def test_a_sign_in_posted_from_another_site_is_refused(browser: Hall) -> None:
    form = browser.client.get("/reports")
    response = browser.client.post(
        "/sign-in",
        data={"username": "sup", "password": PASSWORDS["sup"], "csrf": _csrf(form.text)},
        headers={"Origin": "http://evil.example"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert SESSION_COOKIE not in browser.client.cookies


def test_a_clerk_signs_in_but_may_not_read_reports(browser: Hall) -> None:
    assert sign_in(browser, "lan").status_code == 303  # type: ignore[attr-defined]
    page = browser.client.get("/reports")
    assert page.status_code == 403
    assert "không có quyền xem báo cáo" in page.text
    assert browser.client.get("/reports/export.xlsx").status_code == 403


def test_signing_out_needs_the_session_token_and_ends_the_session(browser: Hall) -> None:
    sign_in(browser, "admin")
    page = browser.client.get("/reports")
    assert page.status_code == 200
    refused = browser.client.post("/sign-out", data={"csrf": "forged"}, follow_redirects=False)
    assert refused.status_code == 403
    assert browser.client.get("/reports").status_code == 200
    done = browser.client.post("/sign-out", data={"csrf": _csrf(page.text)}, follow_redirects=False)
    assert done.status_code == 303
    assert 'name="password"' in browser.client.get("/reports").text


def test_a_session_idle_too_long_is_signed_out(browser: Hall) -> None:
    now = [1000.0]
    sessions = browser.client.app.state.sessions  # type: ignore[attr-defined]
    browser.client.app.state.sessions = Sessions(idle_s=1800, monotonic=lambda: now[0])  # type: ignore[attr-defined]
    try:
        sign_in(browser, "sup")
        now[0] += 1799
        assert "Đăng xuất" in browser.client.get("/reports").text  # seen: the clock restarts
        now[0] += 1799
        assert "Đăng xuất" in browser.client.get("/reports").text
        now[0] += 1801
        assert 'name="password"' in browser.client.get("/reports").text
    finally:
        browser.client.app.state.sessions = sessions  # type: ignore[attr-defined]


def test_the_page_link_downloads_the_workbook(browser: Hall) -> None:
    sign_in(browser, "sup")
    response = browser.client.get("/reports/export.xlsx", params=MONTH)
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    total = list(book["Theo lĩnh vực"].iter_rows(values_only=True))[-1]
    assert total[:4] == (None, "Tổng cộng", 7, 7)


def test_a_bad_range_on_the_page_says_why(browser: Hall) -> None:
    sign_in(browser, "sup")
    response = browser.client.get("/reports", params={"from": "2026-11-30", "to": "2026-11-01"})
    assert response.status_code == 422
    assert "&#39;to&#39; đứng trước &#39;from&#39;" in response.text


def test_a_supervisor_token_opens_the_page_for_tools(browser: Hall) -> None:
    page = browser.client.get("/reports", params=MONTH, headers=browser.headers("sup"))
    assert page.status_code == 200
    assert "Đánh giá cán bộ, công chức" in page.text
    assert FORM_COOKIE not in page.headers.get("set-cookie", "")


def test_sessions_keep_at_most_their_number_dropping_the_idlest() -> None:
    now = [0.0]
    sessions = Sessions(idle_s=60, max_sessions=2, monotonic=lambda: now[0])
    first, second = sessions.open("a"), sessions.open("b")
    assert sessions.find(first.id) is first  # seen again: now the freshest
    sessions.open("c")
    assert len(sessions) == 2
    assert sessions.find(second.id) is None
    assert sessions.find(first.id) is first


def test_signing_in_returns_to_the_report_asked_for_and_nowhere_else(browser: Hall) -> None:
    form = browser.client.get("/reports", params=MONTH)
    assert 'name="next" value="/reports?from=2026-11-01&amp;to=2026-11-30"' in form.text
    for sent, landing in (
        ("/reports?from=2026-11-01&to=2026-11-30", "/reports?from=2026-11-01&to=2026-11-30"),
        ("https://evil.example/reports", "/reports"),
        ("//evil.example", "/reports"),
        ("/admin-not-a-page", "/reports"),
    ):
        browser.client.cookies.clear()
        response = sign_in(browser, "sup", next=sent)
        assert response.headers["location"] == landing  # type: ignore[attr-defined]
