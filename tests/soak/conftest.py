"""The soak tests' hall: a live server on the test site, a clerk and a kiosk beside the
app under test, and the knob that makes the day longer (`--soak-scale` or
`MOTCUA_SOAK_SCALE`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from queue_client import QueueClient
from queue_core.protocol import TicketOut
from tests.helpers.live_server import LiveServer
from tests.server.conftest import prepare_data_dir
from tests.soak.gauge import scale

WAIT_MS = 10_000
FAST_STREAM = {"base_backoff_s": 0.05, "max_backoff_s": 0.3}
TIMEOUT_S = 120  # per test at scale 1; CI runs the four in well under that together


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--soak-scale",
        type=float,
        default=None,
        help="Multiply the soak tests' rounds and events (default 1, or MOTCUA_SOAK_SCALE).",
    )


def pytest_configure(config: pytest.Config) -> None:
    chosen = config.getoption("--soak-scale", default=None)
    if chosen is not None:
        os.environ["MOTCUA_SOAK_SCALE"] = str(chosen)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.soak)
            item.add_marker(pytest.mark.timeout(round(TIMEOUT_S * max(1.0, scale()))))
            # The offscreen platform warns whenever a window's size limits change.
            item.add_marker(pytest.mark.qt_log_ignore("does not support propagateSizeHints"))


class Hall:
    """The live server and the people around the app under test: a kiosk, clerk Lan."""

    def __init__(self, server: LiveServer, tokens: dict[str, str]) -> None:
        self.server = server
        self.tokens = tokens
        self.kiosk = QueueClient(server.url, tokens["kiosk"])
        self.clerk = QueueClient(server.url, tokens["lan"])

    @property
    def url(self) -> str:
        return self.server.url

    def issue(self, service: str = "TP") -> TicketOut:
        return self.kiosk.issue(service)

    def serve_next(self, counter: int = 1) -> TicketOut:
        """Clerk Lan calls the next citizen to `counter` and completes the visit."""
        called = self.clerk.call_next(counter)
        assert called is not None
        return self.clerk.complete(called.id)

    def close(self) -> None:
        self.kiosk.close()
        self.clerk.close()


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[Hall]:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir)
    server = LiveServer(data_dir)
    server.start()
    hall = Hall(server, tokens)
    yield hall
    hall.close()
    server.stop()
