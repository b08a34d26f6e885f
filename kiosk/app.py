"""The ticket kiosk: touch a service, take the number, the ticket prints.

Three touches at most from home to a ticket: a service (one touch), or "priority", the
group, then the service (three). Each touch that asks for a ticket gets its own
idempotency key, reused if the citizen retries after a failure, so a retried or doubled
touch never makes two tickets.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from PySide6.QtCore import QTimer

from kiosk.admin_pin import AdminPin
from kiosk.home import HomeScreen
from kiosk.lookup import LookupScreen
from kiosk.message import MessageScreen
from kiosk.onscreen import FAILED, NO_PRINTER, REASONS, OnScreenTicket
from kiosk.priority import PriorityScreen
from kiosk.rating import RatingFlow
from kiosk.result import ResultScreen
from kiosk.shell import KioskShell
from kiosk.texts import N_, failure_text
from printer_drivers import PrinterError, PrinterStatus, TicketContent, TicketPrinter
from queue_client import Conflict, QueueClient, ServerUnreachable, new_idempotency_key
from queue_client.i18n import Translator
from queue_core.model import TicketStatus
from queue_core.protocol import (
    CounterOut,
    CounterUpdated,
    RatingScaleOut,
    ServiceOut,
    Snapshot,
    StreamEvent,
    TicketOut,
)

log = logging.getLogger(__name__)

RESULT_MS = 8_000  # the printed number stays this long
PRINTING_MS = 60_000  # ...or this long while the printer works
ON_SCREEN_MS = 60_000  # time to note a number the printer could not print
MESSAGE_MS = 20_000
STEP_MS = 45_000  # priority choice, rating, keypad
BUSY_DELAY_MS = 300  # "taking a number…" only if the server is slow to answer
REFRESH_DEBOUNCE_MS = 250
REFRESH_MS = 30_000  # issuing hours open and close with the clock, not with events

_HOME_NOTICES = {
    PrinterStatus.PAPER_OUT: N_(
        "The printer is out of paper: your number will be shown on the screen."
    ),
    PrinterStatus.COVER_OPEN: N_(
        "The printer cover is open: your number will be shown on the screen."
    ),
    PrinterStatus.OFFLINE: N_(
        "The printer is not working: your number will be shown on the screen."
    ),
}


@dataclass(frozen=True, slots=True)
class Attempt:
    """One citizen's request for a number; retries reuse its key."""

    service: str
    priority: bool
    key: str
    touched_at: float  # time.perf_counter() at the touch


