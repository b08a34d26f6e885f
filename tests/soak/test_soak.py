"""A compressed day for each app, in one process: the ticket kiosk, the rating tablet,
the counter client signed in at counter 1 and the wall board, each against a live
server, through hundreds of real tickets (issued and served through the API or the
app's own buttons and keys), thousands of protocol events through the app's own
event-bridge signal, and thousands of ticks of its UI timers.

Each test reads `sys.getrefcount(None/True/False)` and the process's RSS after a
warm-up and again at the end (see `gauge.py` for why and for the tolerances), then
checks the app still answers a touch or a key. PySide6 6.12.0 on CPython 3.11 (the
fault that aborted the apps after minutes: issue #10) fails every one of them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from counter_client.texts import translator as counter_translator
from counter_client.window import CounterWindow
from display_board.announcer import Announcer
from display_board.app import LOCALE_DIR
from display_board.voice_source import ServerVoice
from display_board.window import BoardWindow
from kiosk.app import KioskWindow
from kiosk.tablet import RatingTablet
from kiosk.texts import translator as kiosk_translator
from printer_drivers import EscposPrinter, PrinterStatus
from printer_drivers.decoder import Printout
from printer_drivers.emulator import TcpEmulator, VirtualPrinter
from queue_client import QueueClient
from queue_client.i18n import Translator
from queue_client.liveness import Beat, Heartbeat
from queue_client.qt import EventBridge, install_fonts
from tests.counter.conftest import open_counter, sign_in
from tests.helpers.fake_audio import FakeAudioOutput
from tests.soak.conftest import FAST_STREAM, Hall
from tests.soak.gauge import (
    FAST_TICK_MS,
    Drift,
    Reading,
    Recorder,
    Waiter,
    quicken,
    replay,
    scaled,
)

# Per test at scale 1 (CI): real rounds (a ticket issued, called and completed) and
# protocol events delivered again through the bridge after each round.
# The warm-up fills what is meant to fill (caches of parsed URLs, regexes, SQL
# statements, the board's recent calls, the recorded events) before the first reading.
WARM_ROUNDS = 20
CHECK_EVERY = 30
ROUNDS = 90
EVENTS_PER_ROUND = 50
# Prints a reading every five rounds (with -s): where a drift starts.
TRACE = bool(os.environ.get("MOTCUA_SOAK_TRACE"))


class CountingPrinter(VirtualPrinter):
    """The virtual printer on the wire, counting tickets and keeping none: a day of
    rasters would be the test's memory, not the kiosk's."""

    def __init__(self) -> None:
        super().__init__(out_dir=None)
        self.printed = 0

    def accept(self, printout: Printout) -> None:
        self.printed += 1


class Day:
    """Drives one app through the day and counts what it went through."""

    def __init__(self, bridge: EventBridge, heartbeat_path: Path, tickers: int) -> None:
        self.bridge = bridge
        self.recorder = Recorder(bridge)
        self.heartbeat_path = heartbeat_path
        self.ticks = 0
        self.rounds = 0
        self.replayed = 0
        self.timers: list[QTimer] = []
        self._tickers = tickers

    def count_ticks(self, timers: list[QTimer]) -> None:
        assert len(timers) >= self._tickers, f"expected {self._tickers} UI tickers: {timers}"
        self.timers = timers
        for timer in timers:
            timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        self.ticks += 1

    @property
    def updates(self) -> int:
        """Events received (live and delivered again) plus timer ticks."""
        return self.recorder.received + self.ticks

    def run(
        self,
        rounds: int,
        play_round: Callable[[], None],
        settle: Callable[[], None],
    ) -> None:
        for _ in range(rounds):
            play_round()
            self.rounds += 1
            for _ in replay(self.bridge, self.recorder.events, EVENTS_PER_ROUND):
                self.replayed += 1
            settle()
            if TRACE and self.rounds % 5 == 0:
                print(f"round {self.rounds}: {Reading.take()}", flush=True)

    def soak(
        self,
        play_round: Callable[[], None],
        settle: Callable[[], None],
        before_reading: Callable[[], None] = lambda: None,
    ) -> Drift:
        """Read, warm up, read, then run the day reading again every `CHECK_EVERY`
        rounds: a leak fails at the first check after it starts, long before it could
        abort the interpreter (PySide6 6.12.0 empties None's count within 70 rounds of
        the board, and the four tests share one process)."""
        before_reading()
        cold = Reading.take()
        updates_cold = self.updates
        self.run(scaled(WARM_ROUNDS), play_round, settle)
        before_reading()
        start = Reading.take()
        Drift(cold, start, self.updates - updates_cold).check(warming_up=True)
        updates_before = self.updates
        drift = Drift(start, start, 1)
        for done in range(0, scaled(ROUNDS), CHECK_EVERY):
            self.run(min(CHECK_EVERY, scaled(ROUNDS) - done), play_round, settle)
            before_reading()
            drift = Drift(start, Reading.take(), self.updates - updates_before)
            drift.check()
        # A soak that did not soak proves nothing.
        assert self.recorder.received >= scaled(ROUNDS) * EVENTS_PER_ROUND
        assert self.ticks >= scaled(ROUNDS) * 5, f"only {self.ticks} timer ticks"
        beat = Beat.read(self.heartbeat_path)
        assert beat is not None, "the heartbeat never wrote its file"
        print(drift.describe())  # the figures, with -s
        return drift


@pytest.fixture
def wait() -> Waiter:
    return Waiter()


@pytest.fixture(autouse=True)
def quick_double_click() -> Iterator[None]:
    """The desk stays busy a double click's span after each command; a day of commands
    at 400 ms each would not fit CI."""
    hints = QGuiApplication.styleHints()
    was = hints.mouseDoubleClickInterval()
    hints.setMouseDoubleClickInterval(20)
    yield
    hints.setMouseDoubleClickInterval(was)


def touch(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isVisible(), button.text()
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(button.width() // 2, 20))


def heartbeat(tmp_path: Path) -> tuple[Heartbeat, Path]:
    """The apps' liveness ticker (as each app's start-up makes it), at the soak's pace."""
    path = tmp_path / "heartbeat.json"
    beat = Heartbeat(path, interval_ms=FAST_TICK_MS)
    beat.start()
    return beat, path


