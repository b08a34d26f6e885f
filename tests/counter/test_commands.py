"""Each command at the desk changes the server's state; the desk follows the events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from counter_client.dialogs import PauseDialog, TransferDialog, WalkInDialog
from counter_client.keys import Command
from counter_client.waiting import OVERDUE_BACKGROUND
from counter_client.window import CounterWindow
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


def called_here(qtbot: QtBot, window: CounterWindow, hall: Hall) -> int:
    """Call the next citizen with F1; returns the ticket's id."""
    qtbot.keyClick(window, Qt.Key.Key_F1)
    desk = desk_of(window)
    qtbot.waitUntil(lambda: desk.current is not None, timeout=WAIT_MS)
    wait_idle(qtbot, window)
    assert desk.current is not None
    return desk.current.id


def test_f1_calls_the_next_citizen_and_the_list_follows(
    qtbot: QtBot, hall: Hall, desk_window: CounterWindow
) -> None:
    first, second = hall.issue("TP"), hall.issue("TP")
    wait_waiting(qtbot, desk_window, [first.id, second.id])
    qtbot.keyClick(desk_window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: hall.ticket(first.id).status == "called", timeout=WAIT_MS)
    assert hall.counter(1).current_ticket is not None
    wait_waiting(qtbot, desk_window, [second.id])
    assert page_of(desk_window).number.text() == first.number
    assert "Tư pháp – Hộ tịch" in page_of(desk_window).service.text()


