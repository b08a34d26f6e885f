"""Blocking work (REST calls, printing) off the GUI thread, so the screen never freezes.

Answers come back through one long-lived signal of the runner itself, queued to the GUI
thread: no per-call signal object that Python could collect (or a worker thread destroy)
while its answer is still on the way.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

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
