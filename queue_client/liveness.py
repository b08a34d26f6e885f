"""Proof of life from an app's GUI thread, for whatever supervises it.

A timer on the Qt event loop ticks every second. Each tick, written from the GUI thread
itself, shows that the loop still turns: a frozen app stops ticking even though its
process lives on. Each tick

- rewrites a small JSON file (`pid`, `at` in Unix seconds, the last and the longest
  stall of the loop in milliseconds), which `motcua demo` and `bench/soak.py` read;
- sends `WATCHDOG=1` to systemd when the app runs under a unit with `WatchdogSec=`
  (and `READY=1` once, on the first tick).

A stall is how late a tick came: a loop busy for 3 s delivers the next tick ~3 s late.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from queue_client.beat import HEARTBEAT_ENV, Beat

__all__ = ["HEARTBEAT_ENV", "Beat", "Heartbeat", "notify_systemd"]

log = logging.getLogger(__name__)

INTERVAL_MS = 1000


def notify_systemd(address: str, message: str) -> None:
    """Send one sd_notify datagram. Written by hand: the protocol is a single datagram to
    the socket named in NOTIFY_SOCKET ('@' for the abstract namespace), and a library
    for it would be a dependency for five lines."""
    target = "\0" + address[1:] if address.startswith("@") else address
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.connect(target)
        sock.sendall(message.encode())


class Heartbeat(QObject):
    """Ticks on the GUI thread; see the module's docstring.

    Args:
        path: the file to rewrite each tick, or None.
        notify_socket: systemd's NOTIFY_SOCKET, or None.
    """

    def __init__(
        self,
        path: Path | None,
        notify_socket: str | None = None,
        interval_ms: int = INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._path = path
        self._notify = notify_socket
        self._interval_s = interval_ms / 1000
        self._last = 0.0
        self.stall_ms = 0.0
        self.stall_max_ms = 0.0
        self._ready_sent = False
        self._failing = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.tick)

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str], parent: QObject | None = None
    ) -> Heartbeat:
        path = environ.get(HEARTBEAT_ENV)
        return cls(Path(path) if path else None, environ.get("NOTIFY_SOCKET"), parent=parent)

    def start(self) -> None:
        self._last = time.monotonic()
        self._timer.start()
        self.tick()

    def stop(self) -> None:
        self._timer.stop()

    def tick(self) -> None:
        now = time.monotonic()
        self.stall_ms = max(0.0, (now - self._last - self._interval_s) * 1000)
        self.stall_max_ms = max(self.stall_max_ms, self.stall_ms)
        self._last = now
        # Each on its own: a heartbeat file that cannot be written (a full disk, a
        # removed directory) must not starve systemd's watchdog, which would then kill
        # an app whose loop turns perfectly well.
        file_ok = self._try(self._write_file)
        notify_ok = self._try(self._notify_systemd)
        self._failing = not (file_ok and notify_ok)

    def _try(self, step: Callable[[], None]) -> bool:
        try:
            step()
        except OSError as exc:
            if not self._failing:  # said once, not every second
                log.warning("heartbeat not written: %s", exc)
            return False
        return True

    def _write_file(self) -> None:
        if self._path is not None:
            self._write(self._path)

    def _notify_systemd(self) -> None:
        if self._notify:
            if not self._ready_sent:
                notify_systemd(self._notify, "READY=1")
                self._ready_sent = True
            notify_systemd(self._notify, "WATCHDOG=1")

    def _write(self, path: Path) -> None:
        beat = {
            "pid": os.getpid(),
            "at": time.time(),
            "stall_ms": round(self.stall_ms, 1),
            "stall_max_ms": round(self.stall_max_ms, 1),
        }
        # Written aside and renamed, so a reader never sees half a file.
        scratch = path.with_name(path.name + ".tmp")
        scratch.write_text(json.dumps(beat), encoding="utf-8")
        os.replace(scratch, path)
