"""The one module that talks to python-escpos and pyserial: connections, writes, status.

python-escpos supplies the connection classes (its whole contract is ``_raw(bytes)``); the
bytes themselves come from the pure encoders. Status is read here rather than with
python-escpos's `query_status`, whose waits (1 s per serial query, 60 s on a silent network
printer) would freeze a kiosk: every step has a short timeout and one status call stays
within `STATUS_BUDGET_S`.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
import os
import pickle
import platform
import socket
import subprocess
import threading
import time
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from printer_drivers import realtime
from printer_drivers.content import TicketContent
from printer_drivers.errors import CoverOpen, DriverUnavailable, PaperOut, PrinterOffline
from printer_drivers.job import encode_ticket
from printer_drivers.sample import letter_lines, sample_ticket
from printer_drivers.status import PrinterStatus
from printer_drivers.url import Flow, Kind, PrinterUrl, parse_printer_url

logger = logging.getLogger(__name__)

STATUS_BUDGET_S = 2.5
CONNECT_TIMEOUT_S = 1.5
QUERY_TIMEOUT_S = 0.5
SERIAL_DRAIN_S = 10.0

_READABLE = frozenset({Kind.SERIAL, Kind.TCP, Kind.USB})
# Spoolers take a job when the connection closes; device files are simply reopened.
_ONE_JOB_PER_CONNECTION = frozenset({Kind.WIN32, Kind.CUPS, Kind.FILE})
_MISSING_DRIVER = {
    Kind.USB: "In qua USB cần thư viện pyusb và libusb",
    Kind.WIN32: "win32:// chỉ dùng được trên Windows (cần pywin32)",
    Kind.CUPS: "cups:// cần pycups hoặc lệnh lp của CUPS",
    Kind.SERIAL: "In qua cổng nối tiếp cần thư viện pyserial",
}


class EscposPrinter:
    """A ticket printer reached through python-escpos; implements `TicketPrinter`.

    Thread-safe: prints and status queries are serialised. The connection opens on first use
    and is reopened after a failure, so a printer that comes back is picked up again.

    Args:
        url: a PRINTER URL or its parsed form.
        status_budget_s: the longest one `status()` call may take.
    """

    def __init__(self, url: PrinterUrl | str, *, status_budget_s: float = STATUS_BUDGET_S):
        self.url = parse_printer_url(url) if isinstance(url, str) else url
        self.status_budget_s = status_budget_s
        self._lock = threading.Lock()
        self._escpos: Any = None
        self._answered = False
        self._last = PrinterStatus.UNKNOWN
        self._reason = ""
        self._dummy_output = bytearray()

    def __enter__(self) -> EscposPrinter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def output(self) -> bytes:
        """Everything a ``dummy://`` printer was sent (empty for other kinds)."""
        return bytes(self._dummy_output)

    def status(self) -> PrinterStatus:
        """Ask the printer how it is, within `status_budget_s`.

        Returns `UNKNOWN` for connections that cannot answer (device files, spoolers, dummy)
        and for printers that have never answered; `OFFLINE` when the printer cannot be
        reached or stops answering. While a print job holds the printer, the last known
        status is returned at once rather than waiting for the job.
        """
        if not self._lock.acquire(timeout=0.2):
            return self._last
        try:
            return self._status(time.monotonic() + self.status_budget_s)
        finally:
            self._lock.release()

    def print_ticket(self, ticket: TicketContent) -> None:
        """Print one ticket, after checking that it can come out.

        Raises:
            PaperOut: the roll is empty (nothing was sent).
            CoverOpen: the cover is open (nothing was sent).
            PrinterOffline: the printer cannot be reached or failed while printing.
        """
        self.print_raw(encode_ticket(ticket, self.url))

    def print_test(self, issued_at: datetime | None = None) -> None:
        """Print the sample ticket followed by the alphabet and every Vietnamese letter."""
        self.print_raw(encode_ticket(sample_ticket(issued_at), self.url, letter_lines()))

    def print_raw(self, job: bytes) -> None:
        """Send an already encoded job, after the same status check as `print_ticket`."""
        with self._lock:
            status = self._status(time.monotonic() + self.status_budget_s)
            if status is PrinterStatus.PAPER_OUT:
                raise PaperOut(status.description)
            if status is PrinterStatus.COVER_OPEN:
                raise CoverOpen(status.description)
            if status is PrinterStatus.OFFLINE:
                raise PrinterOffline(f"{status.description} ({self._reason})")
            self._write(job)

    def close(self) -> None:
        """Close the connection; the next call opens it again."""
        with self._lock:
            self._drop()

    def _status(self, deadline: float) -> PrinterStatus:
        # A kept connection may have died unseen (network printers drop idle clients, an
        # adapter was replugged): one failure on it earns one retry on a fresh connection.
        reused = self._escpos is not None
        try:
            connection = self._connect(deadline)
        except PrinterOffline as exc:
            return self._remember(PrinterStatus.OFFLINE, str(exc))
        if self.url.kind not in _READABLE:
            return self._remember(PrinterStatus.UNKNOWN)

        def ask(query: realtime.Query) -> int | None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            return self._ask(connection, query, min(QUERY_TIMEOUT_S, remaining))

        try:
            status = realtime.read_status(ask)
        except _third_party_errors() as exc:
            self._drop(discard=True)
            if reused:
                return self._status(deadline)
            return self._remember(PrinterStatus.OFFLINE, f"mất kết nối khi hỏi trạng thái ({exc})")
        if status is None:
            # Silent from the start: a printer without status support. Silent after it has
            # answered before: it went away.
            if not self._answered:
                return self._remember(PrinterStatus.UNKNOWN, "máy in không trả lời")
            self._drop(discard=True)
            return self._remember(PrinterStatus.OFFLINE, "máy in không trả lời")
        self._answered = True
        reason = "máy in báo lỗi, đang ngừng in" if status is PrinterStatus.OFFLINE else ""
        return self._remember(status, reason)

    def _remember(self, status: PrinterStatus, reason: str = "") -> PrinterStatus:
        """Keep the latest status; log only changes, so a printer that is away logs once."""
        if status is not self._last:
            level = logging.INFO if status.can_print else logging.WARNING
            detail = f" ({reason})" if reason else ""
            logger.log(level, "Máy in %s: %s%s", self.url, status.description, detail)
        self._last, self._reason = status, reason
        return status

    def _connect(self, deadline: float) -> Any:
        if self._escpos is not None:
            return self._escpos
        timeout = max(0.05, min(CONNECT_TIMEOUT_S, deadline - time.monotonic()))
        try:
            connection = self._open(timeout)
        except DriverUnavailable:
            raise
        except _third_party_errors() as exc:
            reason = " ".join(str(exc).split())
            raise PrinterOffline(f"không mở được máy in {self.url}: {reason}") from exc
        self._escpos = connection
        return connection

    def _open(self, timeout: float) -> Any:
        url = self.url
        classes = _escpos()
        if url.kind is Kind.DUMMY:
            return classes.Dummy()
        if url.kind is Kind.SERIAL:
            return self._open_serial(timeout)
        if url.kind is Kind.TCP:
            connection = classes.Network(host=url.target, port=url.port, timeout=timeout)
            # Connected here rather than by Network.open(), which leaks the socket on failure.
            connection.device = socket.create_connection((url.target, url.port), timeout)
            return connection
        if url.kind is Kind.USB:
            self._require(classes.Usb.is_usable())
            vendor, product = url.usb_ids
            in_ep, out_ep = url.usb_endpoints
            connection = classes.Usb(
                vendor, product, timeout=int(timeout * 1000), in_ep=in_ep, out_ep=out_ep
            )
        elif url.kind is Kind.FILE:
            connection = classes.File(url.target)
        elif url.kind is Kind.WIN32:
            self._require(classes.Win32Raw.is_usable())
            connection = classes.Win32Raw(url.target)
        else:
            if classes.CupsPrinter.is_usable():
                connection = classes.CupsPrinter(url.target)
            else:
                self._require(classes.LP.is_usable())
                connection = classes.LP(url.target)
        connection.open()
        return connection

    def _open_serial(self, timeout: float) -> Any:
        line = self.url.serial
        connection = _escpos().Serial(
            devfile=self.url.target,
            baudrate=line.baudrate,
            bytesize=line.bytesize,
            parity=line.parity,
            stopbits=line.stopbits,
            timeout=timeout,
            xonxoff=line.flow is Flow.XONXOFF,
            dsrdtr=line.flow is Flow.DSRDTR,
        )
        connection.open()
        # python-escpos has no RTS/CTS parameter; pyserial applies it on the open port.
        connection.device.rtscts = line.flow is Flow.RTSCTS
        return connection

    def _require(self, usable: bool) -> None:
        if not usable:
            raise DriverUnavailable(_MISSING_DRIVER.get(self.url.kind, str(self.url.kind)))

    def _ask(self, connection: Any, query: realtime.Query, timeout: float) -> int | None:
        command = realtime.command(query)
        kind = self.url.kind
        if kind is Kind.SERIAL:
            port = connection.device
            port.reset_input_buffer()
            port.timeout = timeout
            port.write(command)
            reply: bytes = port.read(1)
        elif kind is Kind.TCP:
            sock: socket.socket = connection.device
            _drain(sock)
            sock.settimeout(timeout)
            sock.sendall(command)
            try:
                reply = sock.recv(1)
            except TimeoutError:
                return None
            if not reply:
                raise ConnectionResetError("the printer closed the connection")
        else:
            connection._raw(command)
            try:
                reply = bytes(
                    connection.device.read(self.url.usb_endpoints[0], 64, int(timeout * 1000))
                )
            except OSError:  # pyusb's USBTimeoutError is an OSError
                return None
            reply = reply[-1:]
        return reply[0] if reply else None

    def _write(self, job: bytes) -> None:
        try:
            connection = self._connect(time.monotonic() + CONNECT_TIMEOUT_S)
            if self.url.kind is Kind.DUMMY:
                self._dummy_output += job
                return
            if self.url.kind is Kind.SERIAL:
                # Ten bits a byte on the line; twice that, plus slack for a slow printer.
                connection.device.write_timeout = len(job) * 20 / self.url.serial.baudrate + 5
            elif self.url.kind is Kind.TCP:
                connection.device.settimeout(15)
            connection._raw(job)
            if self.url.kind in _ONE_JOB_PER_CONNECTION:
                self._drop()
        except DriverUnavailable:
            raise
        except PrinterOffline:
            self._drop(discard=True)
            raise
        except _third_party_errors() as exc:
            self._drop(discard=True)
            reason = f"lỗi khi gửi vé ({exc})"
            self._remember(PrinterStatus.OFFLINE, reason)
            raise PrinterOffline(f"{PrinterStatus.OFFLINE.description} ({reason})") from exc

    def _drop(self, *, discard: bool = False) -> None:
        """Close the connection; `discard` drops what a failed printer has not taken yet."""
        connection, self._escpos = self._escpos, None
        if connection is None:
            return
        try:
            if self.url.kind is Kind.SERIAL:
                _settle(connection.device, 0.0 if discard else SERIAL_DRAIN_S)
            connection.close()
        except _third_party_errors() as exc:
            logger.debug("closing printer %s: %s", self.url, exc)