# --- the wall board ---------------------------------------------------------------------


def test_the_board_lives_through_a_day(
    qtbot: QtBot, hall: Hall, tmp_path: Path, wait: Waiter
) -> None:
    hall.clerk.open_counter(1)
    speaker = FakeAudioOutput(duration_ms=1)
    voice = ServerVoice(hall.url, hall.tokens["display"], tmp_path / "sounds")
    announcer = Announcer(speaker, voice, pause_ms=1, gap_ms=1)
    client = QueueClient(hall.url, hall.tokens["display"])
    window = BoardWindow(
        Translator(LOCALE_DIR, "display_board", "vi"),
        announcer=announcer,
        services=client.services,
        font_family=install_fonts(),
    )
    qtbot.addWidget(window)
    bridge = EventBridge(hall.url, hall.tokens["display"], **FAST_STREAM)
    window.follow(bridge)
    beat, beat_path = heartbeat(tmp_path)
    day = Day(bridge, beat_path, tickers=2)  # the clock, the scrolling ticker
    window.resize(1920, 1080)
    window.show()
    bridge.start()
    wait.until(lambda: window.banner_text() is None)
    day.count_ticks(quicken(window) + beat.findChildren(QTimer))

    def play_round() -> None:
        ticket = hall.issue()
        hall.serve_next(1)
        wait.until(lambda: window.history_numbers()[:1] == [ticket.number])

    def settle() -> None:
        wait.until(lambda: announcer.pending == 0)

    try:
        day.soak(play_round, settle)

        # Still answering: a call now is shown and said.
        ticket = hall.issue()
        hall.clerk.call_next(1)
        wait.until(lambda: window.counter_numbers().get(1) == ticket.number)
        wait.until(lambda: f"call-{ticket.number}-1.wav" in speaker.played)
        assert window.spotlight.active
    finally:
        beat.stop()
        bridge.stop()
        client.close()


# --- the ticket kiosk -------------------------------------------------------------------


def test_the_kiosk_lives_through_a_day(
    qtbot: QtBot, hall: Hall, tmp_path: Path, wait: Waiter
) -> None:
    hall.clerk.open_counter(1)
    printer = CountingPrinter()
    with TcpEmulator(printer) as endpoint:
        client = QueueClient(hall.url, hall.tokens["kiosk"])
        escpos = EscposPrinter(endpoint.url)
        window = KioskWindow(
            client,
            kiosk_translator("vi"),
            printer=escpos,
            admin_pin="2468",
            stream_options=FAST_STREAM,
        )
        window.may_close = True
        qtbot.addWidget(window)
        window.resize(1920, 1080)
        window.start()
        window.show()
        qtbot.waitExposed(window)
        beat, beat_path = heartbeat(tmp_path)
        day = Day(window.bridge, beat_path, tickers=0)
        wait.until(lambda: window.link == "online" and "TP" in window.home.buttons)
        wait.until(lambda: window.monitor.status is PrinterStatus.OK)
        wait.until(lambda: window.home.buttons["TP"].isVisible())
        day.count_ticks(quicken(window) + beat.findChildren(QTimer))

        def play_round() -> None:
            # A citizen takes a number at this kiosk; the clerk serves the oldest.
            issued = len(window.issued)
            touch(qtbot, window.home.buttons["TP"])
            wait.until(lambda: len(window.issued) > issued and window.result.printed is True)
            touch(qtbot, window.result.done_button)
            hall.serve_next(1)

        def settle() -> None:
            wait.until(lambda: window.runner.busy == 0)

        def before_reading() -> None:
            # Kept by design for the session: this kiosk's tickets, a day's worth.
            window.issued.clear()
            window.touch_to_answer_ms.clear()

        try:
            day.soak(play_round, settle, before_reading)

            # Still answering: one more touch is one more printed ticket.
            printed = printer.printed
            touch(qtbot, window.home.buttons["TP"])
            wait.until(lambda: len(window.issued) == 1 and window.result.printed is True)
            assert window.result.card.number.text() == window.issued[-1].number
            assert printer.printed == printed + 1
        finally:
            beat.stop()
            window.shutdown()
            client.close()
            escpos.close()


