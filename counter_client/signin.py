"""Before the desk: sign in, then choose the counter (remembered on this machine)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_client.kept_session import KeptSession, SessionKeeper
from counter_client.texts import failure_text
from counter_client.widgets import PlainLabel, named
from queue_client import Conflict, Forbidden, NotAuthenticated, QueueClient, ServerUnreachable
from queue_client.i18n import Translator
from queue_core.model import CounterState
from queue_core.protocol import CounterOut, Me, ServiceOut

Background = Callable[[Callable[[], Any], Callable[[Any], None], Callable[[Exception], None]], None]

log = logging.getLogger(__name__)

# Roles that may take a counter over from another clerk (the server checks it too).
OVERSEERS = ("supervisor", "admin")
# While the server is unreachable at start, the kept session is tried again this often.
RESUME_RETRY_MS = 3000


@dataclass(frozen=True, slots=True)
class Session:
    me: Me
    counters: list[CounterOut]
    services: list[ServiceOut]
    expires_at: datetime | None = None  # the token's, as the server gave it

    @property
    def overseer(self) -> bool:
        return self.me.role in OVERSEERS


def _centred(inner: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(inner, 4)
    row.addStretch(1)
    return row


class SignInPage(QWidget):
    """Username and password; the password never leaves this page.

    With a `keeper`, `resume()` skips the page when this PC kept a session for the day.
    """

    signed_in = Signal(object)  # Session
    resumed = Signal(object, object)  # Session, the reopened CounterOut or None

    def __init__(
        self,
        tr: Translator,
        client: QueueClient,
        background: Background,
        username: str = "",
        parent: QWidget | None = None,
        keeper: SessionKeeper | None = None,
    ) -> None:
        super().__init__(parent)
        _ = tr.gettext
        self._tr = tr
        self._client = client
        self._background = background
        self._keeper = keeper
        panel = named(QWidget(), "panel")
        panel.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        form = QFormLayout()
        self.username = QLineEdit(username)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_("Username"), self.username)
        form.addRow(_("Password"), self.password)
        self.submit = named(QPushButton(_("Sign in")), "primary")
        self.message = named(PlainLabel(""), "error")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(panel)
        layout.addWidget(named(PlainLabel(_("Counter sign-in")), "title"))
        layout.addWidget(named(PlainLabel(_("Server: {url}").format(url=client.base_url)), "muted"))
        layout.addLayout(form)
        layout.addWidget(self.submit)
        layout.addWidget(self.message)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(_centred(panel))
        outer.addStretch(2)
        self.submit.clicked.connect(self.sign_in)
        self.password.returnPressed.connect(self.sign_in)
        self.username.returnPressed.connect(self.password.setFocus)

    def focus(self) -> None:
        (self.password if self.username.text() else self.username).setFocus()

    def sign_in(self) -> None:
        _ = self._tr.gettext
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            self.message.setText(_("Enter your username and password."))
            return
        if not self.submit.isEnabled():
            return
        self.submit.setEnabled(False)
        self.message.setText(_("Signing in…"))
        self._background(
            functools.partial(_sign_in, self._client, username, password), self._ok, self._failed
        )

    def _ok(self, session: Session) -> None:
        self.submit.setEnabled(True)
        self.password.clear()
        self.message.clear()
        self.signed_in.emit(session)

    def _failed(self, exc: Exception) -> None:
        self.submit.setEnabled(True)
        if isinstance(exc, NotAuthenticated):
            self.message.setText(self._tr.gettext("Wrong username or password."))
        else:
            self.message.setText(failure_text(self._tr, exc))

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    # --- the session kept on this PC -----------------------------------------------------

    def resume(self) -> bool:
        """Go straight back to the desk with the session kept on this PC, if one holds."""
        kept = self._keeper.load(self._client.base_url) if self._keeper is not None else None
        if kept is None or not self.submit.isEnabled():
            return False
        self.username.setText(kept.username)
        self.submit.setEnabled(False)
        self.message.setText(self._tr.gettext("Resuming your session…"))
        self._background(
            functools.partial(_resume, self._client, kept),
            self._resumed,
            self._resume_failed,
        )
        return True

    def _resumed(self, result: tuple[Session, CounterOut | None]) -> None:
        self.submit.setEnabled(True)
        self.message.clear()
        # Said in the log, so that whoever restarted the app can see it is back at its desk.
        session, counter = result
        where = f"at counter {counter.number}" if counter is not None else "without its counter"
        log.info("session of %s resumed %s", session.me.subject, where)
        self.resumed.emit(*result)

    def _resume_failed(self, exc: Exception) -> None:
        _ = self._tr.gettext
        self.submit.setEnabled(True)
        self._client.token = None
        if isinstance(exc, ServerUnreachable):
            # The server may start after this PC (a power cut): keep the session, try again.
            self.message.setText(failure_text(self._tr, exc) + " " + _("Trying again…"))
            QTimer.singleShot(RESUME_RETRY_MS, self, self._retry_resume)
            return
        if isinstance(exc, NotAuthenticated | Forbidden):
            if self._keeper is not None:
                self._keeper.forget()
            log.info("kept session refused by the server: %s", exc)
            self.message.setText(
                _("Your session on this computer has ended. Please sign in again.")
            )
        else:
            self.message.setText(failure_text(self._tr, exc))
        self.focus()

    def _retry_resume(self) -> None:
        if self._client.token is None:  # nobody signed in by hand meanwhile
            self.resume()

    def keep(self, session: Session, counter: CounterOut) -> None:
        """Keep this clerk at `counter` on this PC for the day (its token, not its password)."""
        if self._keeper is None or self._client.token is None:
            return
        try:
            self._keeper.save(
                self._client.base_url,
                session.me.subject,
                counter.number,
                self._client.token,
                session.expires_at,
            )
        except OSError as exc:  # a full disk costs the comfort, not the desk
            log.warning("session not kept on this PC: %s", exc)

    def end_session(self, revoke: bool = True) -> None:
        """Forget the kept session and (on a sign-out) revoke its token on the server;
        a token the server already refused needs no revoking."""
        if self._keeper is not None:
            self._keeper.forget()
        token = self._client.token
        if revoke and token is not None:
            self._background(
                functools.partial(self._client.logout, token),
                lambda _none: None,
                lambda exc: log.warning("token not revoked on the server: %s", exc),
            )


def _sign_in(client: QueueClient, username: str, password: str) -> Session:
    token = client.login(username, password)
    return Session(client.me(), client.counters(), client.services(), token.expires_at)


def _resume(client: QueueClient, kept: KeptSession) -> tuple[Session, CounterOut | None]:
    """The kept token, checked by the server, and the kept counter reopened (None when
    another clerk took it meanwhile: the clerk then chooses again)."""
    client.token = kept.token
    session = Session(client.me(), client.counters(), client.services(), kept.valid_until)
    try:
        counter: CounterOut | None = client.open_counter(kept.counter)
    except Conflict:
        counter = None
    return session, counter


class CounterPage(QWidget):
    """Which counter this clerk works at; another clerk's counter is refused calmly."""

    opened = Signal(object)  # CounterOut
    back = Signal()

    def __init__(
        self,
        tr: Translator,
        client: QueueClient,
        background: Background,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        _ = tr.gettext
        self._tr = tr
        self._client = client
        self._background = background
        self.session: Session | None = None
        panel = named(QWidget(), "panel")
        panel.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.greeting = named(PlainLabel(""), "title")
        self.counters = named(QListWidget(), "counters")
        self.counters.setWordWrap(True)
        self.counters.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.open_button = named(QPushButton(_("Open this counter")), "primary")
        self.take_over = named(QPushButton(_("Take the counter over (supervisor)")), "warning")
        self.take_over.setVisible(False)
        self.back_button = QPushButton(_("Sign out"))
        self.message = named(PlainLabel(""), "error")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(panel)
        layout.addWidget(self.greeting)
        layout.addWidget(PlainLabel(_("Choose your counter:")))
        layout.addWidget(self.counters)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.take_over)
        buttons.addWidget(self.open_button)
        layout.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(_centred(panel))
        outer.addStretch(2)
        self.open_button.clicked.connect(lambda: self.open_counter(force=False))
        self.take_over.clicked.connect(lambda: self.open_counter(force=True))
        self.back_button.clicked.connect(self.back.emit)
        self.counters.currentRowChanged.connect(self._clear)
        self.counters.itemDoubleClicked.connect(lambda _item: self.open_counter(force=False))
        # Enter opens the chosen counter: sign-in to desk by keyboard alone.
        self.counters.activated.connect(lambda _index: self.open_counter(force=False))

    def show_session(self, session: Session, preferred: int | None) -> None:
        _ = self._tr.gettext
        self.session = session
        self.greeting.setText(_("Hello, {name}").format(name=session.me.display_name))
        self.counters.clear()
        for counter in session.counters:
            item = QListWidgetItem(self._describe(counter))
            item.setData(Qt.ItemDataRole.UserRole, counter.number)
            self.counters.addItem(item)
            if counter.number == preferred:
                self.counters.setCurrentItem(item)
        if self.counters.currentRow() < 0 and self.counters.count():
            self.counters.setCurrentRow(0)
        self._clear()
        self.counters.setFocus()

    def _describe(self, counter: CounterOut) -> str:
        _ = self._tr.gettext
        names = {s.code: s.name for s in self.session.services} if self.session else {}
        services = ", ".join(names.get(code, code) for code in counter.services)
        if self.session is not None and counter.clerk == self.session.me.display_name:
            state = _("yours")
        elif counter.clerk is not None:
            state = _("held by {clerk}").format(clerk=counter.clerk)
        elif counter.state is CounterState.CLOSED:
            state = _("free")
        else:
            state = _("open")
        return f"{counter.name} · {services} · {state}"

    def choose(self, number: int) -> None:
        for row in range(self.counters.count()):
            item = self.counters.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == number:
                self.counters.setCurrentRow(row)

    def chosen(self) -> CounterOut | None:
        item = self.counters.currentItem()
        if item is None or self.session is None:
            return None
        number = item.data(Qt.ItemDataRole.UserRole)
        return next((c for c in self.session.counters if c.number == number), None)

    def _clear(self) -> None:
        self.message.clear()
        self.take_over.setVisible(False)

    def open_counter(self, force: bool) -> None:
        counter = self.chosen()
        if counter is None or self.session is None or not self.open_button.isEnabled():
            return
        if not force and self.session.overseer and counter.clerk is not None:
            # The server lets a supervisor act beside a clerk; say whose counter it is first.
            self._busy_message(counter.number, counter.clerk)
            return
        self._set_enabled(False)
        self._background(
            functools.partial(self._client.open_counter, counter.number, force),
            self._opened,
            functools.partial(self._failed, counter.number),
        )

    def _opened(self, counter: CounterOut) -> None:
        self._set_enabled(True)
        self._clear()
        self.opened.emit(counter)

    def _failed(self, number: int, exc: Exception) -> None:
        self._set_enabled(True)
        if isinstance(exc, Conflict) and exc.error == "CounterBusy":
            self._background(
                self._client.counters, functools.partial(self._refreshed, number), self._silent
            )
            return
        self.message.setText(failure_text(self._tr, exc))

    def _refreshed(self, number: int, counters: list[CounterOut]) -> None:
        if self.session is None:
            return
        self.session = Session(self.session.me, counters, self.session.services)
        current = self.chosen()
        self.show_session(self.session, current.number if current else number)
        holder = next((c.clerk for c in counters if c.number == number), None)
        self._busy_message(number, holder or "?")

    def _silent(self, exc: Exception) -> None:
        self.message.setText(failure_text(self._tr, exc))

    def _busy_message(self, number: int, clerk: str) -> None:
        _ = self._tr.gettext
        text = _("Counter {number} is being served by {clerk}.").format(number=number, clerk=clerk)
        if self.session is not None and self.session.overseer:
            text += " " + _("As a supervisor you may take it over; it will be freed for you.")
            self.take_over.setVisible(True)
        else:
            text += " " + _("Choose another counter, or ask the supervisor to hand it over.")
        self.message.setText(text)

    def _set_enabled(self, enabled: bool) -> None:
        self.open_button.setEnabled(enabled)
        self.take_over.setEnabled(enabled)
