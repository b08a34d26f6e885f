"""Live province views across hub processes: every ingest ends with a PostgreSQL NOTIFY
(`queue_hub.store.ingest`), each hub process LISTENs on a thread of its own, and pushes
the centres it names, recomputed once per process, to the `/api/hub/stream` sockets it
serves. A page connected to either process sees a shipment taken by the other.

Notices are gathered for `COALESCE_S`: a hundred centres shipping at once cost one
recomputation per process and window, not one per shipment and socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool

from queue_core.protocol import HubCentreOut
from queue_hub import overview
from queue_hub.errors import StoreUnavailable
from queue_hub.store import HubStore

log = logging.getLogger(__name__)

COALESCE_S = 0.5
QUEUE_SIZE = 64


class Live:
    """This process's listener and the sockets it feeds."""

    def __init__(self, store: HubStore, now: Callable[[], datetime]) -> None:
        self._store = store
        self._now = now
        self._subscribers: set[asyncio.Queue[list[HubCentreOut]]] = set()
        self._pending: set[str] = set()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._task: asyncio.Task[None] | None = None
        self._woken = asyncio.Event()

    def start(self) -> None:
        loop = asyncio.get_running_loop()

        def on_notice(notice: dict[str, Any]) -> None:
            centre = notice.get("centre")
            if isinstance(centre, str):
                loop.call_soon_threadsafe(self._noted, centre)

        def listen() -> None:
            while not self._stopping.is_set():
                try:
                    self._store.listen(on_notice, self._stopping.is_set)
                except StoreUnavailable as exc:
                    log.warning("hub: cannot listen for other processes' shipments: %s", exc)
                    self._stopping.wait(2.0)  # the database is back soon, or we stop

        self._thread = threading.Thread(target=listen, name="hub-listen", daemon=True)
        self._thread.start()
        self._task = loop.create_task(self._push())

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, 5.0)

    def _noted(self, centre: str) -> None:
        self._pending.add(centre)
        self._woken.set()

    async def _push(self) -> None:
        while True:
            await self._woken.wait()
            await asyncio.sleep(COALESCE_S)
            self._woken.clear()
            codes, self._pending = self._pending, set()
            if not self._subscribers:
                continue
            try:
                rows = await run_in_threadpool(overview.centres, self._store, self._now())
            except StoreUnavailable as exc:
                log.warning("hub: live view not refreshed: %s", exc)
                continue
            changed = [row for row in rows if row.code in codes]
            for queue in list(self._subscribers):
                if queue.full():  # a slow socket skips a frame, never holds the others
                    with contextlib.suppress(asyncio.QueueEmpty):
                        queue.get_nowait()
                queue.put_nowait(changed)

    @contextlib.contextmanager
    def subscribed(self) -> Any:
        queue: asyncio.Queue[list[HubCentreOut]] = asyncio.Queue(QUEUE_SIZE)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)
