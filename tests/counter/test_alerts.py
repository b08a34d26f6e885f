"""Alerts on the desk: a quiet line under the header, from the server's alerts at start
and its raises and clears on the stream; a wait only on the desks of its service.

The server runs on a frozen clock; its own ticker (every second) does the check once the
test moves the clock, and the desk shows what the stream brings.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from counter_client.window import CounterWindow
from queue_core.clock import FrozenClock
from tests.counter.conftest import (
    OFFSCREEN_NOISE,
    WAIT_MS,
    Hall,
    MakeWindow,
    desk_of,
    open_counter,
    page_of,
    sign_in,
)
from tests.helpers.live_server import LiveServer
from tests.server.conftest import MONDAY_9AM, prepare_data_dir

pytestmark = OFFSCREEN_NOISE

PAPER_OUT_VI = "⚠ Máy in của kiosk 1 đã hết giấy: không in được số."
WAIT_TP_VI = "⚠ Tư pháp – Hộ tịch: có công dân đã chờ quá 20 phút chưa được gọi."


class ClockHall(Hall):
    def __init__(self, server: LiveServer, tokens: dict[str, str], clock: FrozenClock) -> None:
        super().__init__(server, tokens)
        self.clock = clock

    def beat(self, printer: str) -> None:
        with self.client("kiosk") as kiosk:
            kiosk.heartbeat(printer)  # type: ignore[arg-type]


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[ClockHall]:
    clock = FrozenClock(MONDAY_9AM)
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir, now=clock.now())
    server = LiveServer(data_dir, clock)
    server.start()
    yield ClockHall(server, tokens, clock)
    server.stop()


def desk_at(
    qtbot: QtBot, make_window: MakeWindow, number: int, who: str, **kw: str
) -> CounterWindow:
    window = make_window(**kw)
    sign_in(qtbot, window, who)
    open_counter(qtbot, window, number)
    return window


def test_the_desk_shows_its_alerts_quietly_and_drops_them_when_they_clear(
    qtbot: QtBot, hall: ClockHall, make_window: MakeWindow
) -> None:
    hall.beat("paper-out")  # before the desk starts: it reads the active alerts
    window = desk_at(qtbot, make_window, 1, "lan")
    desk, page = desk_of(window), page_of(window)
    qtbot.waitUntil(lambda: page.alerts.text() == PAPER_OUT_VI, timeout=WAIT_MS)
    assert page.alerts.isVisibleTo(page)
    assert page.alerts.textFormat() is Qt.TextFormat.PlainText  # names come from the server
    assert page.isActiveWindow() or window.isActiveWindow()  # not a pop-up: focus stays

    hall.issue("TP")
    hall.issue("DD")  # counter 1 serves TP alone
    hall.clock.advance(minutes=21)
    hall.beat("paper-out")  # still out of paper, and not offline
    qtbot.waitUntil(  # the server's ticker checks each second
        lambda: page.alerts.text() == f"{PAPER_OUT_VI}\n{WAIT_TP_VI}", timeout=WAIT_MS
    )
    qtbot.waitUntil(lambda: len(desk.alerts) == 3, timeout=WAIT_MS)  # DD's wait too

    qtbot.keyClick(window, Qt.Key.Key_F1)  # the citizen who waited is called
    qtbot.waitUntil(lambda: page.alerts.text() == PAPER_OUT_VI, timeout=WAIT_MS)
    hall.beat("ok")
    qtbot.waitUntil(lambda: not page.alerts.isVisibleTo(page), timeout=WAIT_MS)
    assert page.alerts.text() == ""
    assert [a.kind for a in desk.alerts.values()] == ["wait-over-target"]  # DD's, not shown


def test_a_wait_shows_on_every_desk_of_its_service_and_in_english(
    qtbot: QtBot, hall: ClockHall, make_window: MakeWindow
) -> None:
    hall.issue("DD")
    hall.clock.advance(minutes=21)
    window = desk_at(qtbot, make_window, 3, "hung", language="en")  # counter 3 serves DD
    page = page_of(window)
    qtbot.waitUntil(
        lambda: page.alerts.text() == "⚠ Đất đai: a citizen has waited longer than 20 minutes.",
        timeout=WAIT_MS,
    )
    hall.beat("paper-near-end")
    qtbot.waitUntil(
        lambda: page.alerts.text().endswith("⚠ The printer of kiosk 1 is nearly out of paper."),
        timeout=WAIT_MS,
    )


def test_the_compact_bar_counts_the_desks_alerts(
    qtbot: QtBot, hall: ClockHall, make_window: MakeWindow
) -> None:
    window = desk_at(qtbot, make_window, 1, "lan")
    window.set_compact(True)
    bar = window.bar
    assert bar is not None
    qtbot.waitUntil(bar.isVisible, timeout=WAIT_MS)
    assert not bar.alerts.isVisibleTo(bar)
    hall.beat("paper-out")
    qtbot.waitUntil(lambda: bar.alerts.isVisibleTo(bar), timeout=WAIT_MS)
    assert bar.alerts.text() == "⚠ 1"
    assert PAPER_OUT_VI.removeprefix("⚠ ") in bar.alerts.toolTip()
    hall.beat("ok")
    qtbot.waitUntil(lambda: not bar.alerts.isVisibleTo(bar), timeout=WAIT_MS)
