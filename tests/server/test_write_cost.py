"""A ticket and a call cost the same few statements on the first morning and after a
busy day (issue #15): counted with sqlite3's trace callback on the writer's connection,
not timed."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from queue_core.clock import FrozenClock
from queue_server.store.sqlite import SqliteStore
from tests.server.conftest import MONDAY_9AM, Hall, open_hall

# Transaction control, and the busy timeout the event loop lowers around its BEGIN.
TRANSACTION = ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA busy_timeout")


class Trace:
    """The statements the writer's connection runs, transaction control apart. The
    writer's connection is the one that takes the write lock (BEGIN IMMEDIATE): its
    light commands run on the event loop's thread and the others on its own."""

    def __init__(self) -> None:
        self.statements: list[tuple[int, str]] = []  # (connection, SQL)

    def connection(self, number: int) -> Callable[[str], None]:
        def traced(sql: str) -> None:
            self.statements.append((number, sql))

        return traced

    def during(self, action: object) -> list[str]:
        """The statements the writer ran while `action` (a callable) ran."""
        start = len(self.statements)
        assert callable(action)
        action()
        ran = self.statements[start:]
        writers = {n for n, sql in ran if sql.startswith("BEGIN IMMEDIATE")}
        return [sql for n, sql in ran if n in writers and not sql.startswith(TRANSACTION)]


@pytest.fixture
def traced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Hall, Trace]]:
    trace = Trace()
    opened = SqliteStore.__init__
    count = itertools.count()

    def open_traced(store: SqliteStore, data_dir: Path) -> None:
        opened(store, data_dir)
        store.db.conn.set_trace_callback(trace.connection(next(count)))

    monkeypatch.setattr(SqliteStore, "__init__", open_traced)
    for hall in open_hall(tmp_path / "data", clock=FrozenClock(MONDAY_9AM)):
        yield hall, trace


def kinds(statements: list[str]) -> list[str]:
    return [" ".join(sql.split()[:3]).lower() for sql in statements]


def test_issuing_writes_the_ticket_and_its_event_and_nothing_else(
    traced: tuple[Hall, Trace],
) -> None:
    hall, trace = traced
    hall.issue("TP")  # the day's first batch also runs the day-change sweep
    first = trace.during(lambda: hall.issue("TP"))
    assert kinds(first) == ["insert into tickets", "insert into events"]


def test_a_call_writes_its_tickets_its_counter_and_its_events_in_three_statements(
    traced: tuple[Hall, Trace],
) -> None:
    hall, trace = traced
    for _ in range(3):
        hall.issue("TP")
    hall.call_next(1)
    second_call = trace.during(lambda: hall.call_next(1))  # completes one, calls the next
    assert kinds(second_call) == [
        "update tickets set",
        "insert or replace",
        "insert into events",
    ]


def test_the_cost_of_a_ticket_and_a_call_does_not_grow_with_the_day(
    traced: tuple[Hall, Trace],
) -> None:
    hall, trace = traced
    for _ in range(2):
        hall.issue("TP")
    hall.call_next(1)
    early = (trace.during(lambda: hall.issue("TP")), trace.during(lambda: hall.call_next(1)))
    for i in range(400):
        hall.issue("TP", priority=i % 5 == 0)
        if i % 2:
            hall.call_next(1)
    late = (trace.during(lambda: hall.issue("TP")), trace.during(lambda: hall.call_next(1)))
    assert [len(s) for s in late] == [len(s) for s in early] == [2, 3]
