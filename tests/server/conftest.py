"""The real app on a real SQLite file, with a frozen clock we can move."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from queue_core.clock import FrozenClock
from queue_server.app import create_app
from queue_server.auth import Role, add_device, add_user, issue_user_token
from queue_server.database import open_store
from queue_server.settings import Settings
from tests.helpers.fake_hub import FakeHub

# 09:00 on a Monday in Hồ Chí Minh City: inside any sensible issuing hours.
MONDAY_9AM = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)

SITE = """
[site]
name = "Trung tâm Phục vụ hành chính công xã Thử Nghiệm"
rating_scale = 3

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

[[counters]]
number = 1
name = "Quầy 1"
services = ["TP"]

[[counters]]
number = 2
name = "Quầy 2"
services = ["TP", "DD"]

[[counters]]
number = 3
name = "Quầy 3"
services = ["DD"]
"""


class Hall:
    """A running app with its tokens, for tests that read like a day at the centre."""

    def __init__(self, client: TestClient, data_dir: Path, clock: FrozenClock) -> None:
        self.client = client
        self.data_dir = data_dir
        self.clock = clock
        self.tokens: dict[str, str] = {}

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def issue(self, service: str = "TP", **extra: object) -> dict[str, object]:
        response = self.client.post(
            "/api/tickets", json={"service": service, **extra}, headers=self.headers("kiosk")
        )
        assert response.status_code == 201, response.text
        body: dict[str, object] = response.json()
        return body

    def call_next(self, counter: int, who: str = "lan") -> dict[str, object] | None:
        response = self.client.post(f"/api/counters/{counter}/call-next", headers=self.headers(who))
        if response.status_code == 204:
            return None
        assert response.status_code == 200, response.text
        body: dict[str, object] = response.json()
        return body


# Argon2 at its defaults costs ~0.3 s a hash here; tests need no such strength.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORDS = {"lan": "mat-khau-1", "hung": "mat-khau-2", "sup": "mat-khau-3", "admin": "mat-khau-4"}
STAFF = (
    ("lan", Role.CLERK, "Nguyễn Thị Lan"),
    ("hung", Role.CLERK, "Trần Văn Hùng"),
    ("sup", Role.SUPERVISOR, "Lê Minh Giám Sát"),
    ("admin", Role.ADMIN, None),
)


def prepare_data_dir(
    data_dir: Path, site_text: str = SITE, now: datetime | None = None
) -> dict[str, str]:
    """A database with a kiosk, a display, a rating tablet and three staff; returns tokens."""
    site_file = data_dir / "site.toml"
    data_dir.mkdir(parents=True, exist_ok=True)
    site_file.write_text(site_text, encoding="utf-8")
    store = open_store(data_dir, site_file)
    tokens: dict[str, str] = {}
    now = now or datetime.now(UTC)
    with store.transaction():
        for kind in (Role.KIOSK, Role.DISPLAY, Role.RATING, Role.COUNTER):
            _, tokens[kind.value] = add_device(store, f"{kind.value} 1", kind, now)
        for username, role, name in STAFF:
            add_user(store, username, PASSWORDS[username], role, name, now, FAST_HASHER)
            tokens[username], _ = issue_user_token(store, username, now, 12 * 3600)
    store.close()
    return tokens


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(MONDAY_9AM)


@pytest.fixture
def hall(tmp_path: Path, clock: FrozenClock) -> Iterator[Hall]:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir, now=clock.now())
    app = create_app(Settings(data_dir=data_dir), clock=clock)
    with TestClient(app) as client:
        hall = Hall(client, data_dir, clock)
        hall.tokens.update(tokens)
        yield hall


def open_hall(
    data_dir: Path, site_text: str = SITE, clock: FrozenClock | None = None
) -> Iterator[Hall]:
    """A running hall on a fresh `data_dir`, for fixtures of any scope or another site:
    `yield from open_hall(...)`."""
    clock = clock or FrozenClock(MONDAY_9AM)
    tokens = prepare_data_dir(data_dir, site_text=site_text, now=clock.now())
    with TestClient(create_app(Settings(data_dir=data_dir), clock=clock)) as client:
        hall = Hall(client, data_dir, clock)
        hall.tokens.update(tokens)
        yield hall


@pytest.fixture(scope="module")
def shared_hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    """One hall for a module's tests that each change nothing (and check that they don't)."""
    yield from open_hall(tmp_path_factory.mktemp("shared") / "data")


@pytest.fixture
def fake_hub() -> Iterator[FakeHub]:
    """A stand-in province hub on 127.0.0.1 (see `tests.helpers.fake_hub`)."""
    hub = FakeHub()
    hub.start()
    try:
        yield hub
    finally:
        hub.stop()
