"""The kiosk's printer: prints on its own worker thread, watches the printer's status and
tells the server (heartbeat), so staff see "sắp hết giấy" or "hết giấy" at once.

The status is read every `POLL_MS` while idle, and right after every ticket; the driver
checks it once more just before sending a ticket. The server hears of every change at
once and of the current state every `HEARTBEAT_MS`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from printer_drivers import (
    CoverOpen,
    PaperOut,
    PrinterError,
    PrinterStatus,
    TicketContent,
    TicketPrinter,
    warm_up,
)
from queue_client import ClientError, QueueClient
from queue_client.qt import Runner
from queue_core.protocol import PrinterState

log = logging.getLogger(__name__)

POLL_MS = 10_000
HEARTBEAT_MS = 30_000
SILENT_POLL_FACTOR = 6


def status_after(exc: PrinterError) -> PrinterStatus:
    """What a failed print says about the printer."""
    if isinstance(exc, PaperOut):
        return PrinterStatus.PAPER_OUT
    if isinstance(exc, CoverOpen):
        return PrinterStatus.COVER_OPEN
    return PrinterStatus.OFFLINE


class PrinterMonitor(QObject):
    """The printer (or none), its last known status, and the heartbeat.

    Signals:
    status_changed(PrinterStatus): the printer's state changed (never emitted without one).

    Args:
        printer: the ticket printer; None for a kiosk that shows tickets on screen only
            (and for the rating tablet, whose heartbeat then says only that it is alive).
        client: for the heartbeat.
        runner: the window's runner, for the heartbeat's request.
    """

    status_changed = Signal(object)

    def __init__(
        self,
        printer: TicketPrinter | None,
        client: QueueClient,
        runner: Runner,
        *,
        poll_ms: int = POLL_MS,
        heartbeat_ms: int = HEARTBEAT_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.printer = printer
        self.status: PrinterStatus | None = None
        self._client = client
        self._runner = runner
        # One thread: prints and status queries never interleave on the wire.
        self._printer_runner = Runner(1, self)
        self._heartbeat_failing = False
        self.heartbeats = 0  # sent successfully; for tests and the admin screen
        self._poll_ms = poll_ms
        self._poll = QTimer(self, interval=poll_ms)
        self._poll.timeout.connect(self.check)
        self._beat = QTimer(self, interval=heartbeat_ms)
        self._beat.timeout.connect(self.heartbeat)

    def start(self) -> None:
        if self.printer is not None:
            # The first ticket of a process would otherwise load fonts while a citizen waits.
            self._printer_runner.run(warm_up, lambda _: None, self._warm_up_failed)
            self.check()
            self._poll.start()
        else:
            self.heartbeat()
        self._beat.start()

    def close(self) -> None:
        self._poll.stop()
        self._beat.stop()
        self._printer_runner.close()

    @property
    def can_print(self) -> bool:
        """Whether a ticket would come out, as far as the last status says."""
        return self.printer is not None and (self.status is None or self.status.can_print)

    def check(self) -> None:
        """Read the status now (on the printer's thread)."""
        printer = self.printer
        if printer is not None:
            self._printer_runner.run(printer.status, self._observed, self._status_failed)

    def print_ticket(
        self,
        content: TicketContent,
        on_printed: Callable[[], None],
        on_failed: Callable[[Exception], None],
    ) -> None:
        """Print `content`, then read the status; the callbacks run on the GUI thread."""
        printer = self.printer
        if printer is None:
            on_failed(PrinterError("no printer"))
            return

        def job() -> PrinterStatus:
            printer.print_ticket(content)
            return printer.status()

        def printed(status: PrinterStatus) -> None:
            self._observed(status)
            on_printed()

        def failed(exc: Exception) -> None:
            if isinstance(exc, PrinterError):
                self._observed(status_after(exc))
            else:
                log.error("printing failed unexpectedly", exc_info=exc)
                self._observed(PrinterStatus.OFFLINE)
            on_failed(exc)

        self._printer_runner.run(job, printed, failed)

    def heartbeat(self) -> None:
        """Tell the server this device is alive, with its printer's state."""
        status = self.status
        printer: PrinterState | None = status.value if status is not None else None
        detail = status.description if status is not None else None
        self._runner.run(
            lambda: self._client.heartbeat(printer=printer, detail=detail),
            self._heartbeat_sent,
            self._heartbeat_failed,
        )

    def _observed(self, status: PrinterStatus) -> None:
        if status is self.status:
            return
        self.status = status
        # A printer that never answers costs up to a few seconds a check, on the thread
        # tickets print on: ask it rarely.
        slow = status is PrinterStatus.UNKNOWN
        self._poll.setInterval(self._poll_ms * (SILENT_POLL_FACTOR if slow else 1))
        self.status_changed.emit(status)
        self.heartbeat()

    def _status_failed(self, exc: Exception) -> None:
        log.error("reading the printer's status failed", exc_info=exc)
        self._observed(PrinterStatus.UNKNOWN)

    def _warm_up_failed(self, exc: Exception) -> None:
        log.warning("ticket rendering warm-up failed: %s", exc)

    def _heartbeat_sent(self, _result: object) -> None:
        self.heartbeats += 1
        if self._heartbeat_failing:
            log.info("heartbeat reaches the server again")
        self._heartbeat_failing = False

    def _heartbeat_failed(self, exc: Exception) -> None:
        # Logged once per outage; the next beat retries.
        if not self._heartbeat_failing and isinstance(exc, ClientError):
            log.warning("heartbeat failed: %s", exc)
        elif not isinstance(exc, ClientError):
            log.error("heartbeat failed unexpectedly", exc_info=exc)
        self._heartbeat_failing = True
