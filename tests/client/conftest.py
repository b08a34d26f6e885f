from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.live_server import LiveServer
from tests.server.conftest import prepare_data_dir


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    data_dir = tmp_path / "data"
    live = LiveServer(data_dir)
    live.tokens = prepare_data_dir(data_dir)  # type: ignore[attr-defined]
    live.start()
    yield live
    live.stop()


@pytest.fixture
def tokens(server: LiveServer) -> dict[str, str]:
    found: dict[str, str] = server.tokens  # type: ignore[attr-defined]
    return found
