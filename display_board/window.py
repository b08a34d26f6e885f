"""The wall board's window: header, spotlight, recent calls, counters, waiting, ticker.

It follows an `EventBridge` (snapshot, events, link state) and keeps a `Board`;
everything it shows comes from there. While the link is down a red banner says
so and the numbers turn grey: a board never passes stale numbers off as live.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from display_board import style
from display_board.announcer import Announcer
from display_board.board import Board, Call, Zone
from display_board.dates import date_text, time_text
from display_board.widgets import FitLabel, Panel, Spotlight, Ticker, label, repolish
from queue_client.i18n import Translator
from queue_client.qt import EventBridge, Runner
from queue_core.clock import Clock, SystemClock
from queue_core.model import CounterState
from queue_core.protocol import ServiceOut, Snapshot, StreamEvent

log = logging.getLogger(__name__)

DENSE_COUNTERS = 8  # more than this, and the counters list gets smaller numbers
# More than this, and it takes two columns. Not before: in a column half as wide a name
# has no room left beside its number ("Quầy 7 – Tiế…" was all a board showed, issue #10).
TWO_COLUMN_COUNTERS = 12
WAITING_REFRESH_MS = 300  # events carry no counts: ask once a burst of them has settled


class BoardWindow(QWidget):
    """One wall board.

    Args:
        translator: the board's language (Vietnamese by default).
        zone: which counters and services it shows and says.
        board: its name in the site file's `[[boards]]`, whose zone replaces `zone`.
        announcer: its voice; None for a silent board.
        services: fetches the live waiting counts (`QueueClient.services`); blocking,
            called off the GUI thread.
        clock: the board's clock; the time shown is the server's (see `Board.skew`).
        font_family: from `install_fonts()`.
    """

    def __init__(
        self,
        translator: Translator,
        *,
        zone: Zone | None = None,
        board: str | None = None,
        announcer: Announcer | None = None,
        services: Callable[[], list[ServiceOut]] | None = None,
        clock: Clock | None = None,
        font_family: str = "Be Vietnam Pro",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("board")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.board = Board(zone or Zone(), name=board)
        self._t = translator.gettext
        self.setWindowTitle(self._t("motcua — display board"))
        self._announcer = announcer
        self._services = services
        self._clock = clock or SystemClock()
        self._family = font_family
        self._scale = 0.0
        self._portrait: bool | None = None
        self._stale = True
        self._link = "connecting"
        self._snapshots = 0
        self._runner = Runner(1, self)
        self._build()
        self._clock_timer = QTimer(self, interval=1000)
        self._clock_timer.timeout.connect(self._show_time)
        self._clock_timer.start()
        self._waiting_timer = QTimer(self, singleShot=True, interval=WAITING_REFRESH_MS)
        self._waiting_timer.timeout.connect(self._refresh_waiting)
        self.show_link("connecting")
        self._restyle(force=True)

    def follow(self, bridge: EventBridge) -> None:
        bridge.snapshot_received.connect(self.show_snapshot)
        bridge.event_received.connect(self.show_event)
        bridge.link_changed.connect(self.show_link)

    # --- building ------------------------------------------------------------------------

    def _build(self) -> None:
        root = QVBoxLayout(self)
        # The window's size is the screen's: the layout must not impose a minimum on it.
        root.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)

        self.header = QFrame(self)
        self.header.setObjectName("header")
        self.agency = label(role="agency")
        self.site_name = FitLabel()
        self.site_name.setProperty("role", "siteName")
        self.date = label(role="date")
        self.time = label(role="time")
        for right in (self.date, self.time):
            right.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # The centre's name takes the header's height: a long one wraps onto two lines.
        self.site_name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self.site_name.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        site, clock = QVBoxLayout(), QVBoxLayout()
        site.addWidget(self.agency)
        site.addWidget(self.site_name, 1)
        clock.addStretch(1)
        clock.addWidget(self.date)
        clock.addWidget(self.time)
        clock.addStretch(1)
        self._header_box = QHBoxLayout(self.header)
        self._header_box.addLayout(site, 1)
        self._header_box.addLayout(clock)
        root.addWidget(self.header)

        self.main = QWidget(self)
        main = QVBoxLayout(self.main)
        self._main_box = main
        self.body = QGridLayout()
        self.spotlight = Spotlight(self.main)
        self.history = Panel("history", parent=self.main)
        self.counters = Panel("counters", fit=True, parent=self.main)
        self.waiting = Panel("waiting", columns=5, fit=True, parent=self.main)
        main.addLayout(self.body, 1)
        main.addWidget(self.waiting)
        root.addWidget(self.main, 1)

        self.ticker = Ticker(self)
        root.addWidget(self.ticker)

        self.banner = QLabel(self)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setObjectName("banner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.history.set_title(self._t("Recently called"))
        self.counters.set_title(self._t("Counter"), self._t("Now serving"))
        self.waiting.set_title(self._t("Waiting"))
        self.spotlight.idle_caption = self._t("Last called")

    def _place(self, portrait: bool) -> None:
        parts: tuple[QWidget, ...] = (self.spotlight, self.history, self.counters)
        for widget in parts:
            self.body.removeWidget(widget)
        for column in range(3):
            self.body.setColumnStretch(column, 0)
        if portrait:
            self.body.addWidget(self.spotlight, 0, 0, 1, 2)
            self.body.addWidget(self.history, 1, 0)
            self.body.addWidget(self.counters, 1, 1)
            self.body.setRowStretch(0, 5)
            self.body.setRowStretch(1, 6)
            for column in (0, 1):
                self.body.setColumnStretch(column, 1)
        else:
            for column, (part, stretch) in enumerate(zip(parts, (900, 400, 532), strict=True)):
                self.body.addWidget(part, 0, column)
                self.body.setColumnStretch(column, stretch)
            self.body.setRowStretch(0, 1)
            self.body.setRowStretch(1, 0)
        self.waiting.set_columns(2 if portrait else 5)
        self._show_waiting()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._restyle()

    def _restyle(self, force: bool = False) -> None:
        width, height = max(1, self.width()), max(1, self.height())
        portrait = height > width
        design = (1080, 1920) if portrait else (1920, 1080)
        scale = min(width / design[0], height / design[1])
        if not force and scale == self._scale and portrait == self._portrait:
            return
        if portrait != self._portrait:
            self._place(portrait)
        self._scale, self._portrait = scale, portrait

        def px(size: float) -> int:
            return max(1, round(size * scale))

        self.setStyleSheet(style.style_sheet(self._family, scale, self._stale))
        self.header.setFixedHeight(px(190 if portrait else style.HEADER_H))
        # Portrait screens are narrow: the centre's name gets its own line above the clock.
        self._header_box.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
        self._header_box.setContentsMargins(px(40), 0, px(40), 0)
        self.waiting.setFixedHeight(px(400 if portrait else style.WAITING_H))
        self.ticker.setFixedHeight(px(style.TICKER_H))
        self._main_box.setContentsMargins(px(style.MARGIN), px(style.GAP), px(style.MARGIN), px(16))
        self._main_box.setSpacing(px(style.GAP))
        self.body.setSpacing(px(style.GAP))
        for panel in (self.history, self.counters, self.waiting):
            panel.box.setContentsMargins(px(24), px(14), px(24), px(14))
            panel.box.setSpacing(px(8))
            panel.rows.setHorizontalSpacing(px(24))
        font = QFont(self._family)
        font.setPixelSize(px(34))
        font.setWeight(QFont.Weight.DemiBold)
        self.ticker.set_scale(font, 2.0 * scale)
        self._place_banner()

    def _place_banner(self) -> None:
        self.banner.setGeometry(
            0, self.header.height(), self.width(), self.banner.sizeHint().height()
        )
        self.banner.raise_()

    # --- what it shows -------------------------------------------------------------------

    def show_snapshot(self, snapshot: Snapshot) -> None:
        self._snapshots += 1
        self.board.apply_snapshot(snapshot, self._clock.now())
        display = snapshot.display
        self.agency.setText((display.agency or "").upper())
        self.agency.setVisible(bool(display.agency))
        self.site_name.setText(display.site_name)
        self.ticker.set_text(display.ticker)
        self._show_banner()
        if self._announcer is not None:
            self._announcer.repeat = display.repeat
        self._show_time()
        self._show_counters()
        self._show_history()
        self._show_waiting()
        if not self.spotlight.active and self.board.history:
            last = self.board.history[0]
            left_s = self.board.spotlight_left_s(last, self._clock.now())
            if left_s > 0:  # called moments ago: still the spotlight's, though not said again
                self._show_call(last, self._t("Now calling number"))
                self.spotlight.spotlight(left_s)
            else:
                self._show_call(last, self._t("Last called"))

    def show_event(self, event: StreamEvent, live: bool) -> None:
        call = self.board.apply_event(event, live, self._clock.now())
        if live:
            self._show_counters()
            self._show_history()
            if event.type.startswith("ticket."):
                self._waiting_timer.start()
        if call is not None:
            self._show_call(call, self._t("Now calling number"))
            self.spotlight.spotlight(self.board.spotlight_seconds)
            if self._announcer is not None:
                self._announcer.announce(call.number, call.counter, call.recall)

    def show_link(self, state: str) -> None:
        if state != self._link:
            log.info("link to the server: %s", state)
        self._link = state
        stale = state != "online"
        if stale != self._stale:
            self._stale = stale
            self._restyle(force=True)
        if stale and self.spotlight.active:
            self.spotlight.settle()
        self._show_banner()

    def _show_banner(self) -> None:
        messages = {
            "connecting": self._t("Connecting to the server…"),
            "offline": self._t("Connection to the server lost — reconnecting…"),
            "rejected": self._t("This board's token was refused — please call the administrator"),
        }
        text = messages.get(self._link, "")
        if not text and self.board.unknown_name:
            text = self._t(
                "The site file has no board named “{name}” — showing every counter"
            ).format(name=self.board.name)
        self.banner.setText(text)
        self.banner.setVisible(bool(text))
        self._place_banner()

    def _show_call(self, call: Call, caption: str) -> None:
        self.spotlight.show_call(
            call.number, self._counter_label(call.counter), call.service_name, caption
        )

    def _counter_label(self, number: int) -> str:
        return self._t("Counter {number}").format(number=number)

    def _show_time(self) -> None:
        at = self.board.server_time(self._clock.now())
        if self.board.offset is None:
            at = at.astimezone(UTC).astimezone()  # no snapshot yet: the machine's own zone
        self.date.setText(date_text(at, self._t))
        self.time.setText(time_text(at))

    def _show_counters(self) -> None:
        rows = []
        states = []
        for counter in self.board.shown_counters():
            ticket = counter.current_ticket
            value = ticket.number if ticket is not None else "—"
            if counter.state is CounterState.PAUSED:
                value = self._t("Paused")
            elif counter.state is CounterState.CLOSED and ticket is None:
                value = self._t("Closed")
            rows.append((str(counter.number), counter.name, value))
            states.append(counter.state.value if ticket is None else "serving")
        dense = len(rows) > DENSE_COUNTERS
        self.counters.set_columns(2 if len(rows) > TWO_COLUMN_COUNTERS else 1)
        if self.counters.property("dense") != dense:
            self.counters.setProperty("dense", dense)
            repolish(self.counters)
        self.counters.set_rows(rows, "counterName", "counterNumber")
        for value_label, state in zip(self.counters.value_labels(), states, strict=True):
            if value_label.property("state") != state:
                value_label.setProperty("state", state)
                repolish(value_label)

    def _show_history(self) -> None:
        rows = [
            (f"{c.number}@{c.counter}", c.number, self._counter_label(c.counter))
            for c in self.board.history
        ]
        self.history.set_rows(rows, "callNumber", "callCounter")

    def _show_waiting(self) -> None:
        rows = [(s.code, s.name, str(s.waiting)) for s in self.board.shown_services()]
        self.waiting.set_rows(rows, "serviceName", "waitingCount")

    def _refresh_waiting(self) -> None:
        if self._services is None:
            return
        asked = self._snapshots

        def done(services: Any) -> None:
            # A snapshot that came meanwhile (`site.updated`) is newer than this answer,
            # which may still list a service just retired or by its old name.
            if self._snapshots == asked:
                self.board.set_services(services)
                self._show_waiting()

        def failed(error: Exception) -> None:
            log.info("waiting counts not refreshed: %s", error)  # the next snapshot has them

        self._runner.run(self._services, done, failed)

    # --- for tests and screenshots -------------------------------------------------------

    def counter_numbers(self) -> dict[int, str]:
        return {int(key): value for key, _, value in self.counters.shown_rows()}

    def history_numbers(self) -> list[str]:
        return [number for _, number, _ in self.history.shown_rows()]

    def waiting_counts(self) -> dict[str, int]:
        return {key: int(value) for key, _, value in self.waiting.shown_rows()}

    def banner_text(self) -> str | None:
        return None if self.banner.isHidden() else self.banner.text()