def test_a_calling_keypad_calls_next_with_its_digit_or_enter(
    qtbot: QtBot, hall: Hall, desk_window: CounterWindow
) -> None:
    first, second = hall.issue("TP"), hall.issue("TP")
    wait_waiting(qtbot, desk_window, [first.id, second.id])
    qtbot.keyClick(desk_window, Qt.Key.Key_1)  # the main keyboard's 1 calls nobody
    assert not desk_of(desk_window).busy
    qtbot.keyClick(desk_window, Qt.Key.Key_1, Qt.KeyboardModifier.KeypadModifier)
    qtbot.waitUntil(lambda: hall.ticket(first.id).status == "called", timeout=WAIT_MS)
    wait_idle(qtbot, desk_window)
    qtbot.keyClick(desk_window, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    qtbot.waitUntil(lambda: hall.ticket(second.id).status == "called", timeout=WAIT_MS)
    assert hall.ticket(first.id).status == "done"  # call-next completes the one before


def test_recall_says_how_many_times(qtbot: QtBot, hall: Hall, desk_window: CounterWindow) -> None:
    ticket = hall.issue("TP")
    called_here(qtbot, desk_window, hall)
    recall = desk_window.actions_by_command[Command.RECALL]
    assert recall.text() == "Gọi lại"
    qtbot.keyClick(desk_window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: hall.ticket(ticket.id).recalls == 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: recall.text() == "Gọi lại (1)", timeout=WAIT_MS)
    wait_idle(qtbot, desk_window)
    qtbot.keyClick(desk_window, Qt.Key.Key_2, Qt.KeyboardModifier.KeypadModifier)
    qtbot.waitUntil(lambda: hall.ticket(ticket.id).recalls == 2, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "đã gọi lại 2 lần" in page_of(desk_window).timer.text())


def test_no_show_frees_the_counter_and_counts_in_todays_figures(
    qtbot: QtBot, hall: Hall, desk_window: CounterWindow
) -> None:
    ticket = hall.issue("TP")
    called_here(qtbot, desk_window, hall)
    qtbot.keyClick(desk_window, Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: hall.ticket(ticket.id).status == "no_show", timeout=WAIT_MS)
    desk = desk_of(desk_window)
    qtbot.waitUntil(lambda: desk.current is None, timeout=WAIT_MS)
    page = page_of(desk_window)
    qtbot.waitUntil(lambda: page.no_shows.value.text() == "1", timeout=WAIT_MS)
    assert page.number.text() == "—"
    assert not desk_window.actions_by_command[Command.NO_SHOW].isEnabled()


def test_complete_by_button_counts_as_served(
    qtbot: QtBot, hall: Hall, desk_window: CounterWindow
) -> None:
    ticket = hall.issue("TP")
    called_here(qtbot, desk_window, hall)
    page = page_of(desk_window)
    qtbot.mouseClick(page.buttons[Command.COMPLETE], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: hall.ticket(ticket.id).status == "done", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: page.served.value.text() == "1", timeout=WAIT_MS)
    assert "Đã hoàn thành số 1001" in page.status.text()


def test_transfer_to_another_service(qtbot: QtBot, hall: Hall, desk_window: CounterWindow) -> None:
    ticket = hall.issue("TP")
    called_here(qtbot, desk_window, hall)
    qtbot.keyClick(desk_window, Qt.Key.Key_F5)
    dialog = desk_window.dialog
    assert isinstance(dialog, TransferDialog)
    dialog.choose_service("DD")
    dialog.accept()
    qtbot.waitUntil(lambda: hall.ticket(ticket.id).service == "DD", timeout=WAIT_MS)
    moved = hall.ticket(ticket.id)
    assert (moved.status, moved.number) == ("waiting", ticket.number)
    qtbot.waitUntil(lambda: desk_of(desk_window).current is None, timeout=WAIT_MS)
    assert "Đất đai" in page_of(desk_window).status.text()


def test_transfer_to_a_counter(qtbot: QtBot, hall: Hall, desk_window: CounterWindow) -> None:
    ticket = hall.issue("TP")
    called_here(qtbot, desk_window, hall)
    desk_window.run_command(Command.TRANSFER)
    dialog = desk_window.dialog
    assert isinstance(dialog, TransferDialog)
    dialog.choose_counter(3)
    dialog.accept()
    qtbot.waitUntil(lambda: hall.ticket(ticket.id).target_counter == 3, timeout=WAIT_MS)
    status = page_of(desk_window).status
    qtbot.waitUntil(lambda: "sang quầy 3" in status.text(), timeout=WAIT_MS)


def test_pause_with_a_reason_then_resume(
    qtbot: QtBot, hall: Hall, desk_window: CounterWindow
) -> None:
    acts = desk_window.actions_by_command
    qtbot.keyClick(desk_window, Qt.Key.Key_F6)
    dialog = desk_window.dialog
    assert isinstance(dialog, PauseDialog)
    dialog.reason.setEditText("Họp giao ban đầu tuần")
    dialog.accept()
    qtbot.waitUntil(lambda: hall.counter(1).state == "paused", timeout=WAIT_MS)
    assert hall.counter(1).pause_reason == "Họp giao ban đầu tuần"
    page = page_of(desk_window)
    qtbot.waitUntil(lambda: acts[Command.PAUSE].text() == "Tiếp tục", timeout=WAIT_MS)
    wait_idle(qtbot, desk_window)
    assert "Họp giao ban đầu tuần" in page.banner.text()
    assert not acts[Command.CALL_NEXT].isEnabled()
    assert not acts[Command.WALK_IN].isEnabled()
    qtbot.keyClick(desk_window, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: hall.counter(1).state == "open", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: acts[Command.CALL_NEXT].isEnabled(), timeout=WAIT_MS)
    assert page.banner.isHidden()


def test_a_citizen_without_a_ticket_is_issued_one_and_served_here(
    qtbot: QtBot, hall: Hall, desk_window: CounterWindow
) -> None:
    waiting = hall.issue("TP")
    wait_waiting(qtbot, desk_window, [waiting.id])
    qtbot.keyClick(desk_window, Qt.Key.Key_F7)
    dialog = desk_window.dialog
    assert isinstance(dialog, WalkInDialog)
    dialog.choose_service("TP")
    dialog.accept()
    qtbot.waitUntil(lambda: hall.counter(1).current_ticket is not None, timeout=WAIT_MS)
    served = hall.counter(1).current_ticket
    assert served is not None
    assert served.walk_in
    assert served.id != waiting.id
    qtbot.waitUntil(lambda: page_of(desk_window).number.text() == served.number, timeout=WAIT_MS)
    assert hall.ticket(waiting.id).status == "waiting"


def test_call_a_chosen_number_from_the_list(
    qtbot: QtBot, hall: Hall, desk_window: CounterWindow
) -> None:
    tickets = [hall.issue("TP") for _ in range(3)]
    wait_waiting(qtbot, desk_window, [t.id for t in tickets])
    call_chosen = desk_window.actions_by_command[Command.CALL_CHOSEN]
    assert not call_chosen.isEnabled()
    page_of(desk_window).table.choose(tickets[2].id)
    assert call_chosen.isEnabled()
    qtbot.keyClick(desk_window, Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: hall.ticket(tickets[2].id).status == "called", timeout=WAIT_MS)
    wait_waiting(qtbot, desk_window, [tickets[0].id, tickets[1].id])


def test_a_double_click_calls_once(qtbot: QtBot, hall: Hall, desk_window: CounterWindow) -> None:
    first, second = hall.issue("TP"), hall.issue("TP")
    wait_waiting(qtbot, desk_window, [first.id, second.id])
    button = page_of(desk_window).buttons[Command.CALL_NEXT]
    qtbot.mouseDClick(button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # and an impatient third click
    qtbot.waitUntil(lambda: hall.ticket(first.id).status == "called", timeout=WAIT_MS)
    wait_idle(qtbot, desk_window)
    wait_waiting(qtbot, desk_window, [second.id])
    assert hall.ticket(second.id).status == "waiting"


def test_the_list_follows_the_hall(qtbot: QtBot, hall: Hall, desk_window: CounterWindow) -> None:
    tp, dd = hall.issue("TP"), hall.issue("DD")
    urgent = hall.issue("TP", priority=True)
    # Counter 1 serves TP only, and will call the priority citizen first.
    wait_waiting(qtbot, desk_window, [urgent.id, tp.id])
    table = page_of(desk_window).table
    assert [table.item(row, 3).text() for row in range(2)] == ["★ Ưu tiên", ""]
    with hall.client("hung") as hung:
        hung.call_next(2)  # another clerk takes the priority citizen
    wait_waiting(qtbot, desk_window, [tp.id])
    assert dd.id not in [t.id for t in desk_of(desk_window).waiting]


def test_tickets_over_the_waiting_target_stand_out(
    qtbot: QtBot, hall: Hall, make_window: MakeWindow
) -> None:
    late = {"by": timedelta(0)}
    window = make_window(now=lambda: datetime.now(UTC) + late["by"])
    sign_in(qtbot, window)
    open_counter(qtbot, window, 1)
    ticket = hall.issue("TP")
    wait_waiting(qtbot, window, [ticket.id])
    page = page_of(window)
    assert page.table.overdue() == 0
    assert page.table.item(0, 2).text() == "dưới 1 phút"  # not "0 phút"
    late["by"] = timedelta(minutes=25)  # the test site's target is 20 minutes
    page.tick()
    assert page.table.overdue() == 1
    assert page.table.item(0, 2).text() == "25 phút"
    assert page.table.item(0, 0).background().color() == OVERDUE_BACKGROUND
    assert "1 số quá thời gian chờ" in page.waiting_title.text()
