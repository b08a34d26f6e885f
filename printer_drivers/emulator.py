"""The virtual printer: an ESC/POS printer on a TCP port or a pseudo-terminal.

For the demo, for development without hardware and for tests. It decodes what it receives
(raster, text, QR, cut) into a PNG and a text dump per ticket, answers DLE EOT status
queries, and plays faults on command::

    printer = VirtualPrinter(out_dir)
    with TcpEmulator(printer) as endpoint:          # or PtyEmulator(printer)
        EscposPrinter(endpoint.url).print_ticket(ticket)
        printer.wait_for_printouts(1)
        printer.play(PrinterStatus.PAPER_OUT)       # DLE EOT now says the roll is empty
        printer.silent = True                       # ...or says nothing at all

While it plays paper-out, cover-open or offline, tickets sent to it are counted in
`dropped` and not printed, as a real printer would not print them either.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import socket
import threading
import time
import tty
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from printer_drivers import realtime
from printer_drivers.decoder import EscposDecoder, Printout
from printer_drivers.paper import render_printout
from printer_drivers.status import PrinterStatus

logger = logging.getLogger(__name__)

_POLL_S = 0.1


class VirtualPrinter:
    """The printer's state, shared by all its connections.

    Args:
        out_dir: where to write ``ticket-0001.png`` and ``ticket-0001.txt``…; None keeps
            printouts in memory only.
        width: print head width in dots (576 or 384).
    """

    def __init__(self, out_dir: Path | None = None, width: int = 576) -> None:
        self.out_dir = out_dir
        self.width = width
        self.silent = False
        self.dropped = 0
        self._status = PrinterStatus.OK
        self._printouts: list[Printout] = []
        self._numbered = 0
        self._changed = threading.Condition()
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)

    @property
    def status(self) -> PrinterStatus:
        """The state being played."""
        return self._status

    def play(self, status: PrinterStatus) -> None:
        """Play a state: ok, paper-near-end, paper-out, cover-open or offline.

        `UNKNOWN` is not a state a printer is in; set `silent` to play a printer that does not
        answer status queries.
        """
        if status is PrinterStatus.UNKNOWN:
            raise ValueError("set silent = True to play a printer that does not answer")
        self._status = status

    @property
    def printouts(self) -> list[Printout]:
        """The tickets printed so far (a copy)."""
        with self._changed:
            return list(self._printouts)

    def wait_for_printouts(self, count: int, timeout_s: float = 10.0) -> list[Printout]:
        """Block until `count` tickets have been printed; return them all.

        Raises:
            TimeoutError: fewer than `count` arrived in `timeout_s`.
        """
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._printouts) >= count, timeout_s):
                raise TimeoutError(f"{len(self._printouts)} of {count} printouts arrived")
            return list(self._printouts)

    def stream(self) -> PrinterStream:
        """A new connection's decoder."""
        return PrinterStream(self)

    def reply(self, query: realtime.Query) -> bytes:
        """The answer to one DLE EOT query in the current state (nothing when silent)."""
        if self.silent:
            return b""
        return bytes((realtime.replies_for(self._status)[query],))

    def accept(self, printout: Printout) -> None:
        """Take a finished printout: keep it and save its PNG and dump, or drop it."""
        with self._changed:
            if not self._status.can_print:
                self.dropped += 1
                logger.warning("Vé bị bỏ qua: %s", self._status.description)
                return
            self._numbered += 1
            number = self._numbered
        if self.out_dir is not None:
            stem = self.out_dir / f"ticket-{number:04d}"
            render_printout(printout, self.width).save(stem.with_suffix(".png"))
            stem.with_suffix(".txt").write_text(printout.dump(), encoding="utf-8")
            logger.info("Đã in vé %s", stem.with_suffix(".png"))
        # Announced only once its files exist, so a waiter can open them.
        with self._changed:
            self._printouts.append(printout)
            self._changed.notify_all()


class PrinterStream:
    """One connection to the virtual printer: bytes in, status replies out."""

    def __init__(self, printer: VirtualPrinter) -> None:
        self._printer = printer
        self._decoder = EscposDecoder()

    def feed(self, data: bytes) -> bytes:
        """Decode `data`; return what the printer sends back."""
        replies = []
        for event in self._decoder.feed(data):
            if isinstance(event, Printout):
                self._printer.accept(event)
            else:
                replies.append(self._printer.reply(event))
        return b"".join(replies)

    def close(self) -> None:
        """End of the connection: anything printed but not cut still counts."""
        rest = self._decoder.finish()
        if rest is not None:
            self._printer.accept(rest)


class _Endpoint:
    """A background thread serving the virtual printer; a context manager."""

    def __init__(self, printer: VirtualPrinter) -> None:
        self.printer = printer
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> _Endpoint:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def url(self) -> str:
        """The PRINTER URL that reaches this endpoint."""
        raise NotImplementedError

    def close(self) -> None:
        """Stop serving and wait for the threads."""
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=self._guarded, args=(target, *args), daemon=True)
        self._threads.append(thread)
        thread.start()

    def _guarded(self, target: Callable[..., None], *args: object) -> None:
        try:
            target(*args)
        except Exception:
            logger.exception("virtual printer endpoint failed")


class TcpEmulator(_Endpoint):
    """The virtual printer listening on a TCP port, like a network printer on 9100.

    Args:
        printer: the shared state.
        host: the address to listen on.
        port: the port; 0 picks a free one (see `address`).
    """

    def __init__(self, printer: VirtualPrinter, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(printer)
        self._listener = socket.create_server((host, port))
        self._listener.settimeout(_POLL_S)
        self.address: tuple[str, int] = self._listener.getsockname()[:2]
        self._spawn(self._accept)

    def __enter__(self) -> TcpEmulator:
        return self

    @property
    def url(self) -> str:
        """``tcp://HOST:PORT``."""
        host, port = self.address
        return f"tcp://{host}:{port}"

    def close(self) -> None:
        """Stop listening, close every connection."""
        super().close()
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            self._spawn(self._serve, connection)

    def _serve(self, connection: socket.socket) -> None:
        stream = self.printer.stream()
        with connection:
            connection.settimeout(_POLL_S)
            while not self._stop.is_set():
                try:
                    data = connection.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not data:
                    break
                reply = stream.feed(data)
                if reply:
                    connection.sendall(reply)
        stream.close()


class PtyEmulator(_Endpoint):
    """The virtual printer behind a pseudo-terminal, like a serial printer.

    Point `EscposPrinter` (or any serial program) at `path`.
    """

    def __init__(self, printer: VirtualPrinter) -> None:
        super().__init__(printer)
        self._master, self._slave = os.openpty()
        # Raw: no echo of replies back to us, no LF -> CRLF in the ticket bytes.
        tty.setraw(self._slave)
        self.path = os.ttyname(self._slave)
        self._spawn(self._serve)

    def __enter__(self) -> PtyEmulator:
        return self

    @property
    def url(self) -> str:
        """``serial:///dev/pts/N``."""
        return f"serial://{self.path}"

    def close(self) -> None:
        """Stop reading and close both ends."""
        super().close()
        os.close(self._master)
        os.close(self._slave)

    def _serve(self) -> None:
        stream = self.printer.stream()
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], _POLL_S)
            if not ready:
                continue
            try:
                data = os.read(self._master, 65536)
            except OSError:
                time.sleep(_POLL_S)
                continue
            reply = stream.feed(data)
            if reply:
                with contextlib.suppress(OSError):
                    os.write(self._master, reply)
        stream.close()
