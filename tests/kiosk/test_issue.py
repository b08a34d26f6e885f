"""Taking a number: one touch, one ticket on the server, the same ticket on paper."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

import kiosk.app as app_module
import kiosk.shell as shell_module
from kiosk.app import KioskWindow
from printer_drivers import TicketContent, render_ticket
from tests.kiosk.conftest import WAIT_MS, Hall, TimedPrinter, double_touch, touch


def expected_print(hall: Hall, window: KioskWindow, ticket_id: int) -> bytes:
    """The raster the kiosk should have sent for the server's ticket."""
    ticket = hall.ticket(ticket_id)
    [issued] = [t for t in window.issued if t.id == ticket_id]
    assert issued.follow_code is not None
    with hall.client("kiosk") as client:
        counters = client.counters()
    content = TicketContent.from_ticket(
        ticket,
        site_name="Trung tâm Phục vụ hành chính công xã Thử Nghiệm",
        counters=counters,
        qr_url=f"{hall.server.url}/t/{issued.follow_code}",
    )
    assert window.follow_url(issued) == content.qr_url
    image: bytes = render_ticket(content).tobytes()
    return image


def test_one_touch_issues_one_ticket_and_prints_it(
    qtbot: QtBot, hall: Hall, kiosk: KioskWindow, virtual_printer: tuple[TimedPrinter, str]
) -> None:
    printer, _url = virtual_printer
    touch(qtbot, kiosk.home.buttons["TP"])
    qtbot.waitUntil(lambda: kiosk.result.printed is True, timeout=WAIT_MS)

    [ticket] = hall.waiting()
    assert (ticket.number, ticket.service, ticket.priority) == ("1001", "TP", False)
    [printout] = printer.printouts
    [raster] = printout.rasters
    # The waiting count moved on since, so the ticket is rendered as it was issued.
    issued = kiosk.issued[-1]
    assert issued.id == ticket.id
    assert raster.tobytes() == expected_print(hall, kiosk, ticket.id)
    card = kiosk.result.card
    assert kiosk.stack.currentWidget() is kiosk.result
    assert card.caption.text() == "SỐ THỨ TỰ CỦA ÔNG/BÀ"
    assert (card.number.text(), card.service.text()) == ("1001", "Tư pháp – Hộ tịch")
    assert card.ahead.text() == "Không có người chờ trước Ông/Bà"
    assert card.where.text() == "Nơi phục vụ: Quầy 1, Quầy 2"
    assert kiosk.result.status.text() == "Xin mời nhận vé ở khe bên dưới và chờ gọi số."


def test_the_next_citizen_sees_the_queue_grow(qtbot: QtBot, hall: Hall, kiosk: KioskWindow) -> None:
    touch(qtbot, kiosk.home.buttons["TP"])
    qtbot.waitUntil(lambda: kiosk.result.printed is True, timeout=WAIT_MS)
    touch(qtbot, kiosk.result.done_button)
    assert kiosk.stack.currentWidget() is kiosk.home
    button = kiosk.home.buttons["TP"]
    qtbot.waitUntil(lambda: button.detail.text().startswith("1 người đang chờ"), timeout=WAIT_MS)
    # 10 minutes a case over counter 1 (TP alone) and half of counter 2 (TP and DD).
    assert button.detail.text() == "1 người đang chờ · khoảng 7 phút"
    touch(qtbot, button)
    qtbot.waitUntil(lambda: len(kiosk.issued) == 2 and kiosk.result.printed, timeout=WAIT_MS)
    assert kiosk.result.card.number.text() == "1002"
    assert kiosk.result.card.ahead.text() == "Có 1 người chờ trước Ông/Bà"
    assert kiosk.result.card.wait.text() == "Thời gian chờ dự kiến: khoảng 7 phút"


def test_a_double_touch_makes_one_ticket(
    qtbot: QtBot, hall: Hall, kiosk: KioskWindow, virtual_printer: tuple[TimedPrinter, str]
) -> None:
    printer, _url = virtual_printer
    double_touch(qtbot, kiosk.home.buttons["TP"])
    qtbot.waitUntil(lambda: kiosk.result.printed is True, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: kiosk.runner.busy == 0, timeout=WAIT_MS)
    assert [t.number for t in hall.waiting()] == ["1001"]
    assert len(printer.printouts) == 1
    assert len(kiosk.issued) == 1


def test_a_retried_request_reuses_its_key(qtbot: QtBot, hall: Hall, kiosk: KioskWindow) -> None:
    kiosk.take_number("TP")
    attempt = kiosk.attempt
    assert attempt is not None
    qtbot.waitUntil(lambda: len(kiosk.issued) == 1, timeout=WAIT_MS)
    kiosk._issue(attempt)  # as "Try again" would, had the answer been lost on the way
    qtbot.waitUntil(lambda: len(kiosk.issued) == 2, timeout=WAIT_MS)
    assert kiosk.issued[0].id == kiosk.issued[1].id
    assert len(hall.waiting()) == 1


