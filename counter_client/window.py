"""The counter client's one window: sign in → choose the counter → the desk (or its bar)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QRect, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QFont
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QWidget

from counter_client.desk import Desk
from counter_client.desk_page import CompactBar, DeskPage
from counter_client.dialogs import PauseDialog, RequeueDialog, TransferDialog, WalkInDialog
from counter_client.kept_session import SessionKeeper
from counter_client.keys import BINDINGS, Command
from counter_client.signin import CounterPage, Session, SignInPage
from counter_client.style import style_sheet
from counter_client.widgets import named
from queue_client import QueueClient
from queue_client.i18n import Translator
from queue_client.qt import Runner, install_fonts
from queue_core.dispatch import UNDO_NO_SHOW_WINDOW
from queue_core.protocol import CounterOut, TicketOut

COUNTER_KEY = "counter/number"
USERNAME_KEY = "signin/username"
BAR_HEIGHT = 64
BAR_WIDTH = 1000

Dialog = TransferDialog | PauseDialog | WalkInDialog | RequeueDialog


def bar_geometry(bar: QWidget, screen: QRect) -> QRect:
    """Where the compact bar goes on `screen` (its free area): the top right corner, as
    wide as its words need (at least BAR_WIDTH), and all of it on the screen: a fixed
    width cut "Mở rộng" off at the right edge (issue #10)."""
    width = min(screen.width(), max(BAR_WIDTH, bar.minimumSizeHint().width()))
    height = max(BAR_HEIGHT, bar.minimumSizeHint().height())
    return QRect(screen.x() + screen.width() - width, screen.y(), width, height)


def _now() -> datetime:
    return datetime.now(UTC)


class CounterWindow(QMainWindow):
    """The clerk's desk.

    Args:
        client: the REST client (its token is set on sign-in).
        tr: the language of the desk.
        settings: where this machine remembers its counter and last username.
        counter: preselect this counter (overrides the remembered one).
        stream_options: for the event stream (tests shorten its backoff).
        now: the clock the timers read.
        keeper: the clerk's session kept on this PC for the day (None: none is kept).
    """

    def __init__(
        self,
        client: QueueClient,
        tr: Translator,
        settings: QSettings,
        *,
        counter: int | None = None,
        stream_options: dict[str, float] | None = None,
        now: Callable[[], datetime] = _now,
        keeper: SessionKeeper | None = None,
    ) -> None:
        super().__init__()
        _ = tr.gettext
        self.client = client
        self.translator = tr
        self.settings = settings
        self._preferred = counter
        self._stream_options = stream_options
        self._now = now
        self.jobs = Runner(4, self)
        self.desk: Desk | None = None
        self.desk_page: DeskPage | None = None
        self.bar: CompactBar | None = None
        self.session: Session | None = None
        self.dialog: Dialog | None = None
        self.compact = False
        self._was_full_screen = False

        self.setWindowTitle(_("motcua — counter"))
        family = install_fonts()
        self.setFont(QFont(family, 11))
        self.setStyleSheet(style_sheet(family))
        self.actions_by_command = self._make_actions()
        self.stack = named(QStackedWidget(), "root")
        self.setCentralWidget(self.stack)
        username = str(settings.value(USERNAME_KEY, "") or "")
        self.sign_in_page = SignInPage(tr, client, self.background, username, keeper=keeper)
        self.counter_page = CounterPage(tr, client, self.background)
        self.stack.addWidget(self.sign_in_page)
        self.stack.addWidget(self.counter_page)
        self.sign_in_page.signed_in.connect(self._signed_in)
        self.sign_in_page.resumed.connect(self._resumed)
        self.counter_page.opened.connect(self._opened)
        self.counter_page.back.connect(lambda: self._signed_out(""))
        self._ticker = QTimer(self, interval=1000)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start()
        self._sync_actions()
        # Windowed (--windowed), never taller than a 1366×768 screen's free area.
        self.resize(QSize(1280, 800).boundedTo(self.screen().availableGeometry().size()))
        self.sign_in_page.focus()
        self.sign_in_page.resume()

    # --- plumbing ----------------------------------------------------------------------------

    def background(
        self,
        call: Callable[[], Any],
        ok: Callable[[Any], None],
        failed: Callable[[Exception], None],
    ) -> None:
        self.jobs.run(call, ok, failed)

    def _make_actions(self) -> dict[Command, QAction]:
        actions: dict[Command, QAction] = {}
        for binding in BINDINGS:
            action = QAction(self.translator.gettext(binding.label), self)
            action.setShortcuts(binding.sequences())
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setAutoRepeat(False)  # a held key is one press
            action.triggered.connect(functools.partial(self.run_command, binding.command))
            self.addAction(action)
            actions[binding.command] = action
        return actions

    # --- pages -------------------------------------------------------------------------------

    def _signed_in(self, session: Session) -> None:
        self.session = session
        self.settings.setValue(USERNAME_KEY, session.me.subject)
        remembered = self.settings.value(COUNTER_KEY)
        preferred = self._preferred or (int(str(remembered)) if remembered else None)
        self.counter_page.show_session(session, preferred)
        self.stack.setCurrentWidget(self.counter_page)

    def _resumed(self, session: Session, counter: CounterOut | None) -> None:
        self._signed_in(session)
        if counter is not None:
            self._opened(counter)

    def _opened(self, counter: CounterOut) -> None:
        assert self.session is not None
        self.sign_in_page.keep(self.session, counter)
        self.settings.setValue(COUNTER_KEY, counter.number)
        self.settings.sync()
        desk = Desk(
            self.client,
            counter,
            self.translator,
            jobs=self.jobs,
            stream_options=self._stream_options,
            parent=self,
        )
        page = DeskPage(
            self.translator, desk, self.actions_by_command, self.session.me.display_name, self._now
        )
        bar = CompactBar(self.translator, desk, self.actions_by_command, self._now, self)
        bar.closed.connect(lambda: self.set_compact(False))
        page.sign_out.clicked.connect(self.sign_out)
        page.table.itemSelectionChanged.connect(self._sync_actions)
        desk.busy_changed.connect(lambda _b: self._sync_actions())
        desk.counter_changed.connect(lambda _c: self._sync_actions())
        desk.current_changed.connect(lambda _t: self._sync_actions())
        desk.signed_out.connect(self._session_ended)
        desk.no_shows_changed.connect(lambda _n: self._sync_actions())
        self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        self.desk, self.desk_page, self.bar = desk, page, bar
        self.setWindowTitle(
            self.translator.gettext("motcua — {counter} — {clerk}").format(
                counter=counter.name, clerk=self.session.me.display_name
            )
        )
        desk.start()
        self._sync_actions()

    def _show_sign_in(self, message: str) -> None:
        self._drop_desk()
        self.client.token = None
        self.session = None
        self.sign_in_page.show_message(message)
        self.stack.setCurrentWidget(self.sign_in_page)
        self.sign_in_page.focus()

    def _drop_desk(self) -> None:
        if self.compact:
            self.set_compact(False)
        if self.desk is not None:
            self.desk.close()
            if self.desk_page is not None:
                self.stack.removeWidget(self.desk_page)
                self.desk_page.deleteLater()
            if self.bar is not None:
                self.bar.hide()
                self.bar.deleteLater()
            self.desk.deleteLater()
        self.desk = self.desk_page = self.bar = None
        self.setWindowTitle(self.translator.gettext("motcua — counter"))
        self._sync_actions()

    def _session_ended(self, message: str) -> None:
        self.sign_in_page.end_session(revoke=False)
        self._show_sign_in(message)

    def sign_out(self) -> None:
        """Close the counter on the server (so another clerk may take it), then sign out."""
        if self.desk is not None:
            message = self.translator.gettext("Signed out. The counter is closed.")
            self.desk.close_counter(functools.partial(self._signed_out, message))

    def _signed_out(self, message: str) -> None:
        self.sign_in_page.end_session()
        self._show_sign_in(message)

    # --- commands ----------------------------------------------------------------------------

    def _sync_actions(self) -> None:
        _ = self.translator.gettext
        desk, acts = self.desk, self.actions_by_command
        ready = desk is not None and not desk.busy
        calling = ready and desk is not None and not desk.paused
        serving = ready and desk is not None and desk.current is not None
        chosen = self.desk_page is not None and self.desk_page.table.chosen() is not None
        acts[Command.CALL_NEXT].setEnabled(calling)
        acts[Command.WALK_IN].setEnabled(calling)
        acts[Command.CALL_CHOSEN].setEnabled(calling and chosen)
        for command in (Command.RECALL, Command.NO_SHOW, Command.COMPLETE, Command.TRANSFER):
            acts[command].setEnabled(serving)
        acts[Command.PAUSE].setEnabled(ready)
        acts[Command.COMPACT].setEnabled(desk is not None)
        recalls = desk.current.recalls if desk is not None and desk.current is not None else 0
        recall = _("Recall")
        acts[Command.RECALL].setText(f"{recall} ({recalls})" if recalls else recall)
        paused = desk is not None and desk.paused
        acts[Command.PAUSE].setText(_("Resume") if paused else _("Pause"))
        acts[Command.COMPACT].setText(_("Full desk") if self.compact else _("Compact bar"))
        undo = self.undo_candidate()
        # Visible while it may be undone; usable once nobody else is at the counter.
        acts[Command.UNDO_NO_SHOW].setEnabled(
            calling and undo is not None and desk is not None and desk.current is None
        )
        if undo is not None:
            ticket, left_s = undo
            acts[Command.UNDO_NO_SHOW].setText(
                _("Undo no-show {number} ({minutes}:{seconds:02d})").format(
                    number=ticket.number, minutes=left_s // 60, seconds=left_s % 60
                )
            )
        if self.desk_page is not None:
            self.desk_page.undo_button.setVisible(undo is not None)
        acts[Command.REQUEUE].setEnabled(ready)

    def undo_candidate(self) -> tuple[TicketOut, int] | None:
        """The no-show the clerk may still take back, and its seconds left (the server
        has the last word: its clock decides)."""
        desk = self.desk
        if desk is None or not desk.no_shows or desk.no_shows[0].finished_at is None:
            return None
        ticket = desk.no_shows[0]
        assert ticket.finished_at is not None
        left_s = int((ticket.finished_at + UNDO_NO_SHOW_WINDOW - self._now()).total_seconds())
        return (ticket, left_s) if left_s > 0 else None

    def run_command(self, command: Command) -> None:
        desk = self.desk
        if command is Command.COMPACT:
            self.set_compact(not self.compact)
            return
        if desk is None or desk.busy:
            return
        if command is Command.CALL_NEXT:
            desk.call_next()
        elif command is Command.RECALL:
            desk.recall()
        elif command is Command.NO_SHOW:
            desk.no_show()
        elif command is Command.COMPLETE:
            desk.complete()
        elif command is Command.CALL_CHOSEN:
            chosen = self.desk_page.table.chosen() if self.desk_page is not None else None
            if chosen is not None:
                desk.call_ticket(chosen.id)
        elif command is Command.PAUSE:
            if desk.paused:
                desk.resume()
            else:
                self._ask(PauseDialog(self.translator, self), desk.pause)
        elif command is Command.TRANSFER and desk.current is not None:
            dialog = TransferDialog(
                self.translator,
                desk.current,
                list(desk.services.values()),
                desk.counters,
                desk.number,
                self,
            )
            self._ask(
                dialog, lambda service, counter: desk.transfer(service=service, counter=counter)
            )
        elif command is Command.UNDO_NO_SHOW:
            undo = self.undo_candidate()
            if undo is not None and desk.current is None:
                desk.undo_no_show(undo[0].id)
        elif command is Command.REQUEUE:
            requeue = RequeueDialog(self.translator, desk.no_shows, self)
            self._ask(
                requeue,
                lambda ticket_id, number: (
                    desk.requeue(ticket_id)
                    if ticket_id is not None
                    else desk.requeue_number(number)
                ),
            )
        elif command is Command.WALK_IN:
            walk_in = WalkInDialog(
                self.translator, list(desk.services.values()), desk.counter.services, self
            )
            self._ask(walk_in, desk.walk_in)

    def _ask(self, dialog: Dialog, then: Callable[..., Any]) -> None:
        self.dialog = dialog
        dialog.chosen.connect(then)
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(self._dialog_finished)
        dialog.open()

    def _dialog_finished(self, _result: int) -> None:
        self.dialog = None
        # The keys must work again at once, whatever the platform activates next.
        (self.bar if self.compact and self.bar is not None else self).activateWindow()

    # --- the compact bar -----------------------------------------------------------------------

    def set_compact(self, compact: bool) -> None:
        """Fold the desk into an always-on-top bar (and back)."""
        bar = self.bar
        if compact == self.compact or bar is None:
            return
        self.compact = compact
        if compact:
            self._was_full_screen = self.isFullScreen()
            bar.setGeometry(bar_geometry(bar, self.screen().availableGeometry()))
            bar.show()
            self.hide()
            bar.activateWindow()
        else:
            if self._was_full_screen:
                self.showFullScreen()
            else:
                self.show()
            bar.hide()
            self.activateWindow()
        self._sync_actions()

    # --- time ----------------------------------------------------------------------------------

    def _tick(self) -> None:
        if self.desk is not None and self.desk.no_shows:
            self._sync_actions()  # the undo's countdown, and its end
        if self.desk_page is not None:
            self.desk_page.tick()
        if self.bar is not None:
            self.bar.tick()

    def closeEvent(self, event: QCloseEvent) -> None:
        # The counter stays open on the server: restarting the app finds it as it was.
        self._ticker.stop()
        if self.desk is not None:
            self.desk.stop()
        self.jobs.close(3000)
        super().closeEvent(event)
