"""A service whose issuing a supervisor closed early today (issue #14): the kiosk redraws
its button from the event stream, greyed with the reason in the citizen's language, and
again when it is reopened; a touch on it takes no number."""

from __future__ import annotations

import httpx
from pytestqt.qtbot import QtBot

from kiosk.app import KioskWindow
from tests.kiosk.conftest import WAIT_MS, Hall, MakeKiosk, wait_ready


def order(hall: Hall, path: str) -> None:
    headers = {"Authorization": f"Bearer {hall.tokens['sup']}"}
    httpx.post(f"{hall.server.url}{path}", headers=headers).raise_for_status()


def test_the_kiosk_greys_out_a_service_closed_early_and_back(
    qtbot: QtBot, hall: Hall, kiosk: KioskWindow
) -> None:
    button = kiosk.home.buttons["DD"]
    assert button.service.open
    order(hall, "/api/services/DD/close-today")
    qtbot.waitUntil(lambda: not kiosk.home.buttons["DD"].service.open, timeout=WAIT_MS)
    button = kiosk.home.buttons["DD"]
    assert button.detail.text() == (
        "Hôm nay đã dừng cấp số, mời Ông/Bà quay lại vào ngày làm việc tiếp theo"
    )
    assert kiosk.home.buttons["TP"].service.open
    order(hall, "/api/services/DD/reopen")
    qtbot.waitUntil(lambda: kiosk.home.buttons["DD"].service.open, timeout=WAIT_MS)


def test_in_english_the_kiosk_says_it_in_english(
    qtbot: QtBot, hall: Hall, make_kiosk: MakeKiosk
) -> None:
    order(hall, "/api/services/TP/close-today")
    kiosk = make_kiosk(language="en")
    wait_ready(qtbot, kiosk)
    button = kiosk.home.buttons["TP"]
    assert not button.service.open
    assert button.detail.text() == (
        "No more numbers today: please come back on the next working day"
    )