def test_priority_is_three_touches_and_prints_a_priority_ticket(
    qtbot: QtBot, hall: Hall, kiosk: KioskWindow
) -> None:
    touch(qtbot, kiosk.home.priority_button)
    assert kiosk.stack.currentWidget() is kiosk.priority
    assert kiosk.priority.title.text() == "Số ưu tiên dành cho:"
    assert [b.text() for b in kiosk.priority.groups.values()] == [
        "Người cao tuổi (từ đủ 60 tuổi trở lên)",
        "Người khuyết tật",
        "Phụ nữ mang thai",
        "Người có công với cách mạng",
    ]
    touch(qtbot, kiosk.priority.groups["elderly"])
    assert kiosk.stack.currentWidget() is kiosk.home
    assert kiosk.home.priority_banner.isVisible()
    touch(qtbot, kiosk.home.buttons["DD"])
    qtbot.waitUntil(lambda: kiosk.result.printed is True, timeout=WAIT_MS)
    [ticket] = hall.waiting()
    assert (ticket.service, ticket.priority) == ("DD", True)
    assert kiosk.result.card.badge.isVisible()
    touch(qtbot, kiosk.result.done_button)
    assert not kiosk.home.priority  # the next citizen starts with an ordinary number


def test_backing_out_of_priority_takes_no_number(
    qtbot: QtBot, hall: Hall, kiosk: KioskWindow
) -> None:
    touch(qtbot, kiosk.home.priority_button)
    touch(qtbot, kiosk.priority.back)
    assert kiosk.stack.currentWidget() is kiosk.home
    touch(qtbot, kiosk.home.priority_button)
    touch(qtbot, kiosk.priority.groups["pregnant"])
    touch(qtbot, kiosk.home.back_button)
    assert not kiosk.home.priority
    assert kiosk.home.priority_button.isVisible()
    assert hall.waiting() == []


def test_a_full_service_says_why_and_a_late_touch_is_told_calmly(
    qtbot: QtBot, hall: Hall, kiosk: KioskWindow
) -> None:
    with hall.client("kiosk") as other_kiosk:
        for _ in range(3):  # the land service's daily cap
            other_kiosk.issue("DD")
    button = kiosk.home.buttons["DD"]
    qtbot.waitUntil(lambda: button.service.open is False, timeout=WAIT_MS)
    assert "hết số" in button.detail.text().lower()
    assert button.property("closed") == "true"
    touch(qtbot, button)
    assert kiosk.stack.currentWidget() is kiosk.home  # a closed service takes no touch

    kiosk.take_number("DD")  # as if touched just before the home screen knew
    qtbot.waitUntil(lambda: kiosk.stack.currentWidget() is kiosk.message, timeout=WAIT_MS)
    assert kiosk.message.title.text() == "Chưa lấy được số"
    assert "hết số" in kiosk.message.body.text().lower()
    assert kiosk.message.retry_button.isHidden()
    touch(qtbot, kiosk.message.home_button)
    assert len(hall.waiting()) == 3


def test_the_result_goes_home_by_itself(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, kiosk: KioskWindow
) -> None:
    monkeypatch.setattr(app_module, "RESULT_MS", 200)
    touch(qtbot, kiosk.home.buttons["TP"])
    qtbot.waitUntil(lambda: kiosk.result.printed is True, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: kiosk.stack.currentWidget() is kiosk.home, timeout=WAIT_MS)


def test_english_and_large_text_for_one_citizen_then_back_to_vietnamese(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, kiosk: KioskWindow
) -> None:
    header = kiosk.header
    assert header.language.text() == "English"
    touch(qtbot, header.language)
    assert kiosk.home.title.text() == "Please choose the service you need"
    assert header.language.text() == "Tiếng Việt"
    assert kiosk.home.buttons["TP"].detail.text() == "Nobody waiting"
    touch(qtbot, header.contrast)
    assert kiosk.contrast
    assert "#ffd400" in kiosk.styleSheet()
    assert header.contrast.text() == "Normal text"

    monkeypatch.setattr(shell_module, "IDLE_MS", 100)
    qtbot.mouseClick(kiosk.home.title, Qt.MouseButton.LeftButton)  # the last touch
    qtbot.waitUntil(lambda: kiosk.texts.language == "vi", timeout=WAIT_MS)
    assert not kiosk.contrast
    assert kiosk.stack.currentWidget() is kiosk.home
    assert kiosk.home.title.text() == "Xin mời chọn lĩnh vực cần giải quyết"
    assert header.language.text() == "English"


def test_the_buttons_fit_landscape_and_portrait(qtbot: QtBot, kiosk: KioskWindow) -> None:
    grid = kiosk.home.grid

    def cell(code: str) -> tuple[int, int]:
        row, column, _rows, _columns = grid.getItemPosition(grid.indexOf(kiosk.home.buttons[code]))
        return row, column

    assert (cell("TP"), cell("DD")) == ((0, 0), (0, 1))  # side by side
    kiosk.resize(1080, 1920)
    qtbot.waitUntil(lambda: cell("DD") == (1, 0), timeout=WAIT_MS)  # one above the other
    assert kiosk.height() == 1920
    kiosk.resize(1920, 1080)
    qtbot.waitUntil(lambda: cell("DD") == (0, 1), timeout=WAIT_MS)
    assert kiosk.size().toTuple() == (1920, 1080)
