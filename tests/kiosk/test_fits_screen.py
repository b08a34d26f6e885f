"""Every screen of the kiosk and the rating tablet fits 1366×768 and 1920×1080 with nine
long-named services: nothing outside the window, no text cut or elided (issue #10)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from kiosk.app import KioskWindow
from kiosk.tablet import RatingTablet
from kiosk.texts import translator
from printer_drivers import EscposPrinter
from queue_client import QueueClient
from tests.helpers.fit import cut_parts, fits_screen
from tests.helpers.long_names import CODES, SCREENS, site_text
from tests.kiosk.conftest import FAST_STREAM, PIN, WAIT_MS, Hall, TimedPrinter

LONG = site_text()


def check(qtbot: QtBot, window: QWidget, screen: QSize, what: str) -> None:
    problems = fits_screen(window, screen) + cut_parts(window)
    assert problems == [], f"{what}:\n" + "\n".join(problems)


@pytest.fixture
def kiosk(
    qtbot: QtBot, hall: Hall, virtual_printer: tuple[TimedPrinter, str]
) -> Iterator[KioskWindow]:
    client = QueueClient(hall.server.url, hall.tokens["kiosk"])
    printer = EscposPrinter(virtual_printer[1])
    window = KioskWindow(
        client, translator("vi"), printer=printer, admin_pin=PIN, stream_options=FAST_STREAM
    )
    window.may_close = True
    qtbot.addWidget(window)
    yield window
    window.shutdown()
    client.close()
    printer.close()


@pytest.mark.parametrize("hall", [LONG], indirect=True)
@pytest.mark.parametrize(("width", "height"), SCREENS, ids=str)
def test_every_kiosk_screen_fits(
    qtbot: QtBot, hall: Hall, kiosk: KioskWindow, width: int, height: int
) -> None:
    screen = QSize(width, height)
    kiosk.resize(screen)
    kiosk.start()
    kiosk.show()
    qtbot.waitExposed(kiosk)
    qtbot.waitUntil(
        lambda: kiosk.link == "online" and len(kiosk.home.buttons) == len(CODES), timeout=WAIT_MS
    )
    check(qtbot, kiosk, screen, "home")
    kiosk.toggle_contrast()
    check(qtbot, kiosk, screen, "large text")
    kiosk.toggle_contrast()
    kiosk.home.priority_button.click()
    check(qtbot, kiosk, screen, "priority")
    kiosk.priority.groups["elderly"].click()
    check(qtbot, kiosk, screen, "priority services")
    kiosk.go_home()
    kiosk.home.buttons["NN"].click()
    qtbot.waitUntil(lambda: kiosk.result.printed is True, timeout=WAIT_MS)
    check(qtbot, kiosk, screen, "result")
    kiosk.go_home()
    kiosk.home.rating_button.click()
    kiosk.lookup.scan.setText("8001")
    kiosk.lookup.scan.returnPressed.emit()  # not a ticket's QR code: the error line shows
    check(qtbot, kiosk, screen, "rate by QR code")
    kiosk.go_home()
    kiosk.open_admin()
    kiosk.pin_screen.ok_button.click()  # no PIN typed: the error line shows too
    check(qtbot, kiosk, screen, "PIN")
    for key in PIN:
        kiosk.pin_screen.keypad.keys[key].click()
    kiosk.pin_screen.ok_button.click()
    qtbot.waitUntil(lambda: kiosk.stack.currentWidget() is kiosk.admin_menu, timeout=WAIT_MS)
    check(qtbot, kiosk, screen, "admin menu")
    kiosk.go_home()


@pytest.mark.parametrize("hall", [LONG], indirect=True)
@pytest.mark.parametrize(("width", "height"), SCREENS, ids=str)
def test_every_rating_tablet_screen_fits(
    qtbot: QtBot, hall: Hall, tmp_path: Path, width: int, height: int
) -> None:
    screen = QSize(width, height)
    with hall.client("kiosk") as kiosk_client:
        ticket = kiosk_client.issue("NN")
    with hall.client("sup") as sup:
        assert sup.call_next(8) is not None  # Quầy 8, the longest name
    with QueueClient(hall.server.url, hall.tokens["rating"]) as client:
        tablet = RatingTablet(client, 8, translator("vi"), admin_pin=PIN)
        tablet.may_close = True
        qtbot.addWidget(tablet)
        try:
            tablet.resize(screen)
            tablet.start()
            tablet.show()
            qtbot.waitExposed(tablet)
            qtbot.waitUntil(lambda: bool(tablet.page.name.text()), timeout=WAIT_MS)
            check(qtbot, tablet, screen, "tablet")
            with hall.client("sup") as sup:
                sup.complete(ticket.id)
            qtbot.waitUntil(lambda: tablet.stack.currentWidget() is tablet.rating, timeout=WAIT_MS)
            check(qtbot, tablet, screen, "rating")
            tablet.rating.question.levels[1].click()  # least satisfied: why?
            qtbot.waitUntil(
                lambda: tablet.rating.currentWidget() is tablet.rating.reasons_page,
                timeout=WAIT_MS,
            )
            check(qtbot, tablet, screen, "rating reasons")
        finally:
            tablet.shutdown()
