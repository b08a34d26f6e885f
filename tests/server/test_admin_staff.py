"""Staff on the admin pages against the real app: add, disable and enable (the tokens
stop at once), a reset password that must be changed at the next sign-in, a role, the
sign-in throttle's lock-outs with an unlock; each change in the audit log."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.server.conftest import PASSWORDS, Hall, open_hall
from tests.server.test_admin_site import csrf_of, sign_in


@pytest.fixture
def admin_hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    for hall in open_hall(tmp_path_factory.mktemp("staff") / "data"):
        hall.client.cookies.clear()
        yield hall


def staff(hall: Hall, csrf: str, **fields: str) -> tuple[int, str]:
    response = hall.client.post("/admin/staff", data={"csrf": csrf, **fields})
    return response.status_code, response.text


def token_of(hall: Hall, username: str, password: str) -> int:
    return hall.client.post(
        "/api/auth/token", data={"username": username, "password": password}
    ).status_code


def test_an_account_added_on_the_page_signs_in(admin_hall: Hall) -> None:
    csrf = sign_in(admin_hall, "admin", "/admin/staff")
    status, html = staff(
        admin_hall,
        csrf,
        op="add",
        username="mai",
        display_name="Phạm Thị Mai",
        role="clerk",
        password="mat-khau-moi",
    )
    assert status == 200, html
    assert "Phạm Thị Mai" in html
    assert "Đã thêm tài khoản" in html
    assert token_of(admin_hall, "mai", "mat-khau-moi") == 200
    status, html = staff(
        admin_hall, csrf, op="add", username="mai", role="clerk", password="khac-nua"
    )
    assert status == 422
    assert "Tên đăng nhập này đã có" in html
    status, html = staff(admin_hall, csrf, op="add", username="a b", role="boss", password="1")
    assert status == 422
    assert "Mật khẩu: ít nhất 6 ký tự" in html
    assert "Hãy chọn vai trò" in html


def test_disabling_stops_the_account_at_once_and_enabling_brings_it_back(
    admin_hall: Hall,
) -> None:
    csrf = sign_in(admin_hall, "admin", "/admin/staff")
    lan = admin_hall.headers("lan")
    assert admin_hall.client.get("/api/auth/me", headers=lan).status_code == 200
    status, _ = staff(admin_hall, csrf, op="disable", username="lan")
    assert status == 200
    assert admin_hall.client.get("/api/auth/me", headers=lan).status_code == 401
    assert token_of(admin_hall, "lan", PASSWORDS["lan"]) == 401
    staff(admin_hall, csrf, op="enable", username="lan")
    assert token_of(admin_hall, "lan", PASSWORDS["lan"]) == 200
    status, html = staff(admin_hall, csrf, op="disable", username="admin")
    assert status == 422
    assert "Không thể tự khoá" in html


def test_a_changed_role_is_the_tokens_role(admin_hall: Hall) -> None:
    csrf = sign_in(admin_hall, "admin", "/admin/staff")
    hung = admin_hall.headers("hung")
    assert admin_hall.client.get("/api/reports/summary", headers=hung).status_code == 403
    status, _ = staff(admin_hall, csrf, op="role", username="hung", role="supervisor")
    assert status == 200
    me = admin_hall.client.get("/api/auth/me", headers=hung).json()
    assert me["role"] == "supervisor"


def test_a_reset_password_must_be_changed_at_the_next_sign_in(admin_hall: Hall) -> None:
    # The supervisor is on a page in another browser: the reset ends that session.
    from fastapi.testclient import TestClient

    other = TestClient(admin_hall.client.app)
    form = other.get("/reports")
    other.post(
        "/sign-in",
        data={
            "username": "sup",
            "password": PASSWORDS["sup"],
            "csrf": csrf_of(form.text),
            "next": "/reports",
        },
    )
    assert "Đăng xuất" in other.get("/reports").text
    csrf = sign_in(admin_hall, "admin", "/admin/staff")
    status, html = staff(admin_hall, csrf, op="reset", username="sup")
    assert 'name="password"' in other.get("/reports").text  # signed out
    assert status == 200, html
    found = re.search(r'<p class="secret" role="status">([^<]+)</p>', html)
    assert found is not None, html
    temporary = found.group(1)
    assert "phải đổi mật khẩu" in html
    # The old password and the old tokens are gone.
    assert token_of(admin_hall, "sup", PASSWORDS["sup"]) == 401
    assert (
        admin_hall.client.get("/api/auth/me", headers=admin_hall.headers("sup")).status_code == 401
    )

    # The apps get no token with the temporary password: it is changed on a page first.
    refused = admin_hall.client.post(
        "/api/auth/token", data={"username": "sup", "password": temporary}
    )
    assert refused.status_code == 403
    assert "đặt mật khẩu mới" in refused.json()["detail"]

    admin_hall.client.cookies.clear()
    form = admin_hall.client.get("/reports")
    signed = admin_hall.client.post(
        "/sign-in",
        data={
            "username": "sup",
            "password": temporary,
            "csrf": csrf_of(form.text),
            "next": "/reports",
        },
        follow_redirects=False,
    )
    assert signed.status_code == 200  # no session yet: the change form
    assert 'action="/sign-in/password"' in signed.text
    assert "motcua_session" not in signed.headers.get("set-cookie", "")
    change = {
        "username": "sup",
        "password": temporary,
        "csrf": csrf_of(signed.text),
        "next": "/reports",
    }
    differ = admin_hall.client.post(
        "/sign-in/password", data=change | {"new_password": "moi-123456", "confirm": "khac"}
    )
    assert differ.status_code == 422
    assert "không khớp" in differ.text
    done = admin_hall.client.post(
        "/sign-in/password",
        data=change | {"new_password": "moi-123456", "confirm": "moi-123456"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/reports"
    assert admin_hall.client.get("/reports").status_code == 200
    assert token_of(admin_hall, "sup", "moi-123456") == 200
    # Changed once: the temporary password is no way in any more.
    admin_hall.client.cookies.clear()
    form = admin_hall.client.get("/reports")
    again = admin_hall.client.post(
        "/sign-in/password",
        data=change
        | {"csrf": csrf_of(form.text), "new_password": "x-123456", "confirm": "x-123456"},
    )
    assert again.status_code == 401


def test_a_locked_out_guesser_is_listed_and_unlocked(admin_hall: Hall) -> None:
    for _ in range(5):
        assert token_of(admin_hall, "lan", "sai") == 401
    assert token_of(admin_hall, "lan", PASSWORDS["lan"]) == 429
    csrf = sign_in(admin_hall, "admin", "/admin/staff")
    html = admin_hall.client.get("/admin/staff").text
    assert "testclient" in html  # the guesser's address
    status, html = staff(admin_hall, csrf, op="unlock", username="lan", address="testclient")
    assert status == 200
    assert "Đã mở khoá" in html
    assert token_of(admin_hall, "lan", PASSWORDS["lan"]) == 200


def test_every_staff_change_is_in_the_audit_log_under_the_admin(admin_hall: Hall) -> None:
    csrf = sign_in(admin_hall, "admin", "/admin/staff")
    staff(admin_hall, csrf, op="disable", username="hung")
    staff(admin_hall, csrf, op="role", username="lan", role="supervisor")
    audit = admin_hall.client.get("/admin/audit", params={"actor": "web:admin"}).text
    assert "Khoá tài khoản hung" in audit
    assert "Đổi vai trò của lan: clerk → supervisor" in audit
    csv = admin_hall.client.get("/admin/audit.csv", params={"kind": "staff.role"})
    assert csv.headers["content-type"].startswith("text/csv")
    rows = csv.text.lstrip("\ufeff").splitlines()
    assert rows[0].startswith("at,actor,source")
    assert len(rows) == 2
    assert "web:admin" in rows[1]
    assert "staff.role" in rows[1]
