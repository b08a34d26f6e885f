"""Leaving full screen or closing the kiosk takes the staff PIN."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from kiosk.app import KioskWindow
from tests.kiosk.conftest import PIN, WAIT_MS, touch


def type_pin(qtbot: QtBot, window: KioskWindow, pin: str) -> None:
    for digit in pin:
        touch(qtbot, window.pin_screen.keypad.keys[digit])
    touch(qtbot, window.pin_screen.ok_button)


def test_a_citizen_cannot_close_the_kiosk_or_leave_full_screen(
    qtbot: QtBot, kiosk: KioskWindow
) -> None:
    kiosk.may_close = False  # as in full screen
    assert not kiosk.close()
    assert kiosk.isVisible()
    qtbot.keyClick(kiosk, Qt.Key.Key_Escape)
    assert kiosk.isVisible()
    # A short press on the centre's name does nothing.
    qtbot.mouseClick(kiosk.header.site, Qt.MouseButton.LeftButton)
    assert kiosk.stack.currentWidget() is kiosk.home
    kiosk.may_close = True


def test_holding_the_centre_s_name_asks_for_the_pin(qtbot: QtBot, kiosk: KioskWindow) -> None:
    kiosk.may_close = False
    site = kiosk.header.site
    site._timer.setInterval(50)  # 3 s on a real kiosk
    qtbot.mousePress(site, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    qtbot.waitUntil(lambda: kiosk.stack.currentWidget() is kiosk.pin_screen, timeout=WAIT_MS)
    qtbot.mouseRelease(site, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))

    type_pin(qtbot, kiosk, "1111")
    assert kiosk.pin_screen.error.text() == "Mã không đúng."
    assert kiosk.pin_screen.keypad.display.text() == " "
    type_pin(qtbot, kiosk, PIN)
    assert kiosk.stack.currentWidget() is kiosk.admin_menu
    assert "Máy in: ok" in kiosk.admin_menu.details.text()
    touch(qtbot, kiosk.admin_menu.window_button)
    assert kiosk.may_close
    assert kiosk.stack.currentWidget() is kiosk.home


def test_too_many_wrong_pins_lock_the_pad(qtbot: QtBot, kiosk: KioskWindow) -> None:
    kiosk.open_admin()
    for _ in range(5):
        type_pin(qtbot, kiosk, "9999")
    type_pin(qtbot, kiosk, PIN)
    assert kiosk.stack.currentWidget() is kiosk.pin_screen
    assert kiosk.pin_screen.error.text().startswith("Nhập sai mã quá nhiều lần")
