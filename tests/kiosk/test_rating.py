"""Rating a visit, end to end: on the counter's tablet after the clerk completes a ticket,
and at the kiosk by the ticket's QR code. One rating per ticket; a second is thanked."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

import kiosk.rating as rating_module
import kiosk.tablet as tablet_module
from kiosk.app import KioskWindow
from kiosk.tablet import RatingTablet
from queue_client import Conflict
from queue_core.protocol import TicketOut
from queue_server.store import DATABASE_NAME
from tests.kiosk.conftest import SITE_5, WAIT_MS, Hall, touch

MakeTablet = Callable[[int], RatingTablet]


def served(hall: Hall, counter: int = 1, who: str = "lan") -> TicketOut:
    """A citizen takes a number, is called to `counter` and served."""
    with hall.client("kiosk") as kiosk:
        ticket = kiosk.issue("TP")
    with hall.client(who) as clerk:
        called = clerk.call_next(counter)
        assert called is not None
        assert called.id == ticket.id
        return clerk.complete(ticket.id)


def ratings(hall: Hall) -> list[dict[str, object]]:
    with sqlite3.connect(hall.server.data_dir / DATABASE_NAME) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("select * from ratings order by ticket_id")]


@pytest.fixture(autouse=True)
def quick_thanks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rating_module, "THANKS_MS", 300)


def test_the_tablet_shows_its_clerk_and_asks_after_a_completion(
    qtbot: QtBot, hall: Hall, make_tablet: MakeTablet
) -> None:
    tablet = make_tablet(1)
    page = tablet.page
    qtbot.waitUntil(lambda: page.name.text() == "Quầy 1", timeout=WAIT_MS)
    assert page.clerk.text() == "Quầy đang đóng"

    with hall.client("kiosk") as kiosk:
        ticket = kiosk.issue("TP")
    hall.call_next(1)
    qtbot.waitUntil(lambda: page.clerk.text() == "Cán bộ: Nguyễn Thị Lan", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: page.current.text() == "Đang phục vụ số 1001", timeout=WAIT_MS)
    assert tablet.stack.currentWidget() is page

    with hall.client("lan") as lan:
        lan.complete(ticket.id)
    qtbot.waitUntil(lambda: tablet.stack.currentWidget() is tablet.rating, timeout=WAIT_MS)
    question = tablet.rating.question
    assert question.question.text() == "Ông/Bà có hài lòng với chất lượng phục vụ?"
    assert question.about.text() == "1001 · Tư pháp – Hộ tịch · Nguyễn Thị Lan"
    assert [b.text() for b in question.levels.values()] == [
        "Rất hài lòng",
        "Hài lòng",
        "Không hài lòng",
    ]
    touch(qtbot, question.levels[2])
    qtbot.waitUntil(
        lambda: tablet.rating.message.title.text() == "Cảm ơn Ông/Bà đã đánh giá!",
        timeout=WAIT_MS,
    )
    [rating] = ratings(hall)
    assert (rating["ticket_id"], rating["score"], rating["counter"]) == (ticket.id, 2, 1)
    qtbot.waitUntil(lambda: tablet.stack.currentWidget() is page, timeout=WAIT_MS)
    with hall.client("rating") as device, pytest.raises(Conflict) as refused:
        device.rate(ticket.id, 3)
    assert refused.value.error == "AlreadyRated"


def test_a_ticket_rated_already_is_thanked_not_refused(
    qtbot: QtBot, hall: Hall, make_tablet: MakeTablet
) -> None:
    tablet = make_tablet(1)
    ticket = served(hall)
    qtbot.waitUntil(lambda: tablet.stack.currentWidget() is tablet.rating, timeout=WAIT_MS)
    with hall.client("kiosk") as kiosk:  # rated meanwhile at the kiosk
        kiosk.rate(ticket.id, 1)
    touch(qtbot, tablet.rating.question.levels[3])
    message = tablet.rating.message
    qtbot.waitUntil(lambda: message.title.text() == "Xin cảm ơn Ông/Bà!", timeout=WAIT_MS)
    assert message.body.text() == "Số 1001 đã được đánh giá rồi."
    assert message.retry_button.isHidden()
    qtbot.waitUntil(lambda: tablet.stack.currentWidget() is tablet.page, timeout=WAIT_MS)
    assert [r["score"] for r in ratings(hall)] == [1]


@pytest.mark.parametrize("hall", [SITE_5], indirect=True)
def test_five_levels_and_reasons_for_dissatisfaction(
    qtbot: QtBot, hall: Hall, make_tablet: MakeTablet
) -> None:
    tablet = make_tablet(1)
    ticket = served(hall)
    qtbot.waitUntil(lambda: tablet.stack.currentWidget() is tablet.rating, timeout=WAIT_MS)
    question = tablet.rating.question
    assert [b.text() for b in question.levels.values()] == [
        "Rất hài lòng",
        "Hài lòng",
        "Bình thường",
        "Không hài lòng",
        "Rất không hài lòng",
    ]
    touch(qtbot, question.levels[2])  # "Không hài lòng": the reasons are offered
    reasons = tablet.rating.reasons_page
    assert tablet.rating.currentWidget() is reasons
    assert [b.text() for b in reasons.reasons] == ["Chờ đợi quá lâu", "Thái độ phục vụ chưa tốt"]
    touch(qtbot, reasons.reasons[0])
    touch(qtbot, reasons.send_button)
    qtbot.waitUntil(lambda: tablet.stack.currentWidget() is tablet.page, timeout=WAIT_MS)
    [rating] = ratings(hall)
    assert (rating["ticket_id"], rating["score"], rating["scale"]) == (ticket.id, 2, 5)
    assert json.loads(str(rating["reasons"])) == {"reasons": ["Chờ đợi quá lâu"]}


def test_other_counters_and_replayed_completions_ask_nothing(
    qtbot: QtBot, hall: Hall, make_tablet: MakeTablet
) -> None:
    tablet = make_tablet(3)
    served(hall, counter=1)
    tablet.bridge.stop()  # the tablet's cable is pulled…
    with hall.client("kiosk") as kiosk:
        land = kiosk.issue("DD")
    with hall.client("hung") as hung:
        assert hung.call_next(3) is not None
        hung.complete(land.id)
    tablet.bridge.start()  # …and plugged back in: that completion is old news
    qtbot.waitUntil(lambda: tablet.page.clerk.text() == "Cán bộ: Trần Văn Hùng", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: tablet.link == "online", timeout=WAIT_MS)
    assert tablet.stack.currentWidget() is tablet.page


def test_a_citizen_who_walks_away_is_not_waited_for(
    qtbot: QtBot, hall: Hall, make_tablet: MakeTablet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tablet_module, "RATING_MS", 300)
    tablet = make_tablet(1)
    served(hall)
    qtbot.waitUntil(lambda: tablet.stack.currentWidget() is tablet.rating, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: tablet.stack.currentWidget() is tablet.page, timeout=WAIT_MS)
    assert ratings(hall) == []


def follow_code(hall: Hall, ticket_id: int) -> str:
    """The follow code printed in the ticket's QR code."""
    with sqlite3.connect(hall.server.data_dir / DATABASE_NAME) as db:
        [(code,)] = db.execute("select follow_code from tickets where id = ?", [ticket_id])
    assert isinstance(code, str)
    return code


