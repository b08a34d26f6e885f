"""The server goes away mid-session and comes back: the desk recovers by itself."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from counter_client.window import CounterWindow
from tests.counter.conftest import (
    OFFSCREEN_NOISE,
    WAIT_MS,
    Hall,
    desk_of,
    page_of,
    wait_idle,
    wait_waiting,
)

pytestmark = OFFSCREEN_NOISE


def test_a_server_restart_mid_session(qtbot: QtBot, hall: Hall, desk_window: CounterWindow) -> None:
    desk, page = desk_of(desk_window), page_of(desk_window)
    before = hall.issue("TP")
    wait_waiting(qtbot, desk_window, [before.id])

    hall.server.stop()
    qtbot.waitUntil(lambda: desk.link == "offline", timeout=WAIT_MS)
    assert page.link.text() == "● Mất kết nối, đang thử lại…"
    assert page.banner.isVisibleTo(page)
    assert "Mất kết nối máy chủ" in page.banner.text()
    # A command while the server is away: a calm sentence, and the desk stays usable.
    qtbot.keyClick(desk_window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: "Không kết nối được máy chủ" in page.status.text(), timeout=WAIT_MS)
    assert page.status.property("error") is True
    wait_idle(qtbot, desk_window)

    hall.server.start()
    qtbot.waitUntil(lambda: desk.link == "online", timeout=WAIT_MS)
    assert page.link.text() == "● Đã kết nối"
    assert page.banner.isHidden()
    after = hall.issue("TP")  # the list is live again
    wait_waiting(qtbot, desk_window, [before.id, after.id])
    qtbot.keyClick(desk_window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: hall.ticket(before.id).status == "called", timeout=WAIT_MS)
    wait_waiting(qtbot, desk_window, [after.id])


def test_what_changed_while_away_is_read_again(
    qtbot: QtBot, hall: Hall, desk_window: CounterWindow
) -> None:
    desk = desk_of(desk_window)
    desk.stop()  # the desk loses its stream (a cable pulled)…
    waiting = [hall.issue("TP") for _ in range(2)]
    with hall.client("sup") as supervisor:
        supervisor.call_ticket(1, waiting[0].id)  # …while the supervisor calls at its counter
    desk.start()  # …and plugged back in
    qtbot.waitUntil(lambda: desk.current is not None, timeout=WAIT_MS)
    assert desk.current is not None
    assert desk.current.id == waiting[0].id
    wait_waiting(qtbot, desk_window, [waiting[1].id])
