"""The single writer survives a failed COMMIT: disk full, and SQLITE_BUSY at COMMIT.

Each failure is real SQLite: `PRAGMA max_page_count` makes the database "full"
(SQLITE_FULL, which rolls back the whole transaction), and a second connection
holding a read lock on a rollback-journal database makes COMMIT itself fail with
SQLITE_BUSY (WAL never waits for readers at COMMIT; a filesystem without shared
memory falls back to this journal mode). After each, the next write must succeed
without a restart and nothing of the failed batch may remain.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from queue_server.database import open_store
from queue_server.store import DATABASE_NAME, Device, Store, StoreError, connect
from queue_server.store.sqlite import SqliteStore
from queue_server.writer import Command, Outcome, Unfinished, Writer, WriterUnavailable

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def add(name: str, detail: str | None = None, *, threads: list[str] | None = None) -> Command[int]:
    """A command adding a device named `name`; it notes in `threads` where it ran."""

    def command(store: Store) -> Outcome[int]:
        if threads is not None:
            threads.append(threading.current_thread().name)
        return Outcome(store.insert_device(Device(0, name, "kiosk", NOW, detail=detail)))

    return command


def device_names(data_dir: Path) -> set[str]:
    store = connect(data_dir)
    try:
        return {device.name for device in store.devices()}
    finally:
        store.close()


def journal_store(data_dir: Path) -> SqliteStore:
    """A store on a rollback-journal database that gives up on a lock after 50 ms."""
    store = open_store(data_dir)
    assert isinstance(store, SqliteStore)
    store.db.execute("PRAGMA journal_mode = DELETE")
    store.db.execute("PRAGMA busy_timeout = 50")
    return store


@contextmanager
def reader_holding_a_lock(data_dir: Path) -> Iterator[None]:
    """Another process in the middle of a read: a SHARED lock that COMMIT must wait for."""
    other = sqlite3.connect(data_dir / DATABASE_NAME, isolation_level=None)
    try:
        other.execute("BEGIN")
        other.execute("SELECT count(*) FROM devices").fetchall()
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_commit_refused_as_busy_rolls_back_and_the_next_transaction_commits(
    tmp_path: Path,
) -> None:
    store = journal_store(tmp_path)
    with (
        reader_holding_a_lock(tmp_path),
        pytest.raises(StoreError, match="locked"),
        store.transaction(),
    ):
        store.insert_device(Device(0, "lost", "kiosk", NOW))
    assert not store.db.conn.in_transaction
    with store.transaction():
        store.insert_device(Device(0, "kept", "kiosk", NOW))
    store.close()
    assert device_names(tmp_path) == {"kept"}


def full_database(data_dir: Path, stores: list[Store]) -> Callable[[], Store]:
    """Opens stores on `data_dir` that find its database full (SQLITE_FULL on the next
    page), each kept in `stores` for the test to lift the limit."""

    def full_store() -> Store:
        store = open_store(data_dir)
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages}")
        stores.append(store)
        return store

    return full_store


def run_writer(
    open_store_: Callable[[], Store],
    scenario: Callable[[Writer], Awaitable[None]],
    reload: Callable[[Store], None] | None = None,
) -> None:
    async def main() -> None:
        writer = Writer(open_store_, lambda outcome: None, reload=reload)
        writer.start()
        try:
            await scenario(writer)
        finally:
            writer.stop()

    asyncio.run(main())


def test_the_writer_writes_again_after_sqlite_busy_at_commit(tmp_path: Path) -> None:
    open_store(tmp_path).close()

    async def scenario(writer: Writer) -> None:
        with reader_holding_a_lock(tmp_path), pytest.raises(StoreError, match="locked"):
            await writer.run(add("lost"))
        assert await writer.run(add("kept")) > 0

    run_writer(lambda: journal_store(tmp_path), scenario)
    assert device_names(tmp_path) == {"kept"}


def test_a_full_database_fails_the_whole_batch_and_leaves_nothing_half_written(
    tmp_path: Path,
) -> None:
    open_store(tmp_path).close()
    stores: list[Store] = []
    full_store = full_database(tmp_path, stores)
    gate = threading.Event()

    def hold(store: Store) -> Outcome[None]:
        gate.wait()
        return Outcome(None)

    async def scenario(writer: Writer) -> None:
        # Hold the writer so that the three commands gather into one batch behind it.
        held = asyncio.ensure_future(writer.run(hold))
        batch = [
            asyncio.ensure_future(writer.run(add(name, detail)))
            for name, detail in (("before", None), ("huge", "x" * 200_000), ("after", None))
        ]
        await asyncio.sleep(0)
        gate.set()
        # `held` may have gathered into the same batch: its fate is not the point.
        results = (await asyncio.gather(held, *batch, return_exceptions=True))[1:]
        assert all(isinstance(r, StoreError) for r in results), results
        assert "full" in str(results[1])
        # Space is freed (here: the limit lifted); the next write needs no restart.
        stores[0].db.execute("PRAGMA max_page_count = 1073741823")
        assert await writer.run(add("next")) > 0

    run_writer(full_store, scenario)
    assert device_names(tmp_path) == {"next"}


@pytest.mark.timeout(10)
def test_a_writer_that_cannot_open_the_store_fails_start_with_the_reason() -> None:
    def unopenable() -> Store:
        raise StoreError("unable to open database file")

    async def main() -> None:
        writer = Writer(unopenable, lambda outcome: None)
        with pytest.raises(WriterUnavailable, match="could not open the database: unable to open"):
            writer.start()
        writer.stop()  # nothing to stop; must not hang either

    asyncio.run(main())


def test_a_command_failing_after_it_wrote_fails_alone_and_the_rest_of_its_batch_commits(
    tmp_path: Path,
) -> None:
    """No savepoint per command: the writer rolls the batch back, rebuilds its state, and
    runs the others again without the one that failed half-way."""
    open_store(tmp_path).close()
    reloads: list[int] = []
    gate = threading.Event()

    def hold(store: Store) -> Outcome[None]:
        gate.wait()
        return Outcome(None)

    def half_written(store: Store) -> Outcome[int]:
        store.insert_device(Device(0, "half", "kiosk", NOW))
        raise ValueError("a rule said no after the first write")

    def unfinished(store: Store) -> Outcome[int]:
        raise Unfinished(LookupError("changed the writer's state, then failed"))

    async def scenario(writer: Writer) -> None:
        held = asyncio.ensure_future(writer.run(hold))
        batch = [
            asyncio.ensure_future(writer.run(command))
            for command in (add("before"), half_written, add("between"), unfinished, add("after"))
        ]
        await asyncio.sleep(0)
        gate.set()
        results = (await asyncio.gather(held, *batch, return_exceptions=True))[1:]
        assert isinstance(results[1], ValueError)
        assert isinstance(results[3], LookupError)
        assert all(isinstance(results[i], int) for i in (0, 2, 4)), results

    async def main() -> None:
        writer = Writer(
            lambda: open_store(tmp_path),
            lambda outcome: None,
            reload=lambda store: reloads.append(1),
        )
        writer.start()
        try:
            await scenario(writer)
        finally:
            writer.stop()

    asyncio.run(main())
    assert device_names(tmp_path) == {"before", "between", "after"}
    assert len(reloads) >= 3  # at start, then after each spoiled batch


def test_a_command_refused_before_writing_costs_the_batch_nothing(tmp_path: Path) -> None:
    open_store(tmp_path).close()
    reloads: list[int] = []

    def refused(store: Store) -> Outcome[int]:
        raise ValueError("a rule said no")

    async def main() -> None:
        writer = Writer(
            lambda: open_store(tmp_path),
            lambda outcome: None,
            reload=lambda store: reloads.append(1),
        )
        writer.start()
        try:
            with pytest.raises(ValueError, match="rule"):
                await writer.run(refused)
            assert await writer.run(add("kept")) > 0
        finally:
            writer.stop()

    asyncio.run(main())
    assert device_names(tmp_path) == {"kept"}
    assert reloads == [1]  # at start only: nothing to rebuild
