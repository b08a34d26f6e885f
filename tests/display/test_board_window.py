"""The Qt wall board against a real server: calls, recalls, the banner, zones, language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from display_board.announcer import Announcer
from display_board.app import LOCALE_DIR
from display_board.board import Zone
from display_board.voice_source import ServerVoice
from display_board.window import BoardWindow
from queue_client import QueueClient
from queue_client.i18n import Translator
from queue_client.qt import EventBridge, install_fonts
from queue_core.clock import FrozenClock
from tests.helpers.fake_audio import FakeAudioOutput
from tests.helpers.live_server import LiveServer
from tests.server.conftest import MONDAY_9AM, prepare_data_dir

WAIT_MS = 10_000


class Hall:
    """A board on screen, following a live server, with a fake loudspeaker."""

    def __init__(
        self,
        qtbot: QtBot,
        server: LiveServer,
        tokens: dict[str, str],
        tmp_path: Path,
        zone: Zone | None = None,
        language: str = "vi",
        clock: FrozenClock | None = None,
        board: str | None = None,
    ) -> None:
        self.server = server
        self.tokens = tokens
        self.speaker = FakeAudioOutput()
        voice = ServerVoice(server.url, tokens["display"], tmp_path / "sounds")
        self.announcer = Announcer(self.speaker, voice, pause_ms=5, gap_ms=5)
        self.client = QueueClient(server.url, tokens["display"])
        self.window = BoardWindow(
            Translator(LOCALE_DIR, "display_board", language),
            zone=zone,
            board=board,
            announcer=self.announcer,
            services=self.client.services,
            clock=clock,
            font_family=install_fonts(),
        )
        qtbot.addWidget(self.window)
        self.bridge = EventBridge(
            server.url, tokens["display"], base_backoff_s=0.05, max_backoff_s=0.2
        )
        self.window.follow(self.bridge)
        self.window.resize(1920, 1080)
        self.window.show()
        self.bridge.start()
        qtbot.waitUntil(
            lambda: self.window.board.display is not None and self.window._link == "online",
            timeout=WAIT_MS,
        )

    def close(self) -> None:
        self.bridge.stop()
        self.client.close()

    def issue(self, service: str = "TP") -> str:
        with QueueClient(self.server.url, self.tokens["kiosk"]) as kiosk:
            return kiosk.issue(service).number

    def clerk(self, who: str = "lan") -> QueueClient:
        return QueueClient(self.server.url, self.tokens[who])

    def announced(self) -> list[str]:
        return [name for name in self.speaker.played if name != "chime.wav"]


@pytest.fixture
def hall(
    qtbot: QtBot, server: LiveServer, tokens: dict[str, str], tmp_path: Path
) -> Iterator[Hall]:
    board = Hall(qtbot, server, tokens, tmp_path)
    yield board
    board.close()


def test_a_call_is_spotlighted_listed_shown_at_its_counter_and_said(
    qtbot: QtBot, hall: Hall
) -> None:
    first, second = hall.issue(), hall.issue()
    qtbot.waitUntil(lambda: hall.window.waiting_counts()["TP"] == 2, timeout=WAIT_MS)
    with hall.clerk() as clerk:
        clerk.open_counter(1)
        clerk.call_next(1)
    window = hall.window
    qtbot.waitUntil(lambda: window.spotlight.number.text() == first, timeout=WAIT_MS)
    assert window.spotlight.active
    assert window.spotlight.counter.text() == "→ Quầy 1"
    assert window.spotlight.caption.text() == "MỜI CÔNG DÂN CÓ SỐ"
    assert window.spotlight.service.text() == "Tư pháp – Hộ tịch"
    assert window.history_numbers() == [first]
    assert window.counter_numbers()[1] == first
    qtbot.waitUntil(lambda: window.waiting_counts()["TP"] == 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(hall.speaker.played) == 3, timeout=WAIT_MS)
    assert hall.speaker.played == ["chime.wav", *[f"call-{first}-1.wav"] * 2]

    with hall.clerk() as clerk:
        clerk.call_next(1)  # completes `first`, calls `second`
    qtbot.waitUntil(lambda: window.history_numbers() == [second, first], timeout=WAIT_MS)
    assert window.counter_numbers()[1] == second
    assert window.spotlight.number.text() == second


def test_a_recall_is_announced_again_without_listing_it_twice(qtbot: QtBot, hall: Hall) -> None:
    number = hall.issue()
    with hall.clerk() as clerk:
        clerk.open_counter(1)
        clerk.call_next(1)
        qtbot.waitUntil(lambda: len(hall.announced()) == 2, timeout=WAIT_MS)
        clerk.recall(1)
    qtbot.waitUntil(lambda: len(hall.announced()) == 4, timeout=WAIT_MS)
    assert hall.announced() == [f"call-{number}-1.wav"] * 4
    assert hall.speaker.played.count("chime.wav") == 2
    assert hall.speaker.overlaps == 0
    assert hall.window.history_numbers() == [number]


def test_the_banner_shows_while_the_stream_is_down_and_goes_when_it_is_back(
    qtbot: QtBot, hall: Hall
) -> None:
    assert hall.window.banner_text() is None
    hall.server.stop()
    qtbot.waitUntil(lambda: hall.window.banner_text() is not None, timeout=WAIT_MS)
    assert hall.window.banner_text() == "Mất kết nối máy chủ — đang kết nối lại…"
    hall.server.start()
    number = hall.issue()
    with hall.clerk() as clerk:
        clerk.open_counter(2)
        clerk.call_next(2)
    qtbot.waitUntil(lambda: hall.window.banner_text() is None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: hall.window.counter_numbers()[2] == number, timeout=WAIT_MS)


def test_a_call_made_while_the_board_was_away_is_still_said(qtbot: QtBot, hall: Hall) -> None:
    number = hall.issue()
    hall.bridge.stop()
    with hall.clerk() as clerk:
        clerk.open_counter(1)
        clerk.call_next(1)
    hall.bridge.start()  # resumes with since=: the call comes replayed, and it is recent
    qtbot.waitUntil(lambda: len(hall.announced()) == 2, timeout=WAIT_MS)
    assert hall.window.spotlight.number.text() == number
    assert hall.window.history_numbers() == [number]


def test_a_zone_board_shows_and_says_only_its_own(
    qtbot: QtBot, server: LiveServer, tokens: dict[str, str], tmp_path: Path
) -> None:
    hall = Hall(qtbot, server, tokens, tmp_path, zone=Zone(counters=frozenset({3})))
    try:
        assert list(hall.window.counter_numbers()) == [3]
        assert list(hall.window.waiting_counts()) == ["DD"]
        tp, dd = hall.issue("TP"), hall.issue("DD")
        with hall.clerk("lan") as clerk:
            clerk.open_counter(1)
            clerk.call_next(1)
        with hall.clerk("hung") as clerk:
            clerk.open_counter(3)
            clerk.call_next(3)
        qtbot.waitUntil(lambda: hall.window.history_numbers() == [dd], timeout=WAIT_MS)
        qtbot.waitUntil(lambda: len(hall.announced()) == 2, timeout=WAIT_MS)
        assert hall.announced() == [f"call-{dd}-3.wav"] * 2
        assert tp not in hall.window.counter_numbers().values()
    finally:
        hall.close()


def test_a_board_name_the_site_file_lacks_shows_everything_and_says_so(
    qtbot: QtBot, server: LiveServer, tokens: dict[str, str], tmp_path: Path
) -> None:
    hall = Hall(qtbot, server, tokens, tmp_path, board="Sảnh B")
    try:
        assert hall.window.banner_text() == (
            "Tệp cấu hình không có màn hình tên “Sảnh B” — đang hiện tất cả các quầy"
        )
        assert list(hall.window.counter_numbers()) == [1, 2, 3]
        hall.server.stop()  # the link's own message comes first while it is down
        qtbot.waitUntil(
            lambda: hall.window.banner_text() == "Mất kết nối máy chủ — đang kết nối lại…",
            timeout=WAIT_MS,
        )
    finally:
        hall.close()


def test_an_english_board_on_a_frozen_monday(qtbot: QtBot, tmp_path: Path) -> None:
    clock = FrozenClock(MONDAY_9AM)
    tokens = prepare_data_dir(tmp_path / "data", now=clock.now())
    server = LiveServer(tmp_path / "data", clock=clock)
    server.start()
    try:
        hall = Hall(qtbot, server, tokens, tmp_path, language="en", clock=clock)
        try:
            assert hall.window.date.text() == "Monday, 23/11/2026"
            assert hall.window.time.text() == "09:00"
            hall.issue()
            with hall.clerk() as clerk:
                clerk.open_counter(1)
                clerk.call_next(1)
            qtbot.waitUntil(lambda: hall.window.spotlight.active, timeout=WAIT_MS)
            assert hall.window.spotlight.counter.text() == "→ Counter 1"
        finally:
            hall.close()
    finally:
        server.stop()