def open_printer(url: str) -> EscposPrinter:
    """The printer at a PRINTER URL (nothing is opened until it is used)."""
    return EscposPrinter(url)


def _settle(port: Any, wait_s: float) -> None:
    """Let a serial port send what it holds for at most `wait_s`, then discard the rest.

    python-escpos closes a port with a flush (tcdrain), which never returns while hardware
    flow control holds the line, e.g. a printer out of paper with ``flow=rtscts``.
    """
    deadline = time.monotonic() + wait_s
    while port.out_waiting:
        if time.monotonic() >= deadline:
            port.reset_output_buffer()
            return
        time.sleep(0.05)


def _drain(sock: socket.socket) -> None:
    """Discard bytes the printer sent unasked (automatic status, late replies)."""
    sock.setblocking(False)
    try:
        while sock.recv(256):
            pass
    except (BlockingIOError, InterruptedError):
        pass
    finally:
        sock.setblocking(True)


@functools.cache
def _escpos() -> Any:
    """python-escpos's printer classes, imported on first use (it is slow to import)."""
    _seed_capabilities_cache()
    from escpos import printer

    return printer


@functools.cache
def _third_party_errors() -> tuple[type[Exception], ...]:
    """What the connection libraries raise; all of it is translated at this boundary."""
    from escpos import exceptions

    return (exceptions.Error, OSError, ValueError, RuntimeError, subprocess.SubprocessError)


