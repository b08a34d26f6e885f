"""Every HTML page the server makes carries CSP, no-framing and a referrer policy."""

from __future__ import annotations

import pytest

from queue_core.protocol import FOLLOW_CODE_HEADER
from tests.server.conftest import Hall, clock, hall

__all__ = ["clock", "hall"]  # the fixtures, shared with the server tests


def html_pages(hall: Hall) -> dict[str, str]:
    ticket = hall.client.post("/api/tickets", json={"service": "TP"}, headers=hall.headers("kiosk"))
    assert ticket.status_code == 201, ticket.text
    code = ticket.headers[FOLLOW_CODE_HEADER]
    display = hall.tokens["display"]
    return {
        "the board": f"/display?token={display}",
        "the board, no token": "/display",
        "the board, a wrong token": "/display?token=nope",
        "the board, a kiosk's token": f"/display?token={hall.tokens['kiosk']}",
        "a follow page": f"/t/{code}",
        "the follow page of nothing": "/t/khong-co-so-nay-zzzzzzzz",
        "Swagger UI": "/docs",
        "ReDoc": "/redoc",
        "Swagger's redirect": "/docs/oauth2-redirect",
    }


def test_every_html_page_has_the_security_headers(hall: Hall) -> None:
    seen = 0
    for name, path in html_pages(hall).items():
        response = hall.client.get(path)
        assert response.headers["content-type"].startswith("text/html"), (name, response.text)
        policy = response.headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in policy, name
        assert "object-src 'none'" in policy, name
        assert response.headers.get("x-frame-options") == "DENY", name
        assert response.headers.get("referrer-policy") == "same-origin", name
        seen += 1
    assert seen == 9


def test_the_board_may_only_load_from_this_server(hall: Hall) -> None:
    policy = hall.client.get(f"/display?token={hall.tokens['display']}").headers[
        "content-security-policy"
    ]
    assert "script-src 'self';" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]


@pytest.mark.parametrize("path", ["/api/health", "/display/display.js"])
def test_other_answers_are_left_alone(hall: Hall, path: str) -> None:
    assert "content-security-policy" not in hall.client.get(path).headers