def test_the_kiosk_rates_a_visit_by_its_tickets_qr_code_not_by_a_typed_number(
    qtbot: QtBot, hall: Hall, kiosk: KioskWindow
) -> None:
    with hall.client("kiosk") as other:
        first, _second = other.issue("TP"), other.issue("TP")
    hall.call_next(1)
    touch(qtbot, kiosk.home.rating_button)
    lookup = kiosk.lookup
    assert kiosk.stack.currentWidget() is lookup

    def scan(text: str) -> None:
        """What a USB scanner does: type the QR code's text, then Enter."""
        qtbot.keyClicks(lookup.scan, text)
        qtbot.keyClick(lookup.scan, Qt.Key.Key_Return)

    scan("1001")  # a number anyone can type is no ticket
    assert lookup.error.text() == "Đây không phải mã QR trên vé. Xin thử lại."
    scan(f"{hall.server.url}/t/1")  # nor is an old QR code's ticket id
    assert lookup.error.text() == "Đây không phải mã QR trên vé. Xin thử lại."
    scan(f"{hall.server.url}/t/khongphaimacuave")
    qtbot.waitUntil(lambda: "không thuộc vé nào" in lookup.error.text(), timeout=WAIT_MS)
    address = f"http://10.0.0.2:8000/t/{follow_code(hall, first.id)}"
    scan(address)  # being served right now
    qtbot.waitUntil(lambda: "chưa được phục vụ xong" in lookup.error.text(), timeout=WAIT_MS)
    hall.call_next(1)  # 1001 is done
    scan(address)
    qtbot.waitUntil(lambda: kiosk.stack.currentWidget() is kiosk.rating, timeout=WAIT_MS)
    assert kiosk.rating.question.about.text() == "1001 · Tư pháp – Hộ tịch · Quầy 1"
    touch(qtbot, kiosk.rating.question.levels[3])
    qtbot.waitUntil(lambda: kiosk.stack.currentWidget() is kiosk.home, timeout=WAIT_MS)
    assert [(r["ticket_id"], r["score"]) for r in ratings(hall)] == [(first.id, 3)]

    touch(qtbot, kiosk.home.rating_button)  # the same visit again
    scan(address)
    qtbot.waitUntil(lambda: kiosk.stack.currentWidget() is kiosk.rating, timeout=WAIT_MS)
    touch(qtbot, kiosk.rating.question.levels[1])
    message = kiosk.rating.message
    qtbot.waitUntil(lambda: message.body.text() == "Số 1001 đã được đánh giá rồi.", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: kiosk.stack.currentWidget() is kiosk.home, timeout=WAIT_MS)
    assert len(ratings(hall)) == 1
