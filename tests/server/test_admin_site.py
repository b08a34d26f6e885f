"""The admin pages' site forms against the real app: who may open them, CSRF on every
form, preview showing the planner's lines, apply taking the change live (`site.updated`
on the stream, `GET /api/services` at once), and a refused change changing nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from queue_core.site import parse_site
from queue_server.database import open_store
from tests.server.conftest import PASSWORDS, Hall, open_hall


@pytest.fixture
def admin_hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    for hall in open_hall(tmp_path_factory.mktemp("admin") / "data"):
        hall.client.cookies.clear()
        yield hall


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, html
    return found.group(1)


def sign_in(hall: Hall, username: str, next_path: str = "/admin") -> str:
    """Sign `username` in through the form; returns the session's CSRF token."""
    form = hall.client.get(next_path)
    response = hall.client.post(
        "/sign-in",
        data={
            "username": username,
            "password": PASSWORDS[username],
            "csrf": csrf_of(form.text),
            "next": next_path,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = hall.client.get(next_path)
    return csrf_of(page.text)


def preview(hall: Hall, csrf: str, **fields: str) -> tuple[int, str]:
    response = hall.client.post("/admin/site/preview", data={"csrf": csrf, **fields})
    return response.status_code, response.text


def confirm(hall: Hall, csrf: str, html: str) -> int:
    """Press "apply" on a preview page: its form as the browser sends it."""
    toml = re.search(r'name="toml" value="([^"]*)"', html, re.S)
    assert toml is not None, html
    import html as html_lib

    response = hall.client.post(
        "/admin/site/apply",
        data={"csrf": csrf, "back": "/admin", "toml": html_lib.unescape(toml.group(1))},
        follow_redirects=False,
    )
    return response.status_code


def stored_site_text(hall: Hall) -> str:
    store = open_store(hall.data_dir)
    try:
        site = store.site()
        assert site is not None
        return site.model_dump_json()
    finally:
        store.close()


def test_without_a_session_admin_shows_the_sign_in_form(admin_hall: Hall) -> None:
    response = admin_hall.client.get("/admin")
    assert response.status_code == 200
    assert 'name="username"' in response.text
    assert 'name="password"' in response.text
    assert "Tư pháp – Hộ tịch" not in response.text


@pytest.mark.parametrize("username", ["lan", "sup"])
def test_a_clerk_or_a_supervisor_gets_403(admin_hall: Hall, username: str) -> None:
    form = admin_hall.client.get("/admin")
    admin_hall.client.post(
        "/sign-in",
        data={
            "username": username,
            "password": PASSWORDS[username],
            "csrf": csrf_of(form.text),
            "next": "/admin",
        },
    )
    for path in ("/admin", "/admin/staff", "/admin/devices", "/admin/audit", "/admin/settings"):
        response = admin_hall.client.get(path)
        assert response.status_code == 403, path
        assert "quản trị" in response.text
    before = stored_site_text(admin_hall)
    refused = admin_hall.client.post("/admin/site/preview", data={"op": "settings", "name": "X"})
    assert refused.status_code == 403
    assert stored_site_text(admin_hall) == before


def test_the_admin_sees_services_and_counters(admin_hall: Hall) -> None:
    sign_in(admin_hall, "admin")
    html = admin_hall.client.get("/admin").text
    assert "Tư pháp – Hộ tịch" in html
    assert "Đất đai" in html
    assert "Quầy 3" in html
    assert '<script src="/static/vendor/htmx/htmx.min.js"' in html


def test_preview_shows_the_plan_and_apply_takes_it_live(admin_hall: Hall) -> None:
    csrf = sign_in(admin_hall, "admin")
    kiosk = admin_hall.headers("kiosk")
    with admin_hall.client.websocket_connect(
        f"/ws/events?token={admin_hall.tokens['display']}"
    ) as stream:
        assert stream.receive_json()["type"] == "snapshot"
        status, html = preview(
            admin_hall,
            csrf,
            op="service",
            new="1",
            code="HK",
            name="Hộ khẩu – Cư trú",
            prefix="3",
            digits="3",
        )
        assert status == 200, html
        assert "HK" in html
        assert "Hộ khẩu – Cư trú" in html
        # A preview changes nothing.
        codes = [s["code"] for s in admin_hall.client.get("/api/services", headers=kiosk).json()]
        assert "HK" not in codes

        assert confirm(admin_hall, csrf, html) == 303
        event = stream.receive_json()
        assert event["type"] == "site.updated"
    codes = [s["code"] for s in admin_hall.client.get("/api/services", headers=kiosk).json()]
    assert "HK" in codes
    audit = admin_hall.client.get("/admin/audit").text
    assert "web:admin" in audit


def test_invalid_forms_say_what_is_wrong_in_vietnamese_and_change_nothing(
    admin_hall: Hall,
) -> None:
    csrf = sign_in(admin_hall, "admin")
    before = stored_site_text(admin_hall)
    status, html = preview(
        admin_hall, csrf, op="service", new="1", code="TP", name="Trùng", prefix="9"
    )
    assert status == 422
    assert "mã này đã được dùng" in html
    status, html = preview(
        admin_hall,
        csrf,
        op="service",
        new="1",
        code="NN",
        name="Nông nghiệp",
        prefix="9",
        digits="nhiều",
    )
    assert status == 422
    assert "Số chữ số: phải là số nguyên" in html
    status, html = preview(admin_hall, csrf, op="service", new="1", code="N N", name="", prefix="9")
    assert status == 422
    assert "không được để trống" in html
    assert stored_site_text(admin_hall) == before


def test_a_refused_change_shows_its_reason_and_changes_nothing(admin_hall: Hall) -> None:
    csrf = sign_in(admin_hall, "admin")
    before = stored_site_text(admin_hall)
    admin_hall.issue("DD")  # waiting: retiring DD would leave it with no counter
    status, html = preview(admin_hall, csrf, op="service-retire", code="DD")
    assert status == 409, html
    assert "2001" in html  # the ticket in the way
    assert 'action="/admin/site/apply"' not in html
    assert stored_site_text(admin_hall) == before


def test_apply_judges_the_change_again_against_the_tickets_of_that_moment(
    admin_hall: Hall,
) -> None:
    csrf = sign_in(admin_hall, "admin")
    status, html = preview(admin_hall, csrf, op="service-retire", code="DD")
    assert status == 200, html  # nothing waits for DD yet
    before = stored_site_text(admin_hall)
    admin_hall.issue("DD")
    response = admin_hall.client.post(
        "/admin/site/apply", data={"csrf": csrf, "back": "/admin", "toml": _unescaped_toml(html)}
    )
    assert response.status_code == 409, response.text
    assert stored_site_text(admin_hall) == before


def _unescaped_toml(html: str) -> str:
    import html as html_lib

    toml = re.search(r'name="toml" value="([^"]*)"', html, re.S)
    assert toml is not None
    return html_lib.unescape(toml.group(1))


def test_a_form_without_the_csrf_token_is_refused(admin_hall: Hall) -> None:
    csrf = sign_in(admin_hall, "admin")
    before = stored_site_text(admin_hall)
    forged = admin_hall.client.post(
        "/admin/site/preview", data={"op": "settings", "name": "Giả mạo"}
    )
    assert forged.status_code == 403
    wrong = admin_hall.client.post(
        "/admin/site/apply", data={"csrf": "x" + csrf, "toml": "[site]\nname='Giả mạo'"}
    )
    assert wrong.status_code == 403
    other_site = admin_hall.client.post(
        "/admin/staff",
        data={"csrf": csrf, "op": "disable", "username": "lan"},
        headers={"Origin": "http://evil.example"},
    )
    assert other_site.status_code == 403
    assert stored_site_text(admin_hall) == before
    assert "Giả mạo" not in admin_hall.client.get("/admin/settings").text


def test_hours_holidays_and_settings_round_trip(admin_hall: Hall) -> None:
    csrf = sign_in(admin_hall, "admin", "/admin/settings")
    status, html = preview(
        admin_hall,
        csrf,
        op="hours",
        back="/admin/settings",
        default="07:30-11:30, 13:30-17:00",
        sat="07:30-11:30",
        sun="-",
        holidays="VN",
        closed_dates="02/09/2026",
        working_dates="",
    )
    assert status == 200, html
    assert confirm(admin_hall, csrf, html) == 303
    site = parse_site(_export(admin_hall))
    assert site.site.holidays == "VN"
    assert site.site.hours is not None
    assert site.site.hours.sun == []
    assert site.site.hours.sat == ["07:30-11:30"]
    assert [d.isoformat() for d in site.site.hours.closed_dates] == ["2026-09-02"]

    page = admin_hall.client.get("/admin/settings").text
    status, html = preview(
        admin_hall,
        csrf,
        op="settings",
        back="/admin/settings",
        name="Trung tâm Phục vụ hành chính công xã Mới",
        call_phrase="Xin mời số {number} tới quầy {counter}",
        ticker="Chào mừng",
        rating_scale="5",
        waiting_target_minutes="25",
        priority_ratio="3",
        spotlight_seconds="15",
        history="6",
        reading="digits",
        repeat="3",
        rating_reasons="Chờ lâu\n\nThái độ chưa tốt\n",
    )
    assert status == 200, html
    assert confirm(admin_hall, csrf, html) == 303
    site = parse_site(_export(admin_hall))
    assert (site.display.spotlight_seconds, site.display.history) == (15, 6)
    assert (site.display.reading, site.display.repeat) == ("digits", 3)
    assert site.site.rating_reasons == ["Chờ lâu", "Thái độ chưa tốt"]
    assert site.site.rating_scale == 5
    assert site.display.ticker == "Chào mừng"
    assert "07:30-11:30" in page


def _export(hall: Hall) -> str:
    response = hall.client.get("/admin/site/export.toml")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    return response.text


def test_export_then_import_of_a_changed_file_previews_and_applies(admin_hall: Hall) -> None:
    csrf = sign_in(admin_hall, "admin", "/admin/site")
    text = _export(admin_hall)
    assert parse_site(text).site.name.startswith("Trung tâm")
    changed = text.replace('name = "Đất đai"', 'name = "Đất đai – Nhà ở"')
    assert changed != text
    response = admin_hall.client.post(
        "/admin/site/import",
        data={"csrf": csrf},
        files={"file": ("site.toml", changed.encode(), "application/toml")},
    )
    assert response.status_code == 200, response.text
    assert "Đất đai – Nhà ở" in response.text
    assert confirm(admin_hall, csrf, response.text) == 303
    assert 'name = "Đất đai – Nhà ở"' in _export(admin_hall)

    broken = admin_hall.client.post(
        "/admin/site/import",
        data={"csrf": csrf},
        files={"file": ("site.toml", b"[site\nname=", "application/toml")},
    )
    assert broken.status_code == 422
    assert "TOML" in broken.text


GARBAGE = [
    {},
    {"op": "service"},
    {"op": "service", "code": "TP", "digits": "9" * 40, "daily_cap": "-1"},
    {"op": "service", "new": "1", "code": "<b>", "name": "x" * 5000, "prefix": "ẞ"},
    {"op": "counter", "new": "1", "number": "0", "services": "KHONG-CO"},
    {"op": "counter", "number": "abc"},
    {"op": "counter-retire", "number": "999999999999"},
    {"op": "service-restore", "code": ""},
    {"op": "hours", "default": "25:00-26:00", "mon": "sáng", "closed_dates": "31/02/2026"},
    {"op": "settings", "rating_scale": "7", "call_phrase": "không có chỗ", "name": ""},
    {"op": "xyz"},
]


@pytest.mark.parametrize("fields", GARBAGE)
def test_nonsense_in_a_site_form_is_a_4xx_page_and_changes_nothing(
    admin_hall: Hall, fields: dict[str, str]
) -> None:
    csrf = sign_in(admin_hall, "admin")
    before = stored_site_text(admin_hall)
    status, html = preview(admin_hall, csrf, **fields)
    assert 400 <= status < 500, html
    assert "Chưa thay đổi gì" in html
    assert stored_site_text(admin_hall) == before


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/admin/site/apply", {"toml": "[site\n"}),
        ("/admin/site/apply", {"toml": "[site]\nname = 'x'"}),
        ("/admin/staff", {"op": "role", "username": "lan", "role": "god"}),
        ("/admin/staff", {"op": "reset", "username": "khong-co"}),
        ("/admin/staff", {"op": "unlock", "username": "lan", "address": "1.2.3.4"}),
        ("/admin/staff", {"op": "nothing"}),
        ("/admin/devices", {"op": "rotate", "id": "abc"}),
        ("/admin/devices", {"op": "revoke", "id": "99999"}),
        ("/admin/devices", {"op": "add", "name": "", "kind": "toaster", "counter": "x"}),
    ],
)
def test_nonsense_in_any_admin_form_is_a_4xx_page(
    admin_hall: Hall, path: str, fields: dict[str, str]
) -> None:
    csrf = sign_in(admin_hall, "admin")
    before = stored_site_text(admin_hall)
    response = admin_hall.client.post(path, data={"csrf": csrf, **fields})
    assert 400 <= response.status_code < 500, response.text
    assert stored_site_text(admin_hall) == before


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        (
            {"op": "counter", "new": "1", "number": "7", "services": "TP, KHONG"},
            "Quầy 7 — Lĩnh vực phục vụ: không có lĩnh vực KHONG",
        ),
        (
            {"op": "service", "new": "1", "code": "HN", "name": "Hôn nhân", "prefix": "12"},
            "Lĩnh vực HN — Tiền tố: 12 trùng đầu với tiền tố 1 của lĩnh vực TP",
        ),
        (
            {"op": "hours", "back": "/admin/settings", "default": "7h30-11h30"},
            "Mọi ngày: 7h30-11h30 không phải khung giờ dạng 07:30-11:30",
        ),
        (
            {
                "op": "hours",
                "back": "/admin/settings",
                "default": "07:30-11:30",
                "closed_dates": "02/09/2026",
                "working_dates": "02/09/2026",
            },
            "2026-09-02 vừa là ngày nghỉ vừa là ngày làm bù",
        ),
        (
            {
                "op": "settings",
                "back": "/admin/settings",
                "name": "Trung tâm",
                "call_phrase": "Mời số {number}",
                "rating_scale": "3",
                "waiting_target_minutes": "20",
                "priority_ratio": "3",
            },
            "Câu mời: câu mời phải có cả {number} và {counter}",
        ),
    ],
)
def test_the_site_rules_are_said_in_vietnamese_as_the_form_names_things(
    admin_hall: Hall, fields: dict[str, str], said: str
) -> None:
    csrf = sign_in(admin_hall, "admin")
    status, html = preview(admin_hall, csrf, **fields)
    assert status == 422
    import html as html_lib

    assert said in html_lib.unescape(html)


