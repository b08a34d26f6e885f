"""Timestamps are kept in one form (UTC), whatever offset the clock that made them has."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta, timezone
from pathlib import Path

import pytest

from queue_core.clock import FrozenClock
from tests.server.conftest import MONDAY_9AM, PASSWORDS, Hall, open_hall

HANOI = timezone(timedelta(hours=7))


@pytest.fixture
def hanoi_hall(tmp_path: Path) -> Iterator[Hall]:
    """A hall whose clock tells the time with a +07:00 offset (09:00 local)."""
    yield from open_hall(tmp_path / "data", clock=FrozenClock(MONDAY_9AM.astimezone(HANOI)))


def services_status(hall: Hall, token: str) -> int:
    response = hall.client.get("/api/services", headers={"Authorization": f"Bearer {token}"})
    return response.status_code


@pytest.mark.parametrize("hours", [11.9, 12.1, 18])
def test_a_user_token_expires_after_12_hours_under_a_plus_seven_clock(
    hanoi_hall: Hall, hours: float
) -> None:
    token = hanoi_hall.tokens["lan"]
    assert services_status(hanoi_hall, token) == 200
    hanoi_hall.clock.advance(hours=hours)
    assert services_status(hanoi_hall, token) == (200 if hours < 12 else 401)


def test_a_token_from_the_login_expires_after_12_hours_under_a_plus_seven_clock(
    hanoi_hall: Hall,
) -> None:
    response = hanoi_hall.client.post(
        "/api/auth/token", data={"username": "hung", "password": PASSWORDS["hung"]}
    )
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    hanoi_hall.clock.advance(hours=12, seconds=1)
    assert services_status(hanoi_hall, token) == 401
