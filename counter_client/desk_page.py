"""The desk itself: the current citizen large, the commands, the waiting list, today's
figures; and the same desk folded into a one-line bar."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from counter_client.desk import Desk
from counter_client.keys import BINDINGS, Command
from counter_client.texts import alert_text
from counter_client.waiting import WaitingTable
from counter_client.widgets import (
    ActionButton,
    FigureTile,
    LinkPill,
    PlainLabel,
    named,
    plain_tip,
    services_text,
)
from queue_client import LinkState
from queue_client.i18n import Translator
from queue_core.protocol import CounterStatsOut, TicketOut

HINTS = {b.command: b.hint() for b in BINDINGS}
FULL_GRID = (
    (Command.CALL_NEXT, Command.RECALL, Command.NO_SHOW, Command.COMPLETE),
    (Command.TRANSFER, Command.PAUSE, Command.WALK_IN, Command.CALL_CHOSEN),
)
BAR_COMMANDS = (Command.CALL_NEXT, Command.RECALL, Command.NO_SHOW, Command.COMPLETE)


def elapsed_text(since: datetime | None, now: datetime) -> str:
    if since is None:
        return "00:00"
    seconds = max(0, int((now - since).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


def duration_text(tr: Translator, seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes, secs = divmod(round(seconds), 60)
    if minutes == 0:  # "3 giây", not "0 phút 3 giây"
        return tr.gettext("{seconds} s").format(seconds=secs)
    return tr.gettext("{minutes} min {seconds} s").format(minutes=minutes, seconds=secs)


class DeskPage(QWidget):
    """The full desk; `actions` are the window's, so keys work in both layouts."""

    def __init__(
        self,
        tr: Translator,
        desk: Desk,
        actions: Mapping[Command, QAction],
        clerk: str,
        now: Callable[[], datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        _ = tr.gettext
        self._tr = tr
        self.desk = desk
        self._now = now
        self._me = clerk
        # Header: where and who, the link, the bar and sign-out.
        self.place = named(PlainLabel(""), "place")
        self.clerk = named(PlainLabel(clerk), "clerk")
        self.link = LinkPill(tr)
        self.compact_button = ActionButton(actions[Command.COMPACT], HINTS[Command.COMPACT])
        self.compact_button.setObjectName("small")
        self.sign_out = named(QPushButton(_("Sign out")), "small")
        self.sign_out.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = named(QWidget(), "header")
        header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        # A long counter name wraps rather than pushing the header off a 1366 screen.
        self.place.setWordWrap(True)
        self.place.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row = QHBoxLayout(header)
        row.addWidget(self.place, 1)
        row.addWidget(self.clerk)
        row.addWidget(self.link)
        row.addWidget(self.compact_button)
        row.addWidget(self.sign_out)
        # Banner: paused, offline.
        self.banner = named(PlainLabel(""), "banner")
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        # Alerts: a quiet line, not a pop-up; the clerk reads it when free to.
        self.alerts = named(PlainLabel(""), "alerts")
        self.alerts.setWordWrap(True)
        self.alerts.setVisible(False)
        # The citizen at the counter.
        card = named(QWidget(), "card")
        card.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.serving = named(PlainLabel(_("NOW SERVING")), "caption")
        self.number = named(PlainLabel("—"), "number")
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.service = named(PlainLabel(""), "service")
        self.service.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.service.setWordWrap(True)
        self.timer = named(PlainLabel(""), "timer")
        self.timer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inner = QVBoxLayout(card)
        inner.addWidget(self.serving)
        inner.addWidget(self.number)
        inner.addWidget(self.service)
        inner.addWidget(self.timer)
        # Commands.
        grid = QGridLayout()
        grid.setSpacing(10)
        self.buttons: dict[Command, ActionButton] = {}
        for r, commands in enumerate(FULL_GRID):
            for c, command in enumerate(commands):
                button = ActionButton(actions[command], HINTS[command])
                button.setObjectName("primary" if command is Command.CALL_NEXT else "command")
                button.setMinimumHeight(72)
                # Equal columns, whatever the length of each label.
                button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
                grid.addWidget(button, r, c)
                self.buttons[command] = button
        for c in range(len(FULL_GRID[0])):
            grid.setColumnStretch(c, 1)
        # Today's figures.
        figures = QHBoxLayout()
        self.served = FigureTile(_("served today"))
        self.average = FigureTile(_("average service time"))
        self.no_shows = FigureTile(_("no-shows"))
        self.ratings = FigureTile(_("satisfied / rated"))
        for tile in (self.served, self.average, self.no_shows, self.ratings):
            figures.addWidget(tile)
        left = QVBoxLayout()
        left.addWidget(card, 3)
        left.addLayout(grid, 2)
        left.addWidget(named(PlainLabel(_("Today at this counter")), "section"))
        left.addLayout(figures)
        # The waiting list.
        self.waiting_title = named(PlainLabel(""), "section")
        self.table = WaitingTable(tr)
        right = QVBoxLayout()
        right.addWidget(self.waiting_title)
        right.addWidget(self.table)
        body = QHBoxLayout()
        body.addLayout(left, 5)
        body.addLayout(right, 3)
        # The last thing that happened, in a sentence; beside it, for a late citizen,
        # the undo of the last no-show (while it may be undone) and the way back in.
        self.status = named(PlainLabel(""), "status")
        self.status.setWordWrap(True)
        self.undo_button = ActionButton(actions[Command.UNDO_NO_SHOW], HINTS[Command.UNDO_NO_SHOW])
        self.undo_button.setObjectName("warning")
        self.undo_button.setVisible(False)
        self.requeue_button = ActionButton(actions[Command.REQUEUE], HINTS[Command.REQUEUE])
        self.requeue_button.setObjectName("command")
        for button in (self.undo_button, self.requeue_button):
            button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
            button.setMinimumHeight(48)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.undo_button)
        status_row.addWidget(self.requeue_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(header)
        content = QVBoxLayout()
        content.setContentsMargins(16, 8, 16, 12)
        content.addWidget(self.banner)
        content.addWidget(self.alerts)
        content.addLayout(body, 1)
        content.addLayout(status_row)
        layout.addLayout(content, 1)

        desk.current_changed.connect(self.show_current)
        desk.counter_changed.connect(lambda _c: self.show_counter())
        desk.waiting_changed.connect(lambda _w: self.show_waiting())
        desk.services_changed.connect(self._services_changed)
        desk.stats_changed.connect(self.show_stats)
        desk.link_changed.connect(self.show_link)
        desk.notice.connect(self.show_notice)
        desk.alerts_changed.connect(lambda _a: self.show_alerts())
        desk.counter_changed.connect(lambda _c: self.show_alerts())
        self.show_counter()
        self.show_current(desk.current)
        self.show_waiting()
        self.show_link(desk.link)
        self.show_alerts()

    # --- showing the desk's state ---------------------------------------------------------

    def _services_changed(self, _services: object) -> None:
        self.show_counter()  # their names
        self.show_alerts()  # their names and targets
        self.show_waiting()  # their waiting targets

    def show_counter(self) -> None:
        _ = self._tr.gettext
        counter = self.desk.counter
        names = [self.desk.service_name(code) for code in self.desk.called_services()]
        self.place.setText(f"{counter.name} · {services_text(self._tr, names)}")
        self.place.setToolTip(plain_tip("\n".join(names)))
        self._show_banner()

    def show_current(self, ticket: TicketOut | None) -> None:
        _ = self._tr.gettext
        if ticket is None:
            self.number.setText("—")
            self.service.setText(_("Nobody at the counter. Press Call next (F1)."))
            self.number.setProperty("priority", False)
        else:
            self.number.setText(ticket.number)
            parts = [ticket.service_name]
            if ticket.priority:
                parts.append(_("★ Priority"))
            if ticket.walk_in:
                parts.append(_("without a ticket"))
            self.service.setText(" · ".join(parts))
            self.number.setProperty("priority", ticket.priority)
        self.number.style().unpolish(self.number)
        self.number.style().polish(self.number)
        self.tick()

    def show_waiting(self) -> None:
        self.table.show_tickets(self.desk.waiting, self.desk.services, self._now())
        self._title_waiting()

    def _title_waiting(self) -> None:
        _ = self._tr.gettext
        title = _("Waiting: {count}").format(count=len(self.desk.waiting))
        overdue = self.table.overdue()
        if overdue:
            title += " · " + _("{count} over the waiting target").format(count=overdue)
        self.waiting_title.setText(title)

    def show_stats(self, stats: CounterStatsOut) -> None:
        _ = self._tr.gettext
        self.served.set_value(str(stats.served))
        self.average.set_value(duration_text(self._tr, stats.average_service_s))
        self.no_shows.set_value(str(stats.no_shows))
        if stats.ratings:
            rate = round(100 * (stats.satisfaction_rate or 0))
            self.ratings.set_value(
                f"{stats.satisfied}/{stats.ratings}", _("{rate} % satisfied").format(rate=rate)
            )
        else:
            self.ratings.set_value("0", _("No rating yet"))

    def show_alerts(self) -> None:
        shown = self.desk.desk_alerts()
        lines = [f"⚠ {alert_text(self._tr, a, self.desk.services)}" for a in shown]
        self.alerts.setText("\n".join(lines))
        self.alerts.setVisible(bool(lines))

    def show_link(self, state: str) -> None:
        self.link.show_state(state)
        self._show_banner()

    def show_notice(self, text: str, error: bool) -> None:
        self.status.setText(text)
        self.status.setProperty("error", error)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def _show_banner(self) -> None:
        _ = self._tr.gettext
        lines = []
        if self.desk.link == LinkState.OFFLINE.value:
            lines.append(
                _("No connection to the server: the list may be out of date. Reconnecting…")
            )
        holder = self.desk.counter.clerk
        if holder is not None and holder != self._me:
            lines.append(
                _("Counter {number} is being served by {clerk}.").format(
                    number=self.desk.number, clerk=holder
                )
            )
        if self.desk.paused:
            reason = self.desk.counter.pause_reason or ""
            lines.append(
                _("The counter is paused: {reason}. Press Resume (F6).").format(reason=reason)
            )
        self.banner.setText("\n".join(lines))
        self.banner.setVisible(bool(lines))

    def tick(self) -> None:
        """Once a second: the timer since the call and the minutes waited."""
        _ = self._tr.gettext
        now = self._now()
        ticket = self.desk.current
        if ticket is None:
            self.timer.setText("")
        else:
            text = _("Called {elapsed} ago").format(elapsed=elapsed_text(ticket.called_at, now))
            if ticket.recalls:
                text += " · " + _("recalled {count}×").format(count=ticket.recalls)
            self.timer.setText(text)
        self.table.tick(now)
        self._title_waiting()


class CompactBar(QWidget):
    """The desk as one always-on-top line: number, timer, waiting count, four commands.

    A window of its own (the keys work in it too); closing it opens the full desk again.
    """

    closed = Signal()

    def __init__(
        self,
        tr: Translator,
        desk: Desk,
        actions: Mapping[Command, QAction],
        now: Callable[[], datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("bar")
        self.setWindowTitle(tr.gettext("Counter {number}").format(number=desk.number))
        for action in actions.values():
            self.addAction(action)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._tr = tr
        self.desk = desk
        self._now = now
        self.link = LinkPill(tr)
        self.link.setObjectName("barLink")
        self.place = named(PlainLabel(""), "barPlace")
        self.number = named(PlainLabel("—"), "barNumber")
        self.timer = named(PlainLabel(""), "barTimer")
        self.waiting = named(PlainLabel(""), "barWaiting")
        # The desk's alerts, folded: a mark and their count; the sentences in its tooltip.
        self.alerts = named(PlainLabel(""), "barAlerts")
        self.alerts.setVisible(False)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        for widget in (
            self.link,
            self.place,
            self.number,
            self.timer,
            self.waiting,
            self.alerts,
        ):
            row.addWidget(widget)
        row.addStretch(1)
        self.buttons: dict[Command, ActionButton] = {}
        for command in (*BAR_COMMANDS, Command.COMPACT):
            button = ActionButton(actions[command])
            button.setObjectName("barButton")
            button.setMinimumHeight(40)
            row.addWidget(button)
            self.buttons[command] = button
        desk.current_changed.connect(lambda _t: self.refresh())
        desk.waiting_changed.connect(lambda _w: self.refresh())
        desk.link_changed.connect(self.link.show_state)
        desk.alerts_changed.connect(lambda _a: self.show_alerts())
        desk.counter_changed.connect(lambda _c: self.show_alerts())
        desk.services_changed.connect(lambda _s: self.show_alerts())
        self.link.show_state(desk.link)
        self.refresh()
        self.show_alerts()

    def show_alerts(self) -> None:
        shown = self.desk.desk_alerts()
        self.alerts.setText(f"⚠ {len(shown)}")
        texts = [alert_text(self._tr, a, self.desk.services) for a in shown]
        self.alerts.setToolTip(plain_tip("\n".join(texts)))
        self.alerts.setVisible(bool(shown))

    def refresh(self) -> None:
        _ = self._tr.gettext
        self.place.setText(_("Counter {number}").format(number=self.desk.number))
        ticket = self.desk.current
        self.number.setText(ticket.number if ticket is not None else "—")
        self.waiting.setText(_("Waiting: {count}").format(count=len(self.desk.waiting)))
        self.tick()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.isVisible():
            self.closed.emit()
        super().closeEvent(event)

    def tick(self) -> None:
        ticket = self.desk.current
        self.timer.setText(elapsed_text(ticket.called_at, self._now()) if ticket else "")