def test_in_english_the_pages_and_the_plan_are_english(admin_hall: Hall) -> None:
    csrf = sign_in(admin_hall, "admin")
    admin_hall.client.get("/lang/en", params={"next": "/admin"})
    page = admin_hall.client.get("/admin").text
    assert "Services and counters" in page
    assert "Lĩnh vực và quầy" not in page
    status, html = preview(admin_hall, csrf, op="service-retire", code="TP")
    assert status == 200, html
    import html as html_lib

    assert "Service TP: retired" in html_lib.unescape(html)
    status, html = preview(admin_hall, csrf, op="service", new="1", code="TP", name="x")
    assert "this code is already used" in html
    admin_hall.client.get("/lang/vi", params={"next": "/admin"})


def test_a_named_board_is_added_changed_and_removed(admin_hall: Hall) -> None:
    csrf = sign_in(admin_hall, "admin")
    status, html = preview(
        admin_hall, csrf, op="board", name="Sảnh A", counters="1, 2", services="TP"
    )
    assert status == 200, html
    assert confirm(admin_hall, csrf, html) == 303
    board = parse_site(_export(admin_hall)).boards[0]
    assert (board.name, board.counters, board.services) == ("Sảnh A", [1, 2], ["TP"])
    assert "Sảnh A" in admin_hall.client.get("/admin").text

    status, html = preview(
        admin_hall,
        csrf,
        op="board",
        original="Sảnh A",
        name="Sảnh A",
        counters="1, 9",
        services="",
    )
    assert status == 422
    assert "Màn hình Sảnh A: không có quầy 9" in html
    status, html = preview(admin_hall, csrf, op="board", name="Sảnh A", counters="3")
    assert status == 422
    assert "tên này đã được dùng" in html

    status, html = preview(admin_hall, csrf, op="board-remove", name="Sảnh A")
    assert status == 200, html
    assert confirm(admin_hall, csrf, html) == 303
    assert parse_site(_export(admin_hall)).boards == []