def _seed_capabilities_cache() -> None:
    """Give python-escpos a lasting, complete cache of its printer database.

    On import python-escpos parses capabilities.json with YAML (0.5 s) and pickles it into a
    new temporary directory, every process, unless ESCPOS_CAPABILITIES_PICKLE_DIR names a
    directory with a fresh pickle. That half second counts against the 5 s of `motcua
    printer status`, so the pickle is written here once per user, atomically, since two
    processes may start together. Any failure leaves python-escpos to its default.
    """
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" in os.environ:
        return
    spec = importlib.util.find_spec("escpos")
    if spec is None or not spec.submodule_search_locations:
        return
    source = Path(next(iter(spec.submodule_search_locations))) / "capabilities.json"
    try:
        cache = Path.home() / ".cache" / "motcua" / "escpos"
        target = cache / f"{platform.python_version()}.capabilities.pickle"
        if not target.exists() or target.stat().st_mtime <= source.stat().st_mtime:
            cache.mkdir(parents=True, exist_ok=True)
            data = json.loads(source.read_text(encoding="utf-8"))
            partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
            partial.write_bytes(pickle.dumps(data, protocol=2))
            os.replace(partial, target)
    except (OSError, RuntimeError, ValueError) as exc:
        logger.debug("python-escpos capabilities cache not seeded: %s", exc)
        return
    os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(cache)
