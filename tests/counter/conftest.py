"""The desk against a real server: a LiveServer per test, a window signed in at a counter."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from counter_client.desk import Desk
from counter_client.desk_page import DeskPage
from counter_client.texts import translator
from counter_client.window import CounterWindow
from queue_client import QueueClient
from queue_core.protocol import CounterOut, TicketOut
from tests.helpers.live_server import LiveServer
from tests.server.conftest import PASSWORDS, prepare_data_dir

WAIT_MS = 10_000
# The offscreen platform warns whenever a window's size limits change; a real screen does not.
OFFSCREEN_NOISE = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
FAST_STREAM = {"base_backoff_s": 0.05, "max_backoff_s": 0.3}


class Hall:
    """The live server and what the test does beside the desk (kiosk, other clerks)."""

    def __init__(self, server: LiveServer, tokens: dict[str, str]) -> None:
        self.server = server
        self.tokens = tokens

    def client(self, who: str) -> QueueClient:
        return QueueClient(self.server.url, self.tokens[who])

    def issue(self, service: str = "TP", priority: bool = False) -> TicketOut:
        with self.client("kiosk") as kiosk:
            return kiosk.issue(service, priority)

    def counter(self, number: int) -> CounterOut:
        with self.client("sup") as sup:
            return sup.counter(number)

    def ticket(self, ticket_id: int) -> TicketOut:
        with self.client("sup") as sup:
            return sup.ticket(ticket_id)


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[Hall]:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir)
    server = LiveServer(data_dir)
    server.start()
    yield Hall(server, tokens)
    server.stop()


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "counter.ini"), QSettings.Format.IniFormat)


MakeWindow = Callable[..., CounterWindow]


@pytest.fixture
def make_window(qtbot: QtBot, hall: Hall, settings: QSettings) -> Iterator[MakeWindow]:
    clients: list[QueueClient] = []

    def make(
        language: str = "vi",
        counter: int | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> CounterWindow:
        client = QueueClient(hall.server.url)
        clients.append(client)
        window = CounterWindow(
            client,
            translator(language),
            settings,
            counter=counter,
            stream_options=FAST_STREAM,
            now=now,
        )
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    yield make
    for client in clients:
        client.close()


def sign_in(qtbot: QtBot, window: CounterWindow, who: str = "lan") -> None:
    page = window.sign_in_page
    page.username.setText(who)
    page.password.setText(PASSWORDS[who])
    page.submit.click()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.counter_page, timeout=WAIT_MS)


def open_counter(qtbot: QtBot, window: CounterWindow, number: int) -> None:
    window.counter_page.choose(number)
    window.counter_page.open_button.click()
    qtbot.waitUntil(lambda: window.desk_page is not None, timeout=WAIT_MS)
    assert window.desk is not None
    desk = window.desk
    qtbot.waitUntil(lambda: desk.link == "online", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bool(desk.services) and desk.stats is not None, timeout=WAIT_MS)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)


@pytest.fixture
def desk_window(qtbot: QtBot, make_window: MakeWindow) -> CounterWindow:
    """Nguyễn Thị Lan signed in at counter 1 (Tư pháp – Hộ tịch)."""
    window = make_window()
    sign_in(qtbot, window)
    open_counter(qtbot, window, 1)
    return window


def desk_of(window: CounterWindow) -> Desk:
    assert window.desk is not None
    return window.desk


def page_of(window: CounterWindow) -> DeskPage:
    assert window.desk_page is not None
    return window.desk_page


def wait_idle(qtbot: QtBot, window: CounterWindow) -> None:
    desk = desk_of(window)
    qtbot.waitUntil(lambda: not desk.busy, timeout=WAIT_MS)


def wait_waiting(qtbot: QtBot, window: CounterWindow, ids: list[int]) -> None:
    """Until the desk's list shows exactly `ids`, in that order."""
    desk = desk_of(window)
    qtbot.waitUntil(lambda: [t.id for t in desk.waiting] == ids, timeout=WAIT_MS)
