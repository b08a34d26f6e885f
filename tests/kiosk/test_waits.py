"""A wait under a minute reads "dưới 1 phút" on the kiosk, as on the printed ticket."""

from __future__ import annotations

from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from kiosk.result import TicketCard
from kiosk.texts import translator
from kiosk.widgets import ServiceButton
from printer_drivers import TicketContent
from queue_core.model import TicketStatus
from queue_core.protocol import ServiceOut, TicketOut


def _ticket(ahead: int, minutes: int) -> TicketOut:
    return TicketOut(
        id=7,
        number="1007",
        service="TP",
        service_name="Tư pháp – Hộ tịch",
        status=TicketStatus.WAITING,
        issued_at=datetime(2026, 11, 30, 8, 0, tzinfo=UTC),
        waiting_ahead=ahead,
        estimated_wait_minutes=minutes,
    )


def _service(waiting: int, minutes: int) -> ServiceOut:
    return ServiceOut(
        code="TP",
        name="Tư pháp – Hộ tịch",
        prefix="1",
        waiting=waiting,
        open=True,
        estimated_wait_minutes=minutes,
        issued_today=waiting,
        waiting_target_minutes=20,
    )


def test_the_ticket_card_says_under_a_minute_like_the_paper(qtbot: QtBot) -> None:
    card = TicketCard(translator("vi"))
    qtbot.addWidget(card)
    ticket = _ticket(ahead=1, minutes=0)
    card.show_ticket(ticket)
    assert card.wait.text() == "Thời gian chờ dự kiến: dưới 1 phút"
    assert not card.wait.isHidden()
    paper = TicketContent.from_ticket(ticket, site_name="Trung tâm")
    assert paper.wait_text == "Dự kiến chờ: dưới 1 phút"
    card.show_ticket(_ticket(ahead=3, minutes=12))
    assert card.wait.text() == "Thời gian chờ dự kiến: khoảng 12 phút"


def test_the_service_button_never_says_about_zero_minutes(qtbot: QtBot) -> None:
    button = ServiceButton(_service(waiting=1, minutes=0), translator("vi"))
    qtbot.addWidget(button)
    assert button.detail.text() == "1 người đang chờ · dưới 1 phút"
    button.update_service(_service(waiting=4, minutes=7))
    assert button.detail.text() == "4 người đang chờ · khoảng 7 phút"
    english = ServiceButton(_service(waiting=1, minutes=0), translator("en"))
    qtbot.addWidget(english)
    assert english.detail.text().endswith("under 1 min")
