"""The compact always-on-top bar, and the desk in English."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from counter_client.keys import Command
from counter_client.window import CounterWindow
from tests.counter.conftest import (
    OFFSCREEN_NOISE,
    WAIT_MS,
    Hall,
    MakeWindow,
    open_counter,
    page_of,
    sign_in,
    wait_waiting,
)

pytestmark = OFFSCREEN_NOISE


def test_the_compact_bar_stays_on_top_and_keeps_the_keys(
    qtbot: QtBot, hall: Hall, desk_window: CounterWindow
) -> None:
    ticket = hall.issue("TP")
    wait_waiting(qtbot, desk_window, [ticket.id])
    qtbot.keyClick(desk_window, Qt.Key.Key_F9)
    bar = desk_window.bar
    assert bar is not None
    qtbot.waitUntil(bar.isVisible, timeout=WAIT_MS)
    assert not desk_window.isVisible()
    assert bar.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert bar.height() < 100
    assert bar.waiting.text() == "Đang chờ: 1"
    qtbot.waitUntil(bar.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(bar, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: hall.ticket(ticket.id).status == "called", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bar.number.text() == ticket.number, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bar.waiting.text() == "Đang chờ: 0", timeout=WAIT_MS)
    qtbot.mouseClick(bar.buttons[Command.COMPACT], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(desk_window.isVisible, timeout=WAIT_MS)
    assert not bar.isVisible()
    assert page_of(desk_window).number.text() == ticket.number


def test_closing_the_bar_opens_the_full_desk(qtbot: QtBot, desk_window: CounterWindow) -> None:
    desk_window.set_compact(True)
    bar = desk_window.bar
    assert bar is not None
    bar.close()
    qtbot.waitUntil(desk_window.isVisible, timeout=WAIT_MS)
    assert not desk_window.compact


def test_the_desk_speaks_english_on_request(
    qtbot: QtBot, hall: Hall, make_window: MakeWindow
) -> None:
    window = make_window(language="en")
    assert window.sign_in_page.submit.text() == "Sign in"
    sign_in(qtbot, window)
    open_counter(qtbot, window, 1)
    page = page_of(window)
    assert page.buttons[Command.CALL_NEXT].label.text() == "Call next\nF1 · Num 1"
    assert page.buttons[Command.WALK_IN].label.text() == "Citizen without a ticket\nF7 · Num 7"
    assert page.link.text() == "● Connected"
