"""Qt glue for the apps: the event stream as signals, blocking calls off the GUI
thread, and the bundled Vietnamese font."""

from __future__ import annotations

import functools
from collections.abc import Callable
from importlib import resources
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QFontDatabase

from queue_client.stream import EventStream, LinkState
from queue_core.protocol import Event, Snapshot

FONT_FAMILY = "Be Vietnam Pro"
_FONT_WEIGHTS = ("Regular", "Medium", "SemiBold", "Bold", "ExtraBold")


class EventBridge(QObject):
    """Turns the worker thread's stream into Qt signals (delivered on the GUI thread).

    Signals:
        snapshot_received(Snapshot): on every (re)connection, before its events.
        event_received(Event, bool): each event and whether it is live (not replayed).
        link_changed(str): a `LinkState` value: connecting, online, offline, rejected.
    """

    snapshot_received = Signal(object)
    event_received = Signal(object, bool)
    link_changed = Signal(str)

    def __init__(
        self, base_url: str, token: str, parent: QObject | None = None, **stream_options: float
    ) -> None:
        super().__init__(parent)
        self._stream = EventStream(
            base_url, token, self._snapshot, self._event, self._state, **stream_options
        )

    @property
    def state(self) -> LinkState:
        return self._stream.state

    def start(self) -> None:
        self._stream.start()

    def stop(self) -> None:
        self._stream.stop()

    def _snapshot(self, snapshot: Snapshot) -> None:
        self.snapshot_received.emit(snapshot)

    def _event(self, event: Event, live: bool) -> None:
        self.event_received.emit(event, live)

    def _state(self, state: LinkState) -> None:
        self.link_changed.emit(state.value)


class _TaskSignals(QObject):
    succeeded = Signal(object)
    failed = Signal(object)


class Task(QRunnable):
    """A blocking call (a REST request, a print job) run on Qt's thread pool."""

    def __init__(self, call: Callable[[], Any]) -> None:
        super().__init__()
        self.signals = _TaskSignals()
        self._call = call

    def run(self) -> None:
        try:
            result = self._call()
        except Exception as exc:  # handed to the GUI thread, which shows a calm message
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)


def run_in_background(
    call: Callable[[], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[Exception], None],
    pool: QThreadPool | None = None,
) -> Task:
    """Run `call` off the GUI thread; the callbacks run back on the GUI thread."""
    task = Task(call)
    # Held until it answers: a task nobody references could be collected mid-flight,
    # and its answer would be lost with it.
    _running.add(task)
    task.signals.succeeded.connect(lambda _result: _running.discard(task))
    task.signals.failed.connect(lambda _error: _running.discard(task))
    task.signals.succeeded.connect(on_success)
    task.signals.failed.connect(on_failure)
    (pool or QThreadPool.globalInstance()).start(task)
    return task


_running: set[Task] = set()


@functools.cache
def install_fonts() -> str:
    """Register the bundled Be Vietnam Pro with Qt; returns its family name.

    Named explicitly so every kiosk and board looks the same, whatever fonts the
    machine has (a fresh Debian has no Vietnamese-designed font).
    """
    files = resources.files("fontpkg_be_vietnam_pro") / "files"
    for weight in _FONT_WEIGHTS:
        QFontDatabase.addApplicationFont(str(files / f"BeVietnamPro-{weight}.ttf"))
    return FONT_FAMILY
