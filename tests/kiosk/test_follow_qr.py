"""The QR code the kiosk prints opens the ticket's own follow page, by its code.

A text-mode printer receives the QR code as data (GS ( k), which the virtual printer decodes:
the URL a phone reads off the paper, checked end to end.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from pytestqt.qtbot import QtBot

from kiosk.app import KioskWindow
from kiosk.texts import translator
from printer_drivers import EscposPrinter
from queue_client import QueueClient
from tests.kiosk.conftest import FAST_STREAM, PIN, WAIT_MS, Hall, TimedPrinter, touch, wait_ready


@pytest.fixture
def text_kiosk(
    qtbot: QtBot, hall: Hall, virtual_printer: tuple[TimedPrinter, str]
) -> Iterator[KioskWindow]:
    client = QueueClient(hall.server.url, hall.tokens["kiosk"])
    printer = EscposPrinter(f"{virtual_printer[1]}?mode=text")
    window = KioskWindow(
        client, translator("vi"), printer=printer, admin_pin=PIN, stream_options=FAST_STREAM
    )
    window.may_close = True
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.start()
    window.show()
    wait_ready(qtbot, window)
    yield window
    window.shutdown()
    client.close()
    printer.close()


def test_the_printed_qr_code_opens_the_ticket_by_its_unguessable_code(
    qtbot: QtBot, hall: Hall, text_kiosk: KioskWindow, virtual_printer: tuple[TimedPrinter, str]
) -> None:
    printer, _url = virtual_printer
    touch(qtbot, text_kiosk.home.buttons["TP"])
    qtbot.waitUntil(lambda: len(printer.printouts) == 1, timeout=WAIT_MS)
    [ticket] = text_kiosk.issued
    [qr] = printer.printouts[0].qr_codes
    assert ticket.follow_code is not None
    assert qr == f"{hall.server.url}/t/{ticket.follow_code}"
    assert qr.rsplit("/", 1)[1] != str(ticket.id)
    assert "Quét mã QR để theo dõi và đánh giá" in printer.printouts[0].texts
    page = httpx.get(qr)
    assert page.status_code == 200
    assert "1001" in page.text
    assert "Đang chờ đến lượt" in page.text
