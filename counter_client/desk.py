"""One counter's live state and the clerk's commands (no widgets here).

The state comes from the event stream (a snapshot on every connection, then
events) and from REST reads of what the stream does not carry: this counter's
waiting list in call order and today's figures. Commands run off the GUI thread,
one at a time: while one is in flight, and for a double click's span after it
started, another is refused, so a double click or a held key never acts twice.
"""

from __future__ import annotations

import functools
import logging
import random
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from counter_client.texts import failure_text
from queue_client import LinkState, NotAuthenticated, QueueClient, ServerUnreachable
from queue_client.i18n import Translator
from queue_client.qt import EventBridge, Runner
from queue_core.model import CounterState
from queue_core.protocol import (
    AlertCleared,
    AlertOut,
    AlertRaised,
    CounterOut,
    CounterStatsOut,
    CounterUpdated,
    ServiceOut,
    ServiceUpdated,
    Snapshot,
    StreamEvent,
    TicketCalled,
    TicketCancelled,
    TicketCompleted,
    TicketExpired,
    TicketNoShow,
    TicketOut,
    TicketRated,
    TicketRecalled,
    TicketRequeued,
    TicketTransferred,
)

log = logging.getLogger(__name__)

_GONE = (TicketCompleted, TicketNoShow, TicketCancelled, TicketExpired, TicketTransferred)
_COUNTED = (TicketCompleted, TicketNoShow, TicketRated)
# The waiting list is read again at most this often: fresh enough for a clerk's eye.
WAITING_READ_MS = 300
# The front of the counter's call order the desk lists: what a clerk picks from; the
# services' counts say how many wait in all.
WAITING_ROWS = 40
# Every desk hears an event in the same moment: were each to read a fixed time later, twenty
# desks would ask in the same millisecond and every other request of the hall (a kiosk's
# ticket, a call) would queue behind the burst. Each read waits this share more or less,
# drawn anew each time, which spreads the desks over the interval.
READ_SPREAD = 0.5


def read_delay_ms(interval_ms: int, draw: Callable[[], float] = random.random) -> int:
    """How long a read asked for now waits: `interval_ms`, give or take `READ_SPREAD`."""
    return max(1, round(interval_ms * (1 - READ_SPREAD + 2 * READ_SPREAD * draw())))


class _Reload(QObject):
    """A read that events ask for often: coalesced, one request at a time, at most one
    per `interval_ms` however busy the hall (a burst of events is one read, and twenty
    desks cost the server a few reads a second, not one per event each)."""

    def __init__(
        self,
        desk: Desk,
        fetch: Callable[[], Any],
        apply: Callable[[Any], None],
        interval_ms: int = 50,
    ) -> None:
        super().__init__(desk)
        self._desk = desk
        self._fetch = fetch
        self._apply = apply
        self._in_flight = False
        self._again = False
        self._interval_ms = interval_ms
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._run)

    def request(self) -> None:
        if self._in_flight:
            self._again = True
        elif not self._timer.isActive():  # restarting it would starve under steady events
            self._timer.start(read_delay_ms(self._interval_ms))

    def _run(self) -> None:
        self._in_flight, self._again = True, False
        self._desk.background(self._fetch, self._done, self._failed)

    def _done(self, result: Any) -> None:
        self._apply(result)
        self._finish()

    def _failed(self, exc: Exception) -> None:
        if not isinstance(exc, ServerUnreachable):  # the link state already says so
            log.warning("a desk read failed: %s", exc)
        self._desk.handle_auth_failure(exc)
        self._finish()

    def _finish(self) -> None:
        self._in_flight = False
        if self._again:
            self.request()


