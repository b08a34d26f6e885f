"""`POST /api/auth/logout`: the caller's own token stops working, no other."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.conftest import PASSWORDS, Hall, open_hall


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[Hall]:
    yield from open_hall(tmp_path / "data")


def token_of(hall: Hall, username: str) -> dict[str, str]:
    response = hall.client.post(
        "/api/auth/token", data={"username": username, "password": PASSWORDS[username]}
    )
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_signing_out_revokes_that_token_alone(hall: Hall) -> None:
    here, elsewhere = token_of(hall, "lan"), token_of(hall, "lan")
    response = hall.client.post("/api/auth/logout", headers=here)
    assert response.status_code == 204
    assert hall.client.get("/api/auth/me", headers=here).status_code == 401
    assert hall.client.post("/api/auth/logout", headers=here).status_code == 401
    assert hall.client.get("/api/auth/me", headers=elsewhere).status_code == 200


def test_a_device_cannot_sign_itself_out(hall: Hall) -> None:
    response = hall.client.post("/api/auth/logout", headers=hall.headers("kiosk"))
    assert response.status_code == 403
    assert "detail" in response.json()
    assert hall.client.get("/api/services", headers=hall.headers("kiosk")).status_code == 200


def test_signing_out_needs_a_token(hall: Hall) -> None:
    assert hall.client.post("/api/auth/logout").status_code == 401
