"""`GET /`: the links a person's role may open and the server's version; with no session
the public links and the sign-in form. `/docs` and `/redoc` load only this server's files."""

from __future__ import annotations

import re
from importlib import metadata

import pytest

from tests.server.conftest import PASSWORDS, Hall
from tests.server.test_admin_site import csrf_of


@pytest.fixture
def browser(shared_hall: Hall) -> Hall:
    shared_hall.client.cookies.clear()
    return shared_hall


def links(html: str) -> set[str]:
    return set(re.findall(r'<li><a href="([^"]+)"', html))


def sign_in_from_landing(hall: Hall, username: str) -> str:
    form = hall.client.get("/")
    response = hall.client.post(
        "/sign-in",
        data={
            "username": username,
            "password": PASSWORDS[username],
            "csrf": csrf_of(form.text),
            "next": "/",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    return hall.client.get("/").text


def test_without_a_session_the_landing_page_shows_public_links_and_sign_in(
    browser: Hall,
) -> None:
    response = browser.client.get("/")
    assert response.status_code == 200
    html = response.text
    assert links(html) == {"/display", "/docs"}
    assert 'name="username"' in html
    assert 'action="/sign-in"' in html
    assert metadata.version("motcua") in html


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", {"/admin", "/supervisor", "/reports", "/display", "/docs"}),
        ("sup", {"/supervisor", "/reports", "/display", "/docs"}),
        ("lan", {"/display", "/docs"}),
    ],
)
def test_a_signed_in_person_sees_what_their_role_may_open(
    browser: Hall, username: str, expected: set[str]
) -> None:
    html = sign_in_from_landing(browser, username)
    assert links(html) == expected
    assert 'name="password"' not in html
    browser.client.cookies.clear()


@pytest.mark.parametrize(
    ("path", "assets"),
    [
        (
            "/docs",
            [
                "/static/vendor/swagger-ui/swagger-ui-bundle.js",
                "/static/vendor/swagger-ui/swagger-ui.css",
            ],
        ),
        ("/redoc", ["/static/vendor/redoc/redoc.standalone.js"]),
    ],
)
def test_the_api_docs_need_no_internet(browser: Hall, path: str, assets: list[str]) -> None:
    page = browser.client.get(path)
    assert page.status_code == 200
    assert "https://" not in page.text.replace("https://swagger.io", "")
    policy = page.headers["content-security-policy"]
    assert "https:" not in policy
    assert "cdn" not in policy
    for asset in assets:
        assert asset in page.text
        served = browser.client.get(asset)
        assert served.status_code == 200, asset
        assert len(served.content) > 10_000
    assert browser.client.get("/static/vendor/htmx/htmx.min.js").status_code == 200


def test_the_pages_speak_english_on_the_switch(browser: Hall) -> None:
    browser.client.get("/lang/en", params={"next": "/"})
    html = browser.client.get("/").text
    assert "Queue ticketing system" in html
    assert "Staff sign-in" in html
    browser.client.get("/lang/vi", params={"next": "/"})
    html = browser.client.get("/").text
    assert "Hệ thống xếp hàng lấy số" in html
    assert "Cán bộ đăng nhập" in html
    browser.client.cookies.clear()


def test_signing_out_leads_to_the_landing_page(browser: Hall) -> None:
    html = sign_in_from_landing(browser, "admin")
    out = browser.client.post(
        "/sign-out", data={"csrf": csrf_of(html), "next": "/"}, follow_redirects=False
    )
    assert out.status_code == 303
    assert out.headers["location"] == "/"
    assert links(browser.client.get("/").text) == {"/display", "/docs"}
