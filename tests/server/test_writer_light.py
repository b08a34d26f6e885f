"""Light commands run on the event loop and only their COMMIT on the writer's thread
(issue #15); they never make the loop wait for another connection's lock, and a batch
that fails on the loop is run again on the thread with what it had right."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from queue_server.database import open_store
from queue_server.store import DATABASE_NAME, Device, Store, StoreError
from queue_server.writer import Outcome, Writer
from tests.server.test_store_failures import (
    NOW,
    add,
    device_names,
    full_database,
    run_writer,
)


def test_a_light_command_runs_on_the_event_loop_and_a_heavy_one_on_the_writer_thread(
    tmp_path: Path,
) -> None:
    open_store(tmp_path).close()
    threads: list[str] = []

    async def scenario(writer: Writer) -> None:
        await writer.run(add("light", threads=threads), light=True)
        await writer.run(add("heavy", threads=threads))

    run_writer(lambda: open_store(tmp_path), scenario)
    assert threads == [threading.main_thread().name, "motcua-writer"]
    assert device_names(tmp_path) == {"light", "heavy"}  # both committed


def tracing(tmp_path: Path, prefix: str, into: list[str]) -> Callable[[], Store]:
    """Opens the writer's store, keeping in `into` the statements it runs that start
    with `prefix`."""

    def traced() -> Store:
        store = open_store(tmp_path)
        store.db.conn.set_trace_callback(
            lambda sql: into.append(sql) if sql.startswith(prefix) else None
        )
        return store

    return traced


def test_light_commands_gathered_in_one_turn_share_one_commit(tmp_path: Path) -> None:
    open_store(tmp_path).close()
    commits: list[str] = []

    async def scenario(writer: Writer) -> None:
        ids = await asyncio.gather(*(writer.run(add(f"k{i}"), light=True) for i in range(20)))
        assert sorted(ids) == list(range(min(ids), min(ids) + 20))

    run_writer(tracing(tmp_path, "COMMIT", commits), scenario)
    assert len(commits) == 1
    assert len(device_names(tmp_path)) == 20


def test_light_batches_in_a_row_set_the_busy_timeout_once(tmp_path: Path) -> None:
    """Not waiting for another connection's lock is the writer connection's standing
    setting while batches run on the loop, not two statements around every BEGIN."""
    open_store(tmp_path).close()
    pragmas: list[str] = []

    async def scenario(writer: Writer) -> None:
        for i in range(10):  # ten batches, one after another
            await writer.run(add(f"k{i}"), light=True)
        assert pragmas == ["PRAGMA busy_timeout = 0"]
        await writer.run(add("heavy"))  # on the thread, which waits for the lock again
        assert pragmas[1:] == ["PRAGMA busy_timeout = 10000"]

    run_writer(tracing(tmp_path, "PRAGMA busy_timeout", pragmas), scenario)
    assert len(device_names(tmp_path)) == 11


def test_the_loop_never_waits_for_another_connections_write_lock(tmp_path: Path) -> None:
    """Another process writing (`motcua site apply`): the light command goes to the
    writer's thread, which waits for the lock there, while the loop goes on."""
    open_store(tmp_path).close()
    threads: list[str] = []

    async def scenario(writer: Writer) -> None:
        other = sqlite3.connect(tmp_path / DATABASE_NAME, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            pending = asyncio.ensure_future(writer.run(add("waited", threads=threads), light=True))
            ticks = 0
            for _ in range(20):  # 0.2 s of a loop that keeps turning
                await asyncio.sleep(0.01)
                ticks += 1
            assert not pending.done()
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert await pending > 0
        assert ticks == 20

    run_writer(lambda: open_store(tmp_path), scenario)
    assert threads == ["motcua-writer"]
    assert device_names(tmp_path) == {"waited"}


def test_a_light_batch_spoiled_on_the_loop_is_run_again_on_the_thread_without_the_culprit(
    tmp_path: Path,
) -> None:
    open_store(tmp_path).close()
    reloads: list[str] = []
    threads: list[str] = []

    def half_written(store: Store) -> Outcome[int]:
        threads.append(threading.current_thread().name)
        store.insert_device(Device(0, "half", "kiosk", NOW))
        raise ValueError("a rule said no after the first write")

    async def scenario(writer: Writer) -> None:
        results = await asyncio.gather(
            writer.run(add("before"), light=True),
            writer.run(half_written, light=True),
            writer.run(add("after"), light=True),
            return_exceptions=True,
        )
        assert isinstance(results[1], ValueError)
        assert all(isinstance(results[i], int) for i in (0, 2)), results

    run_writer(
        lambda: open_store(tmp_path),
        scenario,
        reload=lambda store: reloads.append(threading.current_thread().name),
    )
    assert device_names(tmp_path) == {"before", "after"}
    # On the loop first; then on the thread, after rebuilding the state the loop left.
    assert threads == [threading.main_thread().name, "motcua-writer"]
    assert reloads[1:] == ["motcua-writer", "motcua-writer"]  # before the redo, after it


def test_a_light_batch_whose_commit_fails_fails_whole_and_the_next_one_commits(
    tmp_path: Path,
) -> None:
    open_store(tmp_path).close()
    stores: list[Store] = []

    async def scenario(writer: Writer) -> None:
        results = await asyncio.gather(
            writer.run(add("before"), light=True),
            writer.run(add("huge", detail="x" * 200_000), light=True),
            return_exceptions=True,
        )
        assert all(isinstance(r, StoreError) for r in results), results
        stores[0].db.execute("PRAGMA max_page_count = 1073741823")
        assert await writer.run(add("next"), light=True) > 0

    run_writer(full_database(tmp_path, stores), scenario)
    assert device_names(tmp_path) == {"next"}


@pytest.mark.timeout(10)
def test_stopping_runs_the_commands_still_waiting(tmp_path: Path) -> None:
    open_store(tmp_path).close()

    async def main() -> None:
        writer = Writer(lambda: open_store(tmp_path), lambda outcome: None)
        writer.start()
        pending = [asyncio.ensure_future(writer.run(add(f"k{i}"), light=True)) for i in range(3)]
        await asyncio.sleep(0)  # they are waiting for a batch
        writer.stop()
        await asyncio.sleep(0.05)  # the thread's answers arrive
        assert all(p.done() and p.result() > 0 for p in pending)

    asyncio.run(main())
    assert device_names(tmp_path) == {"k0", "k1", "k2"}
