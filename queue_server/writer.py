"""The single writer: every state change runs here, one after another.

Commands queue up from the event loop; a dedicated thread takes whatever has
gathered, runs each command in its own savepoint inside one transaction, commits
once (group commit: one fsync for the batch), and only then hands results and
events back to the loop. So concurrent requests can never interleave a
read-modify-write, a failed command rolls back alone, and an event leaves the
server only once it is durable.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from queue_core.protocol import Event
from queue_server.store import Store, StoreError, TransactionLost

log = logging.getLogger(__name__)

T = TypeVar("T")


class Outcome(Generic[T]):
    """What a command returns: its result and the events it appended."""

    __slots__ = ("events", "result")

    def __init__(self, result: T, events: Sequence[Event] = ()) -> None:
        self.result = result
        self.events = events


Command = Callable[[Store], Outcome[T]]


@dataclass(slots=True)
class _Job:
    command: Command[Any]
    future: asyncio.Future[Any]
    outcome: Outcome[Any] | None = None
    error: BaseException | None = None


_STOP = object()


class WriterUnavailable(StoreError):
    """The writer could not open the store, so nothing can be written."""


class Writer:
    """Runs commands against `store` on its own thread, in submission order."""

    def __init__(
        self,
        open_store: Callable[[], Store],
        publish: Callable[[Sequence[Event]], None],
        batch_max: int = 64,
        prepare: Command[None] | None = None,
    ) -> None:
        self._open_store = open_store
        self._publish = publish
        self._batch_max = batch_max
        # Runs first in every batch, in a savepoint of its own (the day-change sweep).
        self._prepare = prepare
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._failed: BaseException | None = None

    def start(self) -> None:
        """Start the thread and wait until it holds the store; raise if it cannot open it."""
        self._loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._run, name="motcua-writer", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._failed is not None:
            self._thread.join()
            self._thread = None
            raise WriterUnavailable(
                f"the writer could not open the database: {self._failed}"
            ) from self._failed

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join()
            self._thread = None

    async def run(self, command: Command[T]) -> T:
        """Run `command` in the writer; its events are published before this returns."""
        assert self._loop is not None, "Writer.start() first"
        future: asyncio.Future[T] = self._loop.create_future()
        self._queue.put(_Job(command, future))
        return await future

    def _run(self) -> None:
        try:
            store = self._open_store()
        except BaseException as exc:  # start() raises it on the caller's side
            self._failed = exc
            return
        finally:
            self._ready.set()
        try:
            while True:
                first = self._queue.get()
                if first is _STOP:
                    return
                batch: list[_Job] = [first]
                stop_after = False
                while len(batch) < self._batch_max:
                    try:
                        job = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if job is _STOP:
                        stop_after = True
                        break
                    batch.append(job)
                self._commit(store, batch)
                if stop_after:
                    return
        finally:
            store.close()

    def _commit(self, store: Store, batch: list[_Job]) -> None:
        prepared: Outcome[None] | None = None
        try:
            with store.transaction():
                if self._prepare is not None:
                    try:
                        with store.savepoint():
                            prepared = self._prepare(store)
                    except TransactionLost:
                        raise
                    except Exception:
                        log.exception("the writer's preparation step failed; going on without it")
                for job in batch:
                    try:
                        with store.savepoint():
                            job.outcome = job.command(store)
                    except TransactionLost:
                        raise  # the steps before it are gone too: the whole batch fails
                    except Exception as exc:  # handed to the caller, who translates it
                        job.error = exc
        except Exception as exc:
            log.exception("commit failed; none of %d command(s) was applied", len(batch))
            prepared = None
            for job in batch:
                job.outcome, job.error = None, exc
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._deliver, prepared, batch)

    def _deliver(self, prepared: Outcome[None] | None, batch: list[_Job]) -> None:
        if prepared is not None and prepared.events:
            self._publish(prepared.events)
        for job in batch:
            if job.outcome is not None and job.outcome.events:
                self._publish(job.outcome.events)
        for job in batch:
            if job.future.cancelled():
                continue
            if job.error is not None:
                job.future.set_exception(job.error)
            else:
                assert job.outcome is not None
                job.future.set_result(job.outcome.result)
