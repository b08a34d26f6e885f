"""A counter a supervisor sends to help another service (issue #14): its desk names that
service too, lists its waiting tickets and shows its long waits, and calls them; sent
back, it no longer does."""

from __future__ import annotations

import httpx
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.counter.conftest import (
    OFFSCREEN_NOISE,
    WAIT_MS,
    MakeWindow,
    desk_of,
    open_counter,
    page_of,
    sign_in,
)
from tests.counter.test_alerts import ClockHall, hall  # noqa: F401  (the fixture)

pytestmark = OFFSCREEN_NOISE


def order(at: ClockHall, path: str, body: object = None) -> None:
    headers = {"Authorization": f"Bearer {at.tokens['sup']}"}
    httpx.post(f"{at.server.url}{path}", json=body, headers=headers).raise_for_status()


def test_a_desk_sent_to_help_shows_and_calls_that_service(
    qtbot: QtBot,
    hall: ClockHall,  # noqa: F811
    make_window: MakeWindow,
) -> None:
    land = hall.issue("DD")
    hall.clock.advance(minutes=21)
    window = make_window()
    sign_in(qtbot, window, "lan")
    open_counter(qtbot, window, 1)  # counter 1 serves TP alone
    desk, page = desk_of(window), page_of(window)
    qtbot.waitUntil(lambda: len(desk.alerts) == 1, timeout=WAIT_MS)  # DD's wait, not shown
    assert desk.desk_alerts() == []
    assert desk.waiting == []

    order(hall, "/api/counters/1/help", {"service": "DD"})
    qtbot.waitUntil(lambda: desk.counter.helps == "DD", timeout=WAIT_MS)
    assert "Đất đai" in page.place.toolTip()
    qtbot.waitUntil(lambda: [t.id for t in desk.waiting] == [land.id], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Đất đai" in page.alerts.text(), timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_F1)  # calls the land office's citizen here
    qtbot.waitUntil(
        lambda: desk.current is not None and desk.current.id == land.id, timeout=WAIT_MS
    )
    qtbot.waitUntil(lambda: not page.alerts.isVisibleTo(page), timeout=WAIT_MS)  # cleared

    order(hall, "/api/counters/1/end-help")
    qtbot.waitUntil(lambda: desk.counter.helps is None, timeout=WAIT_MS)
    assert "Đất đai" not in page.place.toolTip()
