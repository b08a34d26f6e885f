"""Blocking calls off the GUI thread, each kept alive until its answer is delivered.

`run_in_background` hands back the task: if nobody holds it, Python may collect its
signal object before the queued answer reaches the GUI thread, and the answer is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QThreadPool

from queue_client.qt import Task, run_in_background


class Jobs:
    def __init__(self, pool: QThreadPool) -> None:
        self.pool = pool
        self._running: set[Task] = set()

    def run(
        self,
        call: Callable[[], Any],
        ok: Callable[[Any], None],
        failed: Callable[[Exception], None],
    ) -> None:
        task: Task

        def done(result: Any) -> None:
            self._running.discard(task)
            ok(result)

        def fail(exc: Exception) -> None:
            self._running.discard(task)
            failed(exc)

        task = run_in_background(call, done, fail, self.pool)
        self._running.add(task)

    def wait(self, timeout_ms: int = 3000) -> None:
        self.pool.waitForDone(timeout_ms)
