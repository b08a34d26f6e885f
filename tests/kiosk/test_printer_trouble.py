"""Printer trouble: the number is shown on screen with its QR code, and staff are told."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from kiosk.app import KioskWindow
from printer_drivers import PrinterStatus
from tests.kiosk.conftest import WAIT_MS, Hall, MakeKiosk, TimedPrinter, touch, wait_ready


def test_paper_out_shows_the_ticket_on_screen_and_the_server_sees_it(
    qtbot: QtBot, hall: Hall, kiosk: KioskWindow, virtual_printer: tuple[TimedPrinter, str]
) -> None:
    printer, _url = virtual_printer
    qtbot.waitUntil(lambda: hall.device_printer() == "ok", timeout=WAIT_MS)
    # The roll runs out between two status checks: the kiosk still believes it is fine.
    printer.play(PrinterStatus.PAPER_OUT)
    touch(qtbot, kiosk.home.buttons["TP"])
    qtbot.waitUntil(lambda: kiosk.stack.currentWidget() is kiosk.on_screen, timeout=WAIT_MS)

    [ticket] = hall.waiting()  # the number is real…
    assert printer.printouts == []  # …only the paper is missing
    assert printer.dropped == 0  # the driver checked first and sent nothing
    screen = kiosk.on_screen
    assert screen.alert.text() == "Máy in đã hết giấy nên chưa in được vé của Ông/Bà."
    assert screen.card.number.text() == ticket.number == "1001"
    [issued] = kiosk.issued
    assert issued.id == ticket.id
    assert issued.follow_code is not None
    assert screen.url == f"{hall.server.url}/t/{issued.follow_code}"
    assert (
        screen.qr_caption.text()
        == "Quét mã để theo dõi lượt và đánh giá trên điện thoại của Ông/Bà"
    )
    pixmap = screen.qr.pixmap()
    assert not pixmap.isNull()
    assert pixmap.width() >= 160
    assert "chụp ảnh màn hình" in screen.instructions.text()
    assert kiosk.monitor.status is PrinterStatus.PAPER_OUT
    qtbot.waitUntil(lambda: hall.device_printer() == "paper-out", timeout=WAIT_MS)

    touch(qtbot, screen.done_button)
    assert kiosk.home.notice.isVisible()
    assert kiosk.home.notice.text() == (
        "Máy in đang hết giấy: số thứ tự của Ông/Bà sẽ hiện trên màn hình."
    )


def test_a_new_roll_prints_again_and_the_server_hears_it(
    qtbot: QtBot, hall: Hall, kiosk: KioskWindow, virtual_printer: tuple[TimedPrinter, str]
) -> None:
    printer, _url = virtual_printer
    printer.play(PrinterStatus.PAPER_OUT)
    kiosk.monitor.check()
    qtbot.waitUntil(lambda: hall.device_printer() == "paper-out", timeout=WAIT_MS)
    assert kiosk.home.notice.isVisible()

    printer.play(PrinterStatus.PAPER_NEAR_END)  # staff put in a short roll
    kiosk.monitor.check()
    qtbot.waitUntil(lambda: hall.device_printer() == "paper-near-end", timeout=WAIT_MS)
    assert kiosk.home.notice.isHidden()  # still prints: citizens need not know
    touch(qtbot, kiosk.home.buttons["DD"])
    qtbot.waitUntil(lambda: kiosk.result.printed is True, timeout=WAIT_MS)
    assert len(printer.printouts) == 1


def test_a_cover_left_open_is_noticed_after_printing(
    qtbot: QtBot, hall: Hall, kiosk: KioskWindow, virtual_printer: tuple[TimedPrinter, str]
) -> None:
    printer, _url = virtual_printer
    touch(qtbot, kiosk.home.buttons["TP"])
    qtbot.waitUntil(lambda: kiosk.result.printed is True, timeout=WAIT_MS)
    printer.play(PrinterStatus.COVER_OPEN)  # someone opens it to look
    kiosk.monitor.check()
    qtbot.waitUntil(lambda: hall.device_printer() == "cover-open", timeout=WAIT_MS)
    touch(qtbot, kiosk.result.done_button)
    assert kiosk.home.notice.text().startswith("Nắp máy in đang mở")


def test_a_kiosk_without_a_printer_shows_every_ticket_on_screen(
    qtbot: QtBot, hall: Hall, make_kiosk: MakeKiosk
) -> None:
    window = make_kiosk(printing=False)
    wait_ready(qtbot, window)
    touch(qtbot, window.home.buttons["TP"])
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.on_screen, timeout=WAIT_MS)
    assert window.on_screen.alert.text() == "Kiosk này không in vé giấy."
    assert window.on_screen.card.number.text() == "1001"
    qtbot.waitUntil(lambda: window.monitor.heartbeats >= 1, timeout=WAIT_MS)
    assert hall.device_printer() is None
