"""Replaying the durable event log to a client that reconnects with `since=`, cheaply.

A replay used to read the whole log on the event loop: `since=0` after a busy day held
every board's delivery for seconds. Now (CONTRACT.md, WebSocket, last point):

- a replay is *bounded*: when the first event to replay is from before today (site
  timezone), or more than `max_events` behind, the client gets the snapshot and what
  follows it, which is all of today's live state; it misses no call of today, and no
  event comes twice;
- the log is read off the event loop, a page at a time, on a couple of threads with
  their own read connections (WAL: readers never block the writer);
- replays are rationed per token (a token bucket): a client that reconnects in a loop
  waits its turn instead of reading the log again and again.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path

from queue_core.numbering import local_day
from queue_server.rate import RateBudget
from queue_server.store import Store, connect

Page = list[tuple[int, str, str]]


class ReplayReader:
    """Pages of the event log, read on worker threads with their own connections."""

    def __init__(self, data_dir: Path, threads: int = 2) -> None:
        self._data_dir = data_dir
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="replay")
        self._local = threading.local()
        self._stores: list[Store] = []
        self._lock = threading.Lock()

    def _store(self) -> Store:
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = connect(self._data_dir)
            self._local.store = store
            with self._lock:
                self._stores.append(store)
        return store

    def _page(self, after: int, limit: int, until: int | None) -> Page:
        return self._store().events_after(after, limit, until=until)

    async def page(self, after: int, limit: int, until: int | None = None) -> Page:
        """(seq, type, JSON body) of up to `limit` events after `after`, oldest first."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._page, after, limit, until)

    async def first_day(self, after: int, timezone: str) -> date | None:
        """The local day of the first event after `after`, None when there is none."""
        page = await self.page(after, 1)
        if not page:
            return None
        return local_day(datetime.fromisoformat(json.loads(page[0][2])["at"]), timezone)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        with self._lock:
            for store in self._stores:
                store.close()
            self._stores.clear()


class Replays:
    """What the event stream asks: may this client replay from `since`, and read it."""

    def __init__(
        self,
        reader: ReplayReader,
        max_events: int,
        budget: RateBudget,
    ) -> None:
        self.reader = reader
        self.max_events = max_events
        self.budget = budget

    async def start(self, since: int, last_seq: int, today: date, timezone: str) -> int | None:
        """Where to replay from: `since`, or None for the snapshot and live events alone
        (`since` lies before today, or too far behind)."""
        if last_seq - since > self.max_events:
            return None
        first = await self.reader.first_day(since, timezone)
        if first is not None and first < today:
            return None
        return since

    def reserve(self, key: str) -> float | None:
        return self.budget.reserve(key, time.monotonic())

    def close(self) -> None:
        self.reader.close()