class KioskWindow(KioskShell):
    """The kiosk in the hall.

    Args:
        client: the REST client with the kiosk's device token.
        tr: the language.
        printer: the ticket printer; None shows every ticket on screen.
        public_url: the server's address as phones in the hall reach it (for the QR code);
            the client's base URL when None.
    """

    def __init__(
        self,
        client: QueueClient,
        tr: Translator | None = None,
        *,
        printer: TicketPrinter | None = None,
        admin_pin: str | AdminPin = "",
        public_url: str | None = None,
        stream_options: dict[str, float] | None = None,
    ) -> None:
        super().__init__(
            client, tr, printer=printer, admin_pin=admin_pin, stream_options=stream_options
        )
        self.setWindowTitle(self.texts.gettext("motcua — ticket kiosk"))
        self.public_url = (public_url or client.base_url).rstrip("/")
        self.services: list[ServiceOut] = []
        self._snapshots = 0  # stream snapshots taken, to tell a stale REST answer
        self.counters: list[CounterOut] = []
        self.site_name = ""
        self.agency: str | None = None
        self.scale: RatingScaleOut | None = None
        self.attempt: Attempt | None = None
        self.in_flight = False
        self.issued: list[TicketOut] = []  # this session's tickets, newest last
        self.touch_to_answer_ms: list[float] = []

        tr_ = self.texts
        self.home = HomeScreen(tr_)
        self.priority = PriorityScreen(tr_)
        self.result = ResultScreen(tr_)
        self.on_screen = OnScreenTicket(tr_)
        self.message = MessageScreen(tr_)
        self.lookup = LookupScreen(tr_)
        self.rating = RatingFlow(tr_, client, self.runner)
        self.add_screen(self.home, None)
        self.add_screen(self.priority, STEP_MS)
        self.add_screen(self.result, RESULT_MS)
        self.add_screen(self.on_screen, ON_SCREEN_MS)
        self.add_screen(self.message, MESSAGE_MS)
        self.add_screen(self.lookup, STEP_MS)
        self.add_screen(self.rating, STEP_MS)
        self.stack.setCurrentWidget(self.home)

        self.home.service_chosen.connect(self.take_number)
        self.home.priority_requested.connect(lambda: self.show_screen(self.priority))
        self.home.priority_cancelled.connect(self.go_home)
        self.home.rating_requested.connect(self._ask_number)
        self.priority.confirmed.connect(self._priority_confirmed)
        self.priority.cancelled.connect(self.go_home)
        self.result.done.connect(self.go_home)
        self.on_screen.done.connect(self.go_home)
        self.message.home.connect(self.go_home)
        self.message.retry.connect(self._retry)
        self.lookup.submitted.connect(self._look_up)
        self.lookup.cancelled.connect(self.go_home)
        self.rating.finished.connect(self.go_home)
        self.monitor.status_changed.connect(lambda _status: self._sync_home())

        self._busy = QTimer(self, singleShot=True, interval=BUSY_DELAY_MS)
        self._busy.timeout.connect(self._show_busy)
        self._refresh_soon = QTimer(self, singleShot=True, interval=REFRESH_DEBOUNCE_MS)
        self._refresh_soon.timeout.connect(self.refresh_services)
        self._refresh_every = QTimer(self, interval=REFRESH_MS)
        self._refresh_every.timeout.connect(self.refresh_services)
        self._sync_home()

    def start(self) -> None:
        super().start()
        self._refresh_every.start()

    # --- home ------------------------------------------------------------------------------

    def go_home(self) -> None:
        self.attempt = None
        self.rating.stop()
        self.home.set_priority(False)
        self.show_screen(self.home)

    def _priority_confirmed(self, _group: str) -> None:
        self.home.set_priority(True)
        self.show_screen(self.home, STEP_MS)

    def _sync_home(self) -> None:
        _ = self.texts.gettext
        online = self.link == "online"
        self.home.set_usable(online and bool(self.services))
        if self.link == "rejected":
            notice: str | None = _(
                "This kiosk is not registered with the system. Please ask the staff for help."
            )
        elif not online:
            notice = _("Connecting to the system… Please wait a moment.")
        else:
            status = self.monitor.status
            notice = _(_HOME_NOTICES[status]) if status in _HOME_NOTICES else None
        self.home.set_notice(notice)

    def on_link(self, state: str) -> None:
        self._sync_home()

    def on_snapshot(self, snapshot: Snapshot) -> None:
        super().on_snapshot(snapshot)
        self._snapshots += 1
        self.site_name = snapshot.display.site_name
        self.agency = snapshot.display.agency
        self.counters = list(snapshot.counters)
        self._show_services(snapshot.services)
        if self.scale is None:
            self.runner.run(self.client.rating_scale, self._got_scale, lambda exc: None)

    def on_event(self, event: StreamEvent, live: bool) -> None:
        if isinstance(event, CounterUpdated):
            self.counters = [
                event.counter if c.number == event.counter.number else c for c in self.counters
            ]
        if not self._refresh_soon.isActive():  # at most one refresh per burst of events
            self._refresh_soon.start()  # waiting counts moved

    def refresh_services(self) -> None:
        asked = self._snapshots

        def show(services: list[ServiceOut]) -> None:
            # A snapshot that came meanwhile (`site.updated`) is newer than this answer,
            # which may still offer a service just retired or by its old name.
            if self._snapshots == asked:
                self._show_services(services)

        self.runner.run(self.client.services, show, self._refresh_failed)

    def _show_services(self, services: list[ServiceOut]) -> None:
        self.services = list(services)
        self.home.set_services(self.services)
        self._sync_home()

    def _refresh_failed(self, exc: Exception) -> None:
        log.info("services not refreshed: %s", exc)

    def _got_scale(self, scale: RatingScaleOut) -> None:
        self.scale = scale

    def retranslate(self) -> None:
        super().retranslate()
        self.setWindowTitle(self.texts.gettext("motcua — ticket kiosk"))
        for screen in (
            self.home,
            self.priority,
            self.result,
            self.on_screen,
            self.message,
            self.lookup,
            self.rating,
        ):
            screen.retranslate()
        self._sync_home()

    # --- taking a number -------------------------------------------------------------------

    def take_number(self, service: str) -> None:
        """The citizen touched `service`: issue, then print (both off the GUI thread)."""
        if self.in_flight:
            return  # a second touch while the first is on its way
        attempt = Attempt(service, self.home.priority, new_idempotency_key(), time.perf_counter())
        self.attempt = attempt
        self._issue(attempt)

    def _retry(self) -> None:
        if self.attempt is not None and not self.in_flight:
            self._issue(self.attempt)

    def _issue(self, attempt: Attempt) -> None:
        self.in_flight = True
        self._busy.start()
        self.runner.run(
            lambda: self.client.issue(attempt.service, attempt.priority, attempt.key),
            lambda ticket: self._issued(attempt, ticket),
            lambda exc: self._issue_failed(attempt, exc),
        )

    def _show_busy(self) -> None:
        _ = self.texts.gettext
        self.message.show_message(_("Taking your number…"), can_leave=False)
        self.show_screen(self.message)

    def _issued(self, attempt: Attempt, ticket: TicketOut) -> None:
        self.in_flight = False
        self._busy.stop()
        self.touch_to_answer_ms.append((time.perf_counter() - attempt.touched_at) * 1000)
        if self.attempt is attempt:
            self.attempt = None
        self.issued.append(ticket)
        counters = self._counter_names(ticket)
        if self.monitor.printer is None:
            self._show_on_screen(ticket, NO_PRINTER)
            return
        # Printing starts before the screen is drawn: the paper is what the citizen waits for.
        content = TicketContent.from_ticket(
            ticket,
            site_name=self.site_name,
            agency=self.agency,
            counters=self.counters,
            qr_url=self.follow_url(ticket),
        )
        self.monitor.print_ticket(
            content,
            lambda: self._printed(ticket),
            lambda exc: self._print_failed(ticket, exc),
        )
        self.home.set_priority(False)
        self.result.show_ticket(ticket, counters, printing=True)
        self.show_screen(self.result, PRINTING_MS)
        self._refresh_soon.start()

    def _printed(self, ticket: TicketOut) -> None:
        if self.result.ticket is ticket and self.stack.currentWidget() is self.result:
            self.result.set_printed()
            self.show_screen(self.result, RESULT_MS)

    def _print_failed(self, ticket: TicketOut, exc: Exception) -> None:
        log.warning("ticket %s not printed: %s", ticket.number, exc)
        status = self.monitor.status
        reason = REASONS.get(status, FAILED) if status is not None else FAILED
        if not isinstance(exc, PrinterError):
            reason = FAILED
        self._show_on_screen(ticket, reason)

    def _show_on_screen(self, ticket: TicketOut, reason: str) -> None:
        self.home.set_priority(False)
        self.on_screen.show_ticket(
            ticket, self._counter_names(ticket), self.follow_url(ticket), reason
        )
        self.show_screen(self.on_screen)

    def _issue_failed(self, attempt: Attempt, exc: Exception) -> None:
        self.in_flight = False
        self._busy.stop()
        _ = self.texts.gettext
        log.info("no number for %s: %s", attempt.service, exc)
        self.message.show_message(
            _("No number was issued"),
            failure_text(self.texts, exc),
            can_retry=isinstance(exc, ServerUnreachable),
        )
        self.show_screen(self.message)
        if isinstance(exc, Conflict):
            self.refresh_services()  # closed or full since the home screen was drawn

    def follow_url(self, ticket: TicketOut) -> str:
        """The ticket's page on a phone: its unguessable code (a server before follow codes
        gives none, and its page still takes the id)."""
        return f"{self.public_url}/t/{ticket.follow_code or ticket.id}"

    def _counter_names(self, ticket: TicketOut) -> tuple[str, ...]:
        return tuple(
            c.name or str(c.number)
            for c in self.counters
            if c.number == ticket.target_counter
            or (ticket.target_counter is None and ticket.service in c.services)
        )

    # --- rating a visit by its ticket's QR code ------------------------------------------

    def _ask_number(self) -> None:
        self.lookup.reset()
        self.show_screen(self.lookup)

    def _look_up(self, code: str) -> None:
        self.runner.run(
            lambda: (self.client.find_followed(code), self.scale or self.client.rating_scale()),
            lambda found: self._found(code, *found),
            self._lookup_failed,
        )

    def _found(self, code: str, ticket: TicketOut | None, scale: RatingScaleOut) -> None:
        _ = self.texts.gettext
        self.scale = scale
        if ticket is None:
            self.lookup.show_error(_("This QR code is not one of today's tickets."))
            return
        if ticket.status is not TicketStatus.DONE:
            self.lookup.show_error(
                _("Number %(number)s has not been served yet. Please rate after your visit.")
                % {"number": ticket.number}
            )
            return
        counter = next((c for c in self.counters if c.number == ticket.counter), None)
        about = f"{ticket.number} · {ticket.service_name}"
        if counter is not None:
            about += f" · {counter.name}"
        self.rating.start(scale, ticket, about, follow_code=code)
        self.show_screen(self.rating)

    def _lookup_failed(self, exc: Exception) -> None:
        self.lookup.show_error(failure_text(self.texts, exc))
