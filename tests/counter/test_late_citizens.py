"""A citizen who came late, at the desk against a live server: the no-show undone with
F10 while it may be, and the ticket put back in the queue from the desk's list or by its
number."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from counter_client.dialogs import RequeueDialog
from counter_client.keys import Command
from counter_client.window import CounterWindow
from queue_core.dispatch import UNDO_NO_SHOW_WINDOW
from tests.counter.conftest import (
    OFFSCREEN_NOISE,
    WAIT_MS,
    Hall,
    MakeWindow,
    desk_of,
    open_counter,
    page_of,
    sign_in,
    wait_idle,
    wait_waiting,
)

pytestmark = OFFSCREEN_NOISE


def marked_absent(qtbot: QtBot, window: CounterWindow) -> int:
    """Call the next citizen (F1) and mark them absent (F3); returns the ticket's id."""
    desk = desk_of(window)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: desk.current is not None, timeout=WAIT_MS)
    wait_idle(qtbot, window)
    assert desk.current is not None
    ticket_id = desk.current.id
    qtbot.keyClick(window, Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: desk.current is None, timeout=WAIT_MS)
    wait_idle(qtbot, window)
    return ticket_id


def test_f10_undoes_the_no_show_while_the_button_counts_down(
    qtbot: QtBot, hall: Hall, desk_window: CounterWindow
) -> None:
    ticket = hall.issue("TP")
    undo = desk_window.actions_by_command[Command.UNDO_NO_SHOW]
    button = page_of(desk_window).undo_button
    assert not button.isVisible()
    marked_absent(qtbot, desk_window)
    qtbot.waitUntil(button.isVisible, timeout=WAIT_MS)
    assert undo.isEnabled()
    assert undo.text().startswith(f"Hoàn tác vắng mặt số {ticket.number} (")
    qtbot.keyClick(desk_window, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: hall.ticket(ticket.id).status == "called", timeout=WAIT_MS)
    desk = desk_of(desk_window)
    qtbot.waitUntil(lambda: desk.current is not None, timeout=WAIT_MS)
    assert hall.counter(1).current_ticket is not None
    assert page_of(desk_window).number.text() == ticket.number
    qtbot.waitUntil(lambda: not button.isVisible(), timeout=WAIT_MS)
    assert "trở lại quầy" in page_of(desk_window).status.text()


def test_the_undo_goes_once_its_minutes_are_over(
    qtbot: QtBot, hall: Hall, make_window: MakeWindow
) -> None:
    offset = [timedelta()]
    window = make_window(now=lambda: datetime.now(UTC) + offset[0])
    sign_in(qtbot, window)
    open_counter(qtbot, window, 1)
    hall.issue("TP")
    marked_absent(qtbot, window)
    button = page_of(window).undo_button
    qtbot.waitUntil(button.isVisible, timeout=WAIT_MS)
    offset[0] = UNDO_NO_SHOW_WINDOW
    qtbot.waitUntil(lambda: not button.isVisible(), timeout=WAIT_MS)
    assert not window.actions_by_command[Command.UNDO_NO_SHOW].isEnabled()


def test_the_undo_waits_while_the_next_citizen_is_served(
    qtbot: QtBot, hall: Hall, desk_window: CounterWindow
) -> None:
    hall.issue("TP")
    hall.issue("TP")
    marked_absent(qtbot, desk_window)
    qtbot.keyClick(desk_window, Qt.Key.Key_F1)
    desk = desk_of(desk_window)
    qtbot.waitUntil(lambda: desk.current is not None, timeout=WAIT_MS)
    wait_idle(qtbot, desk_window)
    assert page_of(desk_window).undo_button.isVisible()
    assert not desk_window.actions_by_command[Command.UNDO_NO_SHOW].isEnabled()


def test_a_late_citizen_goes_back_first_in_the_queue_from_the_desks_list(
    qtbot: QtBot, hall: Hall, desk_window: CounterWindow
) -> None:
    late = hall.issue("TP")
    absent_id = marked_absent(qtbot, desk_window)
    other = hall.issue("TP")
    wait_waiting(qtbot, desk_window, [other.id])
    qtbot.keyClick(desk_window, Qt.Key.Key_F11)
    dialog = desk_window.dialog
    assert isinstance(dialog, RequeueDialog)
    assert dialog.tickets.currentItem().text().startswith(f"{late.number} · Tư pháp – Hộ tịch")
    dialog.accept()
    qtbot.waitUntil(lambda: hall.ticket(absent_id).status == "waiting", timeout=WAIT_MS)
    wait_waiting(qtbot, desk_window, [absent_id, other.id])
    wait_idle(qtbot, desk_window)
    assert "vào lại hàng chờ" in page_of(desk_window).status.text()
    assert desk_of(desk_window).no_shows == []


def test_a_late_citizen_goes_back_by_the_number_on_the_ticket(
    qtbot: QtBot, hall: Hall, make_window: MakeWindow
) -> None:
    # Marked absent by Hùng at counter 2; Lan at counter 1 (same service) puts it back.
    late = hall.issue("TP")
    with hall.client("hung") as hung:
        hung.open_counter(2)
        called = hung.call_next(2)
        assert called is not None
        hung.no_show(called.id)
    window = make_window()
    sign_in(qtbot, window)
    open_counter(qtbot, window, 1)
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.KeypadModifier)
    dialog = window.dialog
    assert isinstance(dialog, RequeueDialog)
    qtbot.keyClicks(dialog.number, "9999")
    dialog.accept()
    qtbot.waitUntil(lambda: "chưa cấp số 9999" in page_of(window).status.text(), timeout=WAIT_MS)
    wait_idle(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F11)
    dialog = window.dialog
    assert isinstance(dialog, RequeueDialog)
    qtbot.keyClicks(dialog.number, late.number)
    dialog.accept()
    qtbot.waitUntil(lambda: hall.ticket(late.id).status == "waiting", timeout=WAIT_MS)
    wait_waiting(qtbot, window, [late.id])


def test_a_refused_requeue_says_why_in_vietnamese(
    qtbot: QtBot, hall: Hall, desk_window: CounterWindow
) -> None:
    waiting = hall.issue("TP")
    wait_waiting(qtbot, desk_window, [waiting.id])
    qtbot.keyClick(desk_window, Qt.Key.Key_F11)
    dialog = desk_window.dialog
    assert isinstance(dialog, RequeueDialog)
    qtbot.keyClicks(dialog.number, waiting.number)
    dialog.accept()
    status = page_of(desk_window).status
    qtbot.waitUntil(lambda: "hàng chờ" in status.text(), timeout=WAIT_MS)
    assert status.property("error") is True
    assert hall.ticket(waiting.id).status == "waiting"
