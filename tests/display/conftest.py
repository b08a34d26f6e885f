"""Fixtures of the display board's tests: a real server (in process or on a socket)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from queue_core.clock import FrozenClock
from queue_server.app import create_app
from queue_server.settings import Settings
from tests.helpers.live_server import LiveServer
from tests.server.conftest import MONDAY_9AM, prepare_data_dir


class App:
    """The real app in process, for the voice and web-page routes."""

    def __init__(self, client: TestClient, data_dir: Path, tokens: dict[str, str]) -> None:
        self.client = client
        self.data_dir = data_dir
        self.tokens = tokens

    def get(self, path: str, who: str | None = "display", **params: object) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return self.client.get(path, params=params, headers=headers)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    data_dir = tmp_path / "data"
    clock = FrozenClock(MONDAY_9AM)
    tokens = prepare_data_dir(data_dir, now=clock.now())
    with TestClient(create_app(Settings(data_dir=data_dir), clock=clock)) as client:
        yield App(client, data_dir, tokens)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    data_dir = tmp_path / "live"
    live = LiveServer(data_dir)
    live.tokens = prepare_data_dir(data_dir)  # type: ignore[attr-defined]
    live.start()
    yield live
    live.stop()


@pytest.fixture
def tokens(server: LiveServer) -> dict[str, str]:
    found: dict[str, str] = server.tokens  # type: ignore[attr-defined]
    return found
