"""The rating tablet on a counter (`motcua kiosk --mode rating --counter N`).

It shows the counter and the clerk serving there; when the counter completes a ticket
(a live `ticket.completed` event naming this counter) it asks the citizen to rate the
service, then thanks them and goes back to showing the counter.
"""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.admin_pin import AdminPin
from kiosk.rating import RatingFlow
from kiosk.shell import KioskShell
from kiosk.widgets import label
from printer_drivers import TicketPrinter
from queue_client import QueueClient
from queue_client.i18n import Translator
from queue_core.model import CounterState
from queue_core.protocol import (
    CounterOut,
    CounterUpdated,
    RatingScaleOut,
    Snapshot,
    StreamEvent,
    TicketCalled,
    TicketCompleted,
    TicketOut,
    TicketRecalled,
)

RATING_MS = 60_000  # a citizen who walks away without rating


class CounterPage(QWidget):
    """The counter, the clerk, the number being served."""

    def __init__(self, tr: Translator, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screen")
        self._tr = tr
        self.number = number
        self.counter: CounterOut | None = None
        self.serving: str | None = None
        self.online = True
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 32, 48, 32)
        layout.setSpacing(20)
        self.notice = label(name="banner")
        self.name = label(name="counterName")
        self.clerk = label(name="clerkName")
        self.current = label(name="subtitle")
        self.hint = label(name="title")
        layout.addWidget(self.notice)
        layout.addStretch(1)
        layout.addWidget(self.name)
        layout.addWidget(self.clerk)
        layout.addWidget(self.current)
        layout.addStretch(1)
        layout.addWidget(self.hint)
        layout.addStretch(1)
        self.retranslate()

    def show_counter(self, counter: CounterOut) -> None:
        self.counter = counter
        if counter.current_ticket is not None:
            self.serving = counter.current_ticket.number
        elif counter.state is not CounterState.OPEN:
            self.serving = None
        self.retranslate()

    def retranslate(self) -> None:
        _ = self._tr.gettext
        counter = self.counter
        self.name.setText(counter.name if counter else _("Counter %(n)d") % {"n": self.number})
        if counter is None:
            self.clerk.setText("")
        elif counter.state is CounterState.CLOSED or counter.clerk is None:
            self.clerk.setText(_("This counter is closed"))
        elif counter.state is CounterState.PAUSED:
            self.clerk.setText(_("Paused: %(reason)s") % {"reason": counter.pause_reason or ""})
        else:
            self.clerk.setText(_("Served by %(name)s") % {"name": counter.clerk})
        self.current.setText(
            _("Now serving number %(number)s") % {"number": self.serving} if self.serving else ""
        )
        self.hint.setText(_("After you have been served, please rate our service here."))
        self.notice.setText(_("Connecting to the system… Please wait a moment."))
        self.notice.setVisible(not self.online)


class RatingTablet(KioskShell):
    """The tablet at counter `counter`.

    Args:
        client: the REST client with a rating (or kiosk) device token.
        counter: the counter it stands on.
    """

    def __init__(
        self,
        client: QueueClient,
        counter: int,
        tr: Translator | None = None,
        *,
        printer: TicketPrinter | None = None,
        admin_pin: str | AdminPin = "",
        stream_options: dict[str, float] | None = None,
    ) -> None:
        super().__init__(
            client, tr, printer=printer, admin_pin=admin_pin, stream_options=stream_options
        )
        self.number = counter
        self._set_title()
        self.scale: RatingScaleOut | None = None
        self.pending: TicketOut | None = None  # completed before the scale arrived
        self.page = CounterPage(self.texts, counter)
        self.rating = RatingFlow(self.texts, client, self.runner)
        self.add_screen(self.page, None)
        self.add_screen(self.rating, RATING_MS)
        self.stack.setCurrentWidget(self.page)
        self.rating.finished.connect(self.go_home)

    def go_home(self) -> None:
        self.rating.stop()
        self.show_screen(self.page)

    def retranslate(self) -> None:
        super().retranslate()
        self._set_title()
        self.page.retranslate()
        self.rating.retranslate()

    def _set_title(self) -> None:
        title = self.texts.gettext("motcua — rating, counter %(n)d") % {"n": self.number}
        self.setWindowTitle(title)

    def on_link(self, state: str) -> None:
        self.page.online = state == "online"
        self.page.retranslate()

    def on_snapshot(self, snapshot: Snapshot) -> None:
        super().on_snapshot(snapshot)
        for counter in snapshot.counters:
            if counter.number == self.number:
                self.page.show_counter(counter)
        if self.scale is None:
            self.runner.run(self.client.rating_scale, self._got_scale, lambda exc: None)

    def on_event(self, event: StreamEvent, live: bool) -> None:
        if isinstance(event, CounterUpdated):
            if event.counter.number == self.number:
                self.page.show_counter(event.counter)
            return
        if getattr(event, "counter", None) != self.number:
            return
        if isinstance(event, TicketCalled | TicketRecalled):
            self.page.serving = event.ticket.number
            self.page.retranslate()
        elif isinstance(event, TicketCompleted):
            self.page.serving = None
            self.page.retranslate()
            if live:  # a completion replayed after a reconnect is too late to ask about
                self.ask(event.ticket)

    def ask(self, ticket: TicketOut) -> None:
        """Ask the citizen of `ticket` to rate the service."""
        if self.scale is None:
            self.pending = ticket
            self.runner.run(self.client.rating_scale, self._got_scale, lambda exc: None)
            return
        counter = self.page.counter
        about = f"{ticket.number} · {ticket.service_name}"
        if counter is not None and counter.clerk:
            about += f" · {counter.clerk}"
        self.rating.start(self.scale, ticket, about)
        self.show_screen(self.rating, RATING_MS)

    def _got_scale(self, scale: RatingScaleOut) -> None:
        self.scale = scale
        if self.pending is not None:
            ticket, self.pending = self.pending, None
            self.ask(ticket)