class Desk(QObject):
    """The counter `counter.number` as this clerk works it.

    Signals carry the new value; `notice(text, is_error)` is a sentence for the status
    line; `signed_out(text)` says the session ended (token expired or revoked).
    """

    counter_changed = Signal(object)  # CounterOut
    current_changed = Signal(object)  # TicketOut | None
    waiting_changed = Signal(object)  # list[TicketOut]
    stats_changed = Signal(object)  # CounterStatsOut
    no_shows_changed = Signal(object)  # list[TicketOut]
    services_changed = Signal(object)  # dict[str, ServiceOut]
    alerts_changed = Signal(object)  # list[AlertOut]: those for this desk (`desk_alerts`)
    link_changed = Signal(str)  # a LinkState value
    busy_changed = Signal(bool)
    notice = Signal(str, bool)
    signed_out = Signal(str)

    def __init__(
        self,
        client: QueueClient,
        counter: CounterOut,
        tr: Translator,
        *,
        jobs: Runner,
        stream_options: dict[str, float] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.number = counter.number
        self.counter = counter
        self.current: TicketOut | None = counter.current_ticket
        self.waiting: list[TicketOut] = []
        self.services: dict[str, ServiceOut] = {}
        self.counters: list[CounterOut] = [counter]
        self.stats: CounterStatsOut | None = None
        # Today's no-shows marked here that this desk saw, latest first: the ones a
        # late citizen may come back for.
        self.no_shows: list[TicketOut] = []
        self.link = LinkState.CONNECTING.value
        self.busy = False
        self._tr = tr
        self._jobs = jobs
        self._stream_options = stream_options or {}
        self._bridge: EventBridge | None = None
        self._closed = False  # signed out: answers still on their way are dropped
        self._since = QElapsedTimer()
        self._waiting = _Reload(
            self,
            functools.partial(client.waiting, self.number, WAITING_ROWS),
            self._got_waiting,
            interval_ms=WAITING_READ_MS,
        )
        self._stats = _Reload(
            self, functools.partial(client.counter_stats, self.number), self._got_stats
        )
        self._services = _Reload(self, client.services, self._got_services)
        # The hall's active alerts by id: read at each (re)connection, then kept by the
        # stream's raises and clears. An id is new at each raise, so a clear seen before a
        # read that still had its alert wins, and so does a raise seen before a read
        # that did not have it yet.
        self.alerts: dict[int, AlertOut] = {}
        self._raised: dict[int, AlertOut] = {}  # by the stream, since the last snapshot
        self._cleared: set[int] = set()
        self._alerts = _Reload(self, client.alerts, self._got_alerts)

    # --- life ----------------------------------------------------------------------------

    def start(self) -> None:
        assert self.client.token is not None
        self._bridge = EventBridge(
            self.client.base_url, self.client.token, self, **self._stream_options
        )
        self._bridge.snapshot_received.connect(self._on_snapshot)
        self._bridge.event_received.connect(self._on_event)
        self._bridge.link_changed.connect(self._on_link)
        self._bridge.start()
        self.reload()

    def stop(self) -> None:
        if self._bridge is not None:
            self._bridge.stop()
            self._bridge = None

    def close(self) -> None:
        """Stop for good (the clerk signed out): answers still on their way are dropped."""
        self._closed = True
        self.stop()

    def reload(self) -> None:
        """Re-read what the stream does not carry."""
        self._waiting.request()
        self._stats.request()
        if not self.services:
            self._services.request()

    def background(
        self,
        call: Callable[[], Any],
        ok: Callable[[Any], None],
        failed: Callable[[Exception], None],
    ) -> None:
        """Run `call` on a worker, then `ok` or `failed` here, unless the desk was closed
        meanwhile: the window's workers outlive a desk, and an answer that comes back after
        a sign-out (a read refused once the token is revoked) must not reach a desk that
        Qt has deleted."""

        def succeeded(value: Any) -> None:
            if not self._closed:
                ok(value)

        def refused(exc: Exception) -> None:
            if not self._closed:
                failed(exc)

        self._jobs.run(call, succeeded, refused)

    def handle_auth_failure(self, exc: BaseException) -> None:
        if isinstance(exc, NotAuthenticated):
            self.stop()
            self.signed_out.emit(failure_text(self._tr, exc))

    # --- what the clerk can do now ---------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self.counter.state is CounterState.PAUSED

    def desk_alerts(self) -> list[AlertOut]:
        """The alerts this desk shows, oldest first: a wait past its target in a service
        this counter serves, and every device's (a kiosk out of paper stops the numbers of
        every service, and in a commune centre the clerks are the staff in the hall)."""
        return [
            alert
            for _, alert in sorted(self.alerts.items())
            if alert.kind != "wait-over-target" or alert.subject in self.called_services()
        ]

    def called_services(self) -> list[str]:
        """The services this counter calls: its own, and the one a supervisor sent it to
        help today (issue #14)."""
        counter = self.counter
        helps = [counter.helps] if counter.helps and counter.helps not in counter.services else []
        return [*counter.services, *helps]

    def service_name(self, code: str) -> str:
        service = self.services.get(code)
        return service.name if service is not None else code

    # --- commands --------------------------------------------------------------------------

    def call_next(self) -> bool:
        return self._act(functools.partial(self.client.call_next, self.number), self._called_next)

    def recall(self) -> bool:
        return self.current is not None and self._act(
            functools.partial(self.client.recall, self.number), self._set_current
        )

    def call_ticket(self, ticket_id: int) -> bool:
        return self._act(
            functools.partial(self.client.call_ticket, self.number, ticket_id), self._called
        )

    def walk_in(self, service: str, priority: bool = False) -> bool:
        return self._act(
            functools.partial(self.client.walk_in, self.number, service, priority), self._walked_in
        )

    def complete(self) -> bool:
        if self.current is None:
            return False
        return self._act(functools.partial(self.client.complete, self.current.id), self._finished)

    def no_show(self) -> bool:
        if self.current is None:
            return False
        return self._act(functools.partial(self.client.no_show, self.current.id), self._no_show)

    def undo_no_show(self, ticket_id: int) -> bool:
        return self._act(functools.partial(self.client.undo_no_show, ticket_id), self._undone)

    def requeue(self, ticket_id: int) -> bool:
        return self._act(
            functools.partial(self.client.requeue, ticket_id, self.number), self._requeued
        )

    def requeue_number(self, number: str) -> bool:
        """Put back the no-show printed with `number` today (the clerk reads the ticket)."""

        def call() -> TicketOut | None:
            found = self.client.find_ticket(number)
            return None if found is None else self.client.requeue(found.id, self.number)

        return self._act(call, functools.partial(self._requeued_number, number))

    def transfer(self, *, service: str | None = None, counter: int | None = None) -> bool:
        if self.current is None:
            return False
        call = functools.partial(
            self.client.transfer, self.current.id, service=service, counter=counter
        )
        return self._act(call, self._transferred)

    def pause(self, reason: str) -> bool:
        return self._act(
            functools.partial(self.client.pause, self.number, reason), self._set_counter
        )

    def resume(self) -> bool:
        return self._act(functools.partial(self.client.resume, self.number), self._set_counter)

    def close_counter(self, done: Callable[[], None]) -> bool:
        return self._act(
            functools.partial(self.client.close_counter, self.number), lambda _: done()
        )

    def _act(self, call: Callable[[], Any], apply: Callable[[Any], None]) -> bool:
        if self.busy:
            return False
        self._set_busy(True)
        self._since.start()

        def ok(result: Any) -> None:
            apply(result)
            self._release()

        def failed(exc: Exception) -> None:
            self.notice.emit(failure_text(self._tr, exc), True)
            self.handle_auth_failure(exc)
            self._release()
            self.reload()  # what failed may mean our picture was stale

        self.background(call, ok, failed)
        return True

    def _release(self) -> None:
        # Stay busy for at least a double click's span, so its second click finds
        # the buttons disabled however fast the server answered the first.
        left = QApplication.doubleClickInterval() - self._since.elapsed()
        if left > 0:
            QTimer.singleShot(left, self, functools.partial(self._set_busy, False))
        else:
            self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busy_changed.emit(busy)

    # --- results ---------------------------------------------------------------------------

    def _called_next(self, ticket: TicketOut | None) -> None:
        _ = self._tr.gettext
        if ticket is None:
            self._set_current(None)
            self.notice.emit(_("Nobody is waiting for this counter."), False)
        else:
            self._called(ticket)
        self._waiting.request()
        self._stats.request()

    def _called(self, ticket: TicketOut) -> None:
        self._set_current(ticket)
        self.notice.emit(
            self._tr.gettext("Called number {number}.").format(number=ticket.number), False
        )
        self._waiting.request()

    def _walked_in(self, ticket: TicketOut) -> None:
        self._set_current(ticket)
        message = self._tr.gettext("Number {number} issued to the citizen at the counter.")
        self.notice.emit(message.format(number=ticket.number), False)

    def _finished(self, ticket: TicketOut) -> None:
        self._drop_current(ticket)
        message = self._tr.gettext("Number {number} completed.")
        self.notice.emit(message.format(number=ticket.number), False)
        self._stats.request()

    def _no_show(self, ticket: TicketOut) -> None:
        self._drop_current(ticket)
        self._remember_no_show(ticket)
        message = self._tr.gettext("Number {number} marked as absent.")
        self.notice.emit(message.format(number=ticket.number), False)
        self._stats.request()

    def _undone(self, ticket: TicketOut) -> None:
        self._forget_no_show(ticket.id)
        self._set_current(ticket)
        message = self._tr.gettext("Number {number} is back at the counter.")
        self.notice.emit(message.format(number=ticket.number), False)
        self._stats.request()

    def _requeued(self, ticket: TicketOut) -> None:
        self._forget_no_show(ticket.id)
        message = self._tr.gettext("Number {number} is back in the queue, first of its service.")
        self.notice.emit(message.format(number=ticket.number), False)
        self._waiting.request()
        self._stats.request()

    def _requeued_number(self, number: str, ticket: TicketOut | None) -> None:
        if ticket is None:
            message = self._tr.gettext("No number {number} was issued today.")
            self.notice.emit(message.format(number=number), True)
        else:
            self._requeued(ticket)

    def _remember_no_show(self, ticket: TicketOut) -> None:
        kept = [t for t in self.no_shows if t.id != ticket.id]
        self.no_shows = [ticket, *kept]
        self.no_shows_changed.emit(self.no_shows)

    def _forget_no_show(self, ticket_id: int) -> None:
        if any(t.id == ticket_id for t in self.no_shows):
            self.no_shows = [t for t in self.no_shows if t.id != ticket_id]
            self.no_shows_changed.emit(self.no_shows)

    def _transferred(self, ticket: TicketOut) -> None:
        _ = self._tr.gettext
        self._drop_current(ticket)
        if ticket.target_counter is not None:
            text = _("Number {number} sent to counter {counter}.").format(
                number=ticket.number, counter=ticket.target_counter
            )
        else:
            text = _("Number {number} sent to {service}.").format(
                number=ticket.number, service=ticket.service_name
            )
        self.notice.emit(text, False)
        self._waiting.request()

    def _drop_current(self, ticket: TicketOut) -> None:
        if self.current is not None and self.current.id == ticket.id:
            self._set_current(None)

    def _set_current(self, ticket: TicketOut | None) -> None:
        if ticket != self.current:
            self.current = ticket
            self.current_changed.emit(ticket)

    def _set_counter(self, counter: CounterOut) -> None:
        if counter != self.counter:
            before = self.desk_alerts()
            self.counter = counter
            self.counter_changed.emit(counter)
            if self.desk_alerts() != before:  # sent to help another service, or back
                self.alerts_changed.emit(self.desk_alerts())

    def _got_waiting(self, tickets: list[TicketOut]) -> None:
        self.waiting = tickets
        self.waiting_changed.emit(tickets)

    def _got_stats(self, stats: CounterStatsOut) -> None:
        self.stats = stats
        self.stats_changed.emit(stats)

    def _got_services(self, services: list[ServiceOut]) -> None:
        self._set_services(services)

    def _set_services(self, services: list[ServiceOut]) -> None:
        found = {s.code: s for s in services}
        if found != self.services:
            self.services = found
            self.services_changed.emit(found)

    def _got_alerts(self, alerts: list[AlertOut]) -> None:
        found = {a.id: a for a in alerts} | self._raised
        self._set_alerts({i: a for i, a in found.items() if i not in self._cleared})

    def _set_alerts(self, alerts: dict[int, AlertOut]) -> None:
        before = self.desk_alerts()
        self.alerts = alerts
        if self.desk_alerts() != before:
            self.alerts_changed.emit(self.desk_alerts())

    def _on_alert(self, event: AlertRaised | AlertCleared) -> None:
        alert = event.alert
        if isinstance(event, AlertRaised):
            if alert.id not in self._cleared:
                self._raised[alert.id] = alert
                self._set_alerts({**self.alerts, alert.id: alert})
        else:
            self._cleared.add(alert.id)
            self._raised.pop(alert.id, None)
            self._set_alerts({i: a for i, a in self.alerts.items() if i != alert.id})

    # --- the stream --------------------------------------------------------------------------

    def _on_link(self, state: str) -> None:
        if self._bridge is None:
            # Stopped: a state the stream's thread queued before it stopped (the 4401 of
            # the desk's own sign-out, which closes its stream at once) is not news.
            return
        self.link = state
        self.link_changed.emit(state)
        if state == LinkState.REJECTED.value:
            self.stop()
            self.signed_out.emit(
                self._tr.gettext("Your session has expired. Please sign in again.")
            )

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        # Every (re)connection: whatever happened while away, start again from the server.
        self._set_services(snapshot.services)
        self.counters = snapshot.counters
        for counter in snapshot.counters:
            if counter.number == self.number:
                self._set_counter(counter)
                self._set_current(counter.current_ticket)
        self._raised.clear()
        self._alerts.request()
        self.reload()

    def _on_event(self, event: StreamEvent, live: bool) -> None:
        if isinstance(event, AlertRaised | AlertCleared):
            self._on_alert(event)
            return
        if isinstance(event, ServiceUpdated):  # the kiosks' business: nothing to redraw here
            return
        if isinstance(event, CounterUpdated):
            self.counters = [
                event.counter if c.number == event.counter.number else c for c in self.counters
            ]
            if event.counter.number == self.number:
                helped = self.counter.helps
                self._set_counter(event.counter)
                self._set_current(event.counter.current_ticket)
                if event.counter.helps != helped:  # another service's line joins or leaves
                    self._waiting.request()
            return
        ticket = event.ticket
        here = event.counter == self.number
        if isinstance(event, TicketNoShow) and here:
            self._remember_no_show(ticket)
        elif isinstance(event, TicketCalled | TicketRequeued | TicketExpired):
            self._forget_no_show(ticket.id)
        if isinstance(event, TicketRequeued) and event.from_counter == self.number:
            self._stats.request()  # one no-show fewer here
        if isinstance(event, TicketCalled | TicketRecalled) and here:
            self._set_current(ticket)
        elif isinstance(event, _GONE) and self.current is not None and ticket.id == self.current.id:
            self._set_current(None)
        if self._concerns_waiting(ticket):
            self._waiting.request()
        if isinstance(event, _COUNTED) and here:
            self._stats.request()

    def _concerns_waiting(self, ticket: TicketOut) -> bool:
        return (
            ticket.service in self.called_services()
            or ticket.target_counter == self.number
            or any(t.id == ticket.id for t in self.waiting)
        )
