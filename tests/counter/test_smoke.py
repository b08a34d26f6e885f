from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from counter_client.window import CounterWindow
from tests.counter.conftest import OFFSCREEN_NOISE, WAIT_MS, Hall

pytestmark = OFFSCREEN_NOISE


def test_f1_calls_the_next_citizen(qtbot: QtBot, hall: Hall, desk_window: CounterWindow) -> None:
    first = hall.issue("TP")
    desk = desk_window.desk
    assert desk is not None
    qtbot.waitUntil(lambda: [t.id for t in desk.waiting] == [first.id], timeout=WAIT_MS)
    qtbot.keyClick(desk_window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: hall.ticket(first.id).status == "called", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: desk.waiting == [], timeout=WAIT_MS)
    assert desk_window.desk_page is not None
    assert desk_window.desk_page.number.text() == first.number
