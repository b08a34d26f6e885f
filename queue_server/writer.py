"""The single writer: every state change runs here, one after another.

Commands queue up on the event loop and run in batches, one batch at a time: each
batch inside one transaction, committed once (group commit: one fsync for the batch),
and only then are results, events and changes handed back to the loop. So concurrent
requests can never interleave a read-modify-write, and an event leaves the server only
once it is durable.

Where a batch runs:
- A batch of `light` commands (a ticket's or a counter's step: bounded, in memory, a few
  statements) runs on the event loop itself, and only its COMMIT goes to the writer's
  thread, which waits for the disk. Running them on the thread instead made the two
  threads take turns at the interpreter's lock for every command: 15–25 % more CPU per
  ticket and per call (bench/issue.py, back to back).
- Any other batch (the day's sweep, a site taken live, devices, alerts, accounts) runs
  whole on the thread, as does a light batch when another connection holds the write
  lock (the loop never waits for one) or when it failed half-way (below).

When a batch ends, the clients it answered tend to send their next command together a
moment later (the four clerks of a busy hall, the kiosks at opening time), while the
commands that came during its commit are already waiting. Starting the next batch with
those alone split the clients into two groups committing in turn: four clerks made
batches of one and three, two commits where one would do, each worth 0.1–0.2 ms of CPU
(an fsync, and the hand-over to the thread and back). So the next batch waits, up to
`GATHER_S`, until as many commands wait as the batch before it held with those that came
during its commit: as soon as they do, it starts. A command on its own, as in a quiet
hall, never waits: that count is one. The idea is MySQL's binary-log group commit
(`binlog_group_commit_sync_delay`, `…_no_delay_count`), with the count learnt as it goes.

A command that fails before writing anything (the usual case: a rule said no) fails
alone, at no cost. One that fails after writing, or after changing the writer's state
in memory (`Unfinished`), spoils the transaction: the writer rolls it back, rebuilds
its state from the store (`reload`) and runs the rest of the batch again without it,
on its thread. No savepoint per command, so a ticket costs its own statements and no
more.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import queue
import threading
from collections import deque
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
    light: bool = False
    outcome: Outcome[Any] | None = None
    error: BaseException | None = None


_STOP = object()
# The longest a batch waits for the clients the last one answered (see the module): on
# the LAN they answer within a fraction of this; a person never notices it.
GATHER_S = 0.001


class _Work(enum.Enum):
    """What the thread is handed, with a batch."""

    RUN = "run"  # run the batch and commit it
    REDO = "redo"  # the same, after rebuilding the state a half-run batch left
    COMMIT = "commit"  # the batch ran on the event loop: commit its transaction


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
    """Runs commands against `store` in submission order (see the module)."""

    def __init__(
        self,
        open_store: Callable[[], Store],
        publish: Callable[[Outcome[Any]], None],
        batch_max: int = 64,
        prepare: Command[None] | None = None,
        reload: Callable[[Store], None] | None = None,
        prepare_is_light: Callable[[], bool] = lambda: True,
    ) -> None:
        self._open_store = open_store
        # On the event loop, after each commit: each command's outcome.
        self._publish = publish
        self._batch_max = batch_max
        # Runs first in every batch (the day-change sweep); a failure skips it.
        self._prepare = prepare
        # Whether `prepare` now is as light as a light command (no day to sweep).
        self._prepare_is_light = prepare_is_light
        # (Re)builds the writer's state from the store: at start, after a rollback.
        self._reload = reload
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()  # to the thread
        self._waiting: deque[_Job] = deque()  # on the loop: not yet in a batch
        self._busy = False  # on the loop: a batch is running, committing or gathering
        # On the loop: how many commands the next batch waits for (see the module), and
        # the timer ending that wait.
        self._expected = 1
        self._gathering: asyncio.TimerHandle | None = None
        self._stopping = False
        self._store: Store | None = None  # opened by the thread; one batch at a time uses it
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
        """Run what is still waiting, then stop the thread."""
        if self._thread is not None:
            self._stopping = True
            if self._gathering is not None:
                self._gathering.cancel()
            while self._waiting:
                self._queue.put((_Work.RUN, self._take(light_only=False), None))
            self._queue.put(_STOP)
            self._thread.join()
            self._thread = None

    async def run(self, command: Command[T], *, light: bool = False) -> T:
        """Run `command` in the writer; its events are published before this returns.
        `light`: it is bounded and quick enough to run on the event loop (see the module)."""
        assert self._loop is not None, "Writer.start() first"
        future: asyncio.Future[T] = self._loop.create_future()
        self._waiting.append(_Job(command, future, light))
        if not self._busy:
            self._busy = True
            # A turn later, so that what else this turn of the loop brings joins the batch.
            self._loop.call_soon(self._next_batch)
        elif self._gathering is not None and len(self._waiting) >= self._expected:
            self._gathering.cancel()
            self._gathering = None
            self._loop.call_soon(self._start_batch)
        return await future

    # --- on the event loop ----------------------------------------------------------------

    def _next_batch(self) -> None:
        if not self._waiting or self._stopping:
            self._busy = False
            return
        if len(self._waiting) < self._expected:
            assert self._loop is not None
            self._gathering = self._loop.call_later(GATHER_S, self._gathered)
            return
        self._start_batch()

    def _gathered(self) -> None:
        self._gathering = None
        self._start_batch()

    def _start_batch(self) -> None:
        if self._stopping:
            self._busy = False
            return
        if self._waiting[0].light and self._prepare_is_light():
            batch = self._take(light_only=True)
            if self._run_here(batch):
                return
        else:
            batch = self._take(light_only=False)
        self._queue.put((_Work.RUN, batch, None))

    def _take(self, *, light_only: bool) -> list[_Job]:
        batch: list[_Job] = []
        waiting = self._waiting
        while waiting and len(batch) < self._batch_max and (waiting[0].light or not light_only):
            batch.append(waiting.popleft())
        return batch

    def _run_here(self, batch: list[_Job]) -> bool:
        """Run a light batch on the loop and hand its COMMIT to the thread; False when the
        write lock is another connection's (the thread runs the batch and waits for it)."""
        store = self._store
        assert store is not None
        try:
            if not store.begin(wait=False):
                return False
        except StoreError:
            return False  # the thread tries again, and fails each command with the reason
        before = store.writes()
        try:
            prepared = self._apply(store, batch, self._prepare)
        except Exception:  # spoiled half-way, or lost: the thread sorts it out
            store.abandon()
            self._queue.put((_Work.REDO, batch, None))
            return True
        if store.writes() != before:
            self._queue.put((_Work.COMMIT, batch, prepared))
            return True
        try:  # nothing written (every command refused): nothing to wait for
            store.commit()
        except StoreError:
            self._queue.put((_Work.REDO, batch, None))
            return True
        self._finished(prepared, batch)
        return True

    def _finished(self, prepared: Outcome[None] | None, batch: list[_Job]) -> None:
        # The clients this batch answers, and those who came meanwhile: the next batch's
        # count to wait for.
        self._expected = min(len(batch) + len(self._waiting), self._batch_max)
        self._deliver(prepared, batch)
        assert self._loop is not None
        self._loop.call_soon(self._next_batch)

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

    # --- on the writer's thread -------------------------------------------------------------

    def _run(self) -> None:
        try:
            store = self._open_store()
            if self._reload is not None:
                self._reload(store)
            self._store = store
        except BaseException as exc:  # start() raises it on the caller's side
            self._failed = exc
            return
        finally:
            self._ready.set()
        try:
            while True:
                work = self._queue.get()
                if work is _STOP:
                    return
                kind, batch, prepared = work
                if kind is _Work.COMMIT:
                    prepared = self._commit_prepared(store, batch, prepared)
                else:
                    if kind is _Work.REDO:
                        self._reload_after_failure(store)
                    prepared = self._commit(store, batch)
                assert self._loop is not None
                self._loop.call_soon_threadsafe(self._finished, prepared, batch)
        finally:
            store.close()

    def _commit(self, store: Store, batch: list[_Job]) -> Outcome[None] | None:
        prepared: Outcome[None] | None = None
        prepare = self._prepare
        pending = list(batch)
        while True:
            try:
                with store.transaction():
                    prepared = self._apply(store, pending, prepare)
            except _Spoiled as spoiled:
                self._reload_after_failure(store)
                if spoiled.job is None:
                    log.error("the writer's preparation step failed; going on without it")
                    prepare = None
                else:
                    pending.remove(spoiled.job)  # its error stays; the others run again
                continue
            except Exception as exc:
                self._fail(store, pending, exc.cause if isinstance(exc, _Lost) else exc)
                return None
            return prepared

    def _commit_prepared(
        self, store: Store, batch: list[_Job], prepared: Outcome[None] | None
    ) -> Outcome[None] | None:
        try:
            store.commit()
        except Exception as exc:
            self._fail(store, batch, exc)
            return None
        return prepared

    def _fail(self, store: Store, jobs: list[_Job], error: Exception) -> None:
        log.error("commit failed; none of %d command(s) was applied", len(jobs), exc_info=error)
        self._reload_after_failure(store)
        for job in jobs:
            job.outcome, job.error = None, error

    # --- either, with the batch's transaction open --------------------------------------------

    def _apply(
        self, store: Store, jobs: list[_Job], prepare: Command[None] | None
    ) -> Outcome[None] | None:
        """Run `prepare` and `jobs` in the open transaction; raise `_Spoiled` or `_Lost`
        when it must be rolled back."""
        for job in jobs:
            job.outcome, job.error = None, None
        prepared = self._step(store, prepare, None) if prepare is not None else None
        for job in jobs:
            try:
                job.outcome = self._step(store, job.command, job)
            except (_Spoiled, _Lost):
                raise
            except Exception as exc:  # handed to the caller, who translates it
                job.error = exc
        return prepared

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
