"""Qt glue for the apps: the event stream as signals, a `Runner` for blocking calls off
the GUI thread, and the bundled Vietnamese font."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from importlib import resources
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtGui import QFontDatabase

from queue_client.stream import EventStream, LinkState
from queue_core.protocol import Snapshot, StreamEvent

FONT_FAMILY = "Be Vietnam Pro"
_FONT_WEIGHTS = ("Regular", "Medium", "SemiBold", "Bold", "ExtraBold")


class EventBridge(QObject):
    """Turns the worker thread's stream into Qt signals (delivered on the GUI thread).

    Signals:
        snapshot_received(Snapshot): on every (re)connection, before its events.
        event_received(StreamEvent, bool): each event and whether it is live (not replayed).
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

    def _event(self, event: StreamEvent, live: bool) -> None:
        self.event_received.emit(event, live)

    def _state(self, state: LinkState) -> None:
        self.link_changed.emit(state.value)


# Blocking work off the GUI thread. Answers come back through one long-lived signal of
# the runner itself, queued to the GUI thread: no per-call signal object that Python could
# collect, or a worker thread destroy, while its answer is still on the way (both crashed
# or lost answers in the apps' tests).

Call = Callable[[], Any]
OnSuccess = Callable[[Any], None]
OnFailure = Callable[[Exception], None]


class _Job(QRunnable):
    def __init__(self, runner: Runner, job_id: int, call: Call) -> None:
        super().__init__()
        self._runner = runner
        self._id = job_id
        self._call = call

    def run(self) -> None:
        try:
            result = self._call()
        except Exception as exc:  # handed to the GUI thread, which shows a calm message
            self._runner.finished.emit(self._id, False, exc)
        else:
            self._runner.finished.emit(self._id, True, result)


class Runner(QObject):
    """A pool of worker threads for one window; after `close()` late answers are dropped,
    so nothing touches a screen that has gone.

    Args:
        threads: how many calls may run at once (1 keeps them in order: the printer's).
    """

    finished = Signal(int, bool, object)

    def __init__(self, threads: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self.closed = False
        self._ids = itertools.count(1)
        self._waiting: dict[int, tuple[OnSuccess, OnFailure]] = {}
        self.finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def run(self, call: Call, on_success: OnSuccess, on_failure: OnFailure) -> None:
        """Call `call` on a worker; then one of the callbacks on the GUI thread."""
        if self.closed:
            return
        job_id = next(self._ids)
        self._waiting[job_id] = (on_success, on_failure)
        self.pool.start(_Job(self, job_id, call))

    @property
    def busy(self) -> int:
        """Calls not answered yet."""
        return len(self._waiting)

    def close(self, timeout_ms: int = 10_000) -> None:
        self.closed = True
        self.pool.waitForDone(timeout_ms)
        self._waiting.clear()

    @Slot(int, bool, object)
    def _deliver(self, job_id: int, succeeded: bool, value: object) -> None:
        callbacks = self._waiting.pop(job_id, None)
        if callbacks is None or self.closed:
            return
        on_success, on_failure = callbacks
        if succeeded:
            on_success(value)
        else:
            assert isinstance(value, Exception)
            on_failure(value)


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
