"""The server goes away and comes back: the kiosk says so calmly, pretends no ticket, and
recovers by itself."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from kiosk.app import KioskWindow
from tests.kiosk.conftest import WAIT_MS, Hall, TimedPrinter, touch


def test_a_server_restart_mid_session(
    qtbot: QtBot, hall: Hall, kiosk: KioskWindow, virtual_printer: tuple[TimedPrinter, str]
) -> None:
    printer, _url = virtual_printer
    hall.server.stop()
    qtbot.waitUntil(lambda: kiosk.link == "offline", timeout=WAIT_MS)
    home = kiosk.home
    assert home.notice.text() == (
        "Đang kết nối với hệ thống… Xin Ông/Bà vui lòng chờ trong giây lát."
    )
    assert not home.buttons["TP"].isEnabled()
    assert not home.priority_button.isEnabled()

    # A touch that raced the outage: no ticket, a calm sentence and a way to retry.
    kiosk.take_number("TP")
    qtbot.waitUntil(lambda: kiosk.stack.currentWidget() is kiosk.message, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not kiosk.in_flight, timeout=WAIT_MS)
    assert kiosk.message.title.text() == "Chưa lấy được số"
    assert kiosk.message.body.text().startswith("Hệ thống đang kết nối lại.")
    assert kiosk.message.retry_button.isVisible()
    assert kiosk.issued == []
    assert printer.printouts == []

    hall.server.start()
    qtbot.waitUntil(lambda: kiosk.link == "online", timeout=WAIT_MS)
    touch(qtbot, kiosk.message.retry_button)  # the same request, under the same key
    qtbot.waitUntil(lambda: kiosk.result.printed is True, timeout=WAIT_MS)
    assert [t.number for t in hall.waiting()] == ["1001"]
    assert len(printer.printouts) == 1

    touch(qtbot, kiosk.result.done_button)
    assert home.notice.isHidden()
    qtbot.waitUntil(lambda: home.buttons["TP"].isEnabled(), timeout=WAIT_MS)
    touch(qtbot, home.buttons["TP"])
    qtbot.waitUntil(lambda: len(printer.printouts) == 2, timeout=WAIT_MS)
    assert [t.number for t in hall.waiting()] == ["1001", "1002"]


def test_the_printer_state_reaches_a_restarted_server_at_once(
    qtbot: QtBot, hall: Hall, kiosk: KioskWindow
) -> None:
    qtbot.waitUntil(lambda: hall.device_printer() == "ok", timeout=WAIT_MS)
    hall.server.stop()
    qtbot.waitUntil(lambda: kiosk.link == "offline", timeout=WAIT_MS)
    beats = kiosk.monitor.heartbeats
    hall.server.start()
    qtbot.waitUntil(lambda: kiosk.monitor.heartbeats > beats, timeout=WAIT_MS)
    assert hall.device_printer() == "ok"