# --- the rating tablet ------------------------------------------------------------------


def test_the_rating_tablet_lives_through_a_day(
    qtbot: QtBot, hall: Hall, tmp_path: Path, wait: Waiter
) -> None:
    hall.clerk.open_counter(1)
    client = QueueClient(hall.url, hall.tokens["rating"])
    tablet = RatingTablet(
        client, 1, kiosk_translator("vi"), admin_pin="2468", stream_options=FAST_STREAM
    )
    tablet.may_close = True
    qtbot.addWidget(tablet)
    tablet.resize(1280, 800)
    tablet.start()
    tablet.show()
    qtbot.waitExposed(tablet)
    wait.until(lambda: tablet.link == "online")
    beat, beat_path = heartbeat(tmp_path)
    day = Day(tablet.bridge, beat_path, tickers=0)
    day.count_ticks(quicken(tablet) + beat.findChildren(QTimer))
    flow = tablet.rating
    rated: list[int] = []
    flow.rated.connect(rated.append)

    def rate_next() -> int:
        """A citizen is served at counter 1 and touches "satisfied" on the tablet."""
        hall.issue()
        done = hall.serve_next(1)
        wait.until(
            lambda: (
                flow.ticket is not None
                and flow.ticket.id == done.id
                and flow.currentWidget() is flow.question
                and all(b.isEnabled() for b in flow.question.levels.values())
            )
        )
        rated.clear()
        touch(qtbot, flow.question.levels[max(flow.question.levels)])
        wait.until(lambda: rated == [done.id])
        return done.id

    def settle() -> None:
        wait.until(lambda: tablet.runner.busy == 0)

    try:
        day.soak(rate_next, settle)
        # Still answering: the next citizen is asked, and the rating reaches the server.
        rate_next()  # `rated` comes once the server has stored the rating
    finally:
        beat.stop()
        tablet.shutdown()
        client.close()


# --- the counter client -----------------------------------------------------------------


def test_the_counter_client_lives_through_a_day(
    qtbot: QtBot, hall: Hall, tmp_path: Path, wait: Waiter
) -> None:
    settings = QSettings(str(tmp_path / "counter.ini"), QSettings.Format.IniFormat)
    client = QueueClient(hall.url)
    window = CounterWindow(client, counter_translator("vi"), settings, stream_options=FAST_STREAM)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    sign_in(qtbot, window)
    open_counter(qtbot, window, 1)
    desk = window.desk
    assert desk is not None
    bridge = desk.findChild(EventBridge)
    assert bridge is not None
    beat, beat_path = heartbeat(tmp_path)
    day = Day(bridge, beat_path, tickers=1)  # the elapsed-time ticker
    day.count_ticks(quicken(window) + beat.findChildren(QTimer))

    def press(key: Qt.Key) -> None:
        wait.until(lambda: not desk.busy)
        qtbot.keyClick(window, key)

    def play_round() -> None:
        # A citizen takes a number; the clerk calls (F1) and completes (F4) at the desk.
        ticket = hall.issue()
        press(Qt.Key.Key_F1)
        wait.until(lambda: desk.current is not None and desk.current.id == ticket.id)
        press(Qt.Key.Key_F4)
        wait.until(lambda: desk.current is None and not desk.busy)

    def settle() -> None:
        wait.until(lambda: window.jobs.busy == 0 and not desk.busy)

    try:
        day.soak(play_round, settle)
        # Still answering: F1 calls the citizen who just took a number.
        ticket = hall.issue()
        press(Qt.Key.Key_F1)
        wait.until(lambda: desk.current is not None and desk.current.id == ticket.id)
    finally:
        beat.stop()
        window.close()
        client.close()
