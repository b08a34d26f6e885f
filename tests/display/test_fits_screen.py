"""The wall board on 1366×768 and 1920×1080 with the longest names
and nine busy counters: every counter's and service's name shown whole, wrapped or
smaller, never ending in "…" (it showed "Quầy 7 – Tiế…", issue #10)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSize
from pytestqt.qtbot import QtBot

from display_board.app import LOCALE_DIR
from display_board.widgets import FitLabel
from display_board.window import BoardWindow
from queue_client import QueueClient
from queue_client.i18n import Translator
from queue_client.qt import EventBridge, install_fonts
from tests.helpers.fit import cut_parts, fits_screen
from tests.helpers.live_server import LiveServer
from tests.helpers.long_names import CODES, COUNTERS, SCREENS, SERVICES, SITE_NAME, site_text
from tests.server.conftest import prepare_data_dir

WAIT_MS = 10_000


@pytest.fixture(scope="module")
def busy_hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    """Nine counters, each serving a citizen but one paused."""
    data_dir = tmp_path_factory.mktemp("long") / "data"
    tokens = prepare_data_dir(data_dir, site_text())
    server = LiveServer(data_dir)
    server.start()
    with (
        QueueClient(server.url, tokens["kiosk"]) as kiosk,
        QueueClient(server.url, tokens["sup"]) as sup,
    ):
        for code in (*CODES, *CODES):
            kiosk.issue(code)
        for number, _name, _codes in COUNTERS:
            assert sup.call_next(number) is not None
        sup.pause(4, "Họp giao ban")  # "Tạm ngưng" is wider than a number
    yield server, tokens["display"]
    server.stop()


@pytest.mark.parametrize(("width", "height"), SCREENS, ids=str)
def test_the_board_shows_every_name_whole(
    qtbot: QtBot, busy_hall: tuple[LiveServer, str], width: int, height: int
) -> None:
    server, token = busy_hall
    with QueueClient(server.url, token) as client:
        window = BoardWindow(
            Translator(LOCALE_DIR, "display_board", "vi"),
            services=client.services,
            font_family=install_fonts(),
        )
        qtbot.addWidget(window)
        bridge = EventBridge(server.url, token, base_backoff_s=0.05, max_backoff_s=0.2)
        window.follow(bridge)
        window.resize(width, height)
        window.show()
        bridge.start()
        try:
            qtbot.waitUntil(lambda: window.banner_text() is None, timeout=WAIT_MS)
            qtbot.waitUntil(lambda: len(window.counter_numbers()) == len(COUNTERS), timeout=WAIT_MS)
            names = {label.text() for label in window.findChildren(FitLabel) if label.isVisible()}
            # Whole names, not shortened copies of them.
            assert {name for _, name, _ in COUNTERS} <= names
            assert {name for _, name in SERVICES} <= names
            assert SITE_NAME in names
            problems = fits_screen(window, QSize(width, height)) + cut_parts(window)
            assert problems == [], "\n".join(problems)
        finally:
            bridge.stop()
