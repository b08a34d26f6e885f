"""The single writer: every state change runs here, one after another.

Commands queue up from the event loop; a dedicated thread takes whatever has
gathered, runs them one after another inside one transaction, commits once (group
commit: one fsync for the batch), and only then hands results, events and changes
back to the loop. So concurrent requests can never interleave a read-modify-write,
and an event leaves the server only once it is durable.

A command that fails before writing anything (the usual case: a rule said no) fails
alone, at no cost. One that fails after writing, or after changing the writer's state
in memory (`Unfinished`), spoils the transaction: the writer rolls it back, rebuilds
its state from the store (`reload`) and runs the rest of the batch again without it.
No savepoint per command, so a ticket costs its own statements and no more.
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
from queue_server.store import Conflict, Store, StoreError

log = logging.getLogger(__name__)

T = TypeVar("T")
U = TypeVar("U")


class Outcome(Generic[T]):
    """What a command returns: its result, the events it appended (and their JSON, as the
    log keeps it: published as it is rather than serialized again), and the changes the
    event loop's copy of the hall takes once they are committed."""

    __slots__ = ("changes", "events", "result", "texts")

    def __init__(
        self,
        result: T,
        events: Sequence[Event] = (),
        changes: Sequence[Any] = (),
        texts: Sequence[str] = (),
    ) -> None:
        self.result = result
        self.events = events
        self.changes = changes
        self.texts = texts

    def returning(self, result: U) -> Outcome[U]:
        """The same events, texts and changes, with another result: what a command that
        runs another's body inside its own answers."""
        return Outcome(result, self.events, self.changes, self.texts)


class Unfinished(Exception):
    """A command failed after changing the writer's state: its transaction must go."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


Command = Callable[[Store], Outcome[T]]


@dataclass(slots=True)
class _Job:
    command: Command[Any]
    future: asyncio.Future[Any]
    outcome: Outcome[Any] | None = None
    error: BaseException | None = None


_STOP = object()


class _Spoiled(Exception):
    """The transaction must be rolled back: `job` failed half-way (None: the preparation)."""

    def __init__(self, job: _Job | None) -> None:
        self.job = job


class _Lost(Exception):
    """The store failed under a command (disk full, I/O): the whole batch is lost."""

    def __init__(self, cause: StoreError) -> None:
        self.cause = cause


class WriterUnavailable(StoreError):
    """The writer could not open the store, so nothing can be written."""


class Writer:
    """Runs commands against `store` on its own thread, in submission order."""

    def __init__(
        self,
        open_store: Callable[[], Store],
        publish: Callable[[Outcome[Any]], None],
        batch_max: int = 64,
        prepare: Command[None] | None = None,
        reload: Callable[[Store], None] | None = None,
    ) -> None:
        self._open_store = open_store
        # On the event loop, after each commit: each command's outcome.
        self._publish = publish
        self._batch_max = batch_max
        # Runs first in every batch (the day-change sweep); a failure skips it.
        self._prepare = prepare
        # (Re)builds the writer's state from the store: at start, after a rollback.
        self._reload = reload
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
            if self._reload is not None:
                self._reload(store)
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
        prepare = self._prepare
        pending = list(batch)
        while True:
            prepared = None
            for job in pending:
                job.outcome, job.error = None, None
            try:
                with store.transaction():
                    if prepare is not None:
                        prepared = self._step(store, prepare, None)
                    for job in pending:
                        try:
                            job.outcome = self._step(store, job.command, job)
                        except (_Spoiled, _Lost):
                            raise
                        except Exception as exc:  # handed to the caller, who translates it
                            job.error = exc
            except _Spoiled as spoiled:
                self._reload_after_failure(store)
                if spoiled.job is None:
                    log.error("the writer's preparation step failed; going on without it")
                    prepare = None
                else:
                    pending.remove(spoiled.job)  # its error stays; the others run again
                continue
            except Exception as exc:
                error = exc.cause if isinstance(exc, _Lost) else exc
                log.error(
                    "commit failed; none of %d command(s) was applied", len(batch), exc_info=error
                )
                self._reload_after_failure(store)
                prepared = None
                for job in pending:
                    job.outcome, job.error = None, error
            break
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._deliver, prepared, batch)

    @staticmethod
    def _step(store: Store, command: Command[Any], job: _Job | None) -> Outcome[Any]:
        """Run one command; raise `_Spoiled` when it failed after writing or after
        changing the writer's state, `job.error` then holding why."""
        before = store.writes()
        try:
            return command(store)
        except Unfinished as exc:
            cause: Exception = exc.cause
            if isinstance(cause, StoreError) and not isinstance(cause, Conflict):
                raise _Lost(cause) from cause
        except Conflict as exc:
            if store.writes() == before:
                raise  # a unique check refused this command's only write: it alone fails
            cause = exc
        except StoreError as exc:
            raise _Lost(exc) from exc
        except Exception as exc:
            if store.writes() == before:
                raise
            cause = exc
        if job is not None:
            job.error = cause
        else:
            log.error("preparation failed half-way", exc_info=cause)
        raise _Spoiled(job) from cause

    def _reload_after_failure(self, store: Store) -> None:
        if self._reload is None:
            return
        try:
            self._reload(store)
        except Exception:
            log.exception("the writer could not rebuild its state from the store")

    def _deliver(self, prepared: Outcome[None] | None, batch: list[_Job]) -> None:
        for outcome in [prepared, *(job.outcome for job in batch)]:
            if outcome is not None and (outcome.events or outcome.changes):
                self._publish(outcome)
        for job in batch:
            if job.future.cancelled():
                continue
            if job.error is not None:
                job.future.set_exception(job.error)
            else:
                assert job.outcome is not None
                job.future.set_result(job.outcome.result)
