"""No query the server runs reads the whole of `tickets`, `events` or `ratings` (issue
#15): each has an index or a bound on today, so a year of history costs nothing per
request.

A hall goes through a day (issuing, calls, a transfer, a rating, the follow page, the
clerk's figures, boards' snapshots, a restart that rebuilds the live hall), every
statement any of its store connections runs is recorded, and SQLite's own plan for each
is read with EXPLAIN QUERY PLAN.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from queue_core.clock import FrozenClock
from queue_server.app import create_app
from queue_server.settings import Settings
from queue_server.store import DATABASE_NAME
from queue_server.store.sqlite import SqliteStore
from queue_server.store.sqlite.hot_path import CALL_TYPES
from tests.server.conftest import MONDAY_9AM, Hall, open_hall, prepare_data_dir

READS_HISTORY = re.compile(r"\b(from|join|update)\s+(tickets|events|ratings)\b", re.IGNORECASE)


def plan_of(db: sqlite3.Connection, sql: str) -> list[str]:
    """SQLite's plan for `sql`, step by step."""
    return [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}")]


def indexes_of(db: sqlite3.Connection, table: str) -> set[str]:
    return {
        row[0]
        for row in db.execute(
            "select name from sqlite_master where type = 'index' and tbl_name = ?", [table]
        )
    }


def full_scans(db: sqlite3.Connection, sql: str) -> list[str]:
    """The plan steps of `sql` that read a whole history table, row by row or through a
    whole index."""
    return [step for step in plan_of(db, sql) if step.startswith("SCAN ") and _history(step)]


def _history(step: str) -> bool:
    table = step.split()[1]
    return table in ("tickets", "events", "ratings", "t", "e", "r")


@pytest.fixture
def statements(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    seen: set[str] = set()
    opened = SqliteStore.__init__

    def open_traced(store: SqliteStore, data_dir: Path) -> None:
        opened(store, data_dir)
        store.db.conn.set_trace_callback(seen.add)

    monkeypatch.setattr(SqliteStore, "__init__", open_traced)
    return seen


def a_day(hall: Hall) -> None:
    client = hall.client
    tickets = [hall.issue("TP") for _ in range(3)] + [hall.issue("DD")]
    hall.issue("TP", priority=True)
    client.post(
        "/api/tickets",
        json={"service": "TP"},
        headers={**hall.headers("kiosk"), "Idempotency-Key": "k-1"},
    )
    client.post(
        "/api/tickets",
        json={"service": "TP"},
        headers={**hall.headers("kiosk"), "Idempotency-Key": "k-1"},
    )
    first = hall.call_next(1)
    assert first is not None
    hall.call_next(1)
    client.post(
        f"/api/tickets/{tickets[3]['id']}/transfer",
        json={"service": "TP"},
        headers=hall.headers("sup"),
    )
    client.post(f"/api/tickets/{first['id']}/no-show", headers=hall.headers("lan"))
    hall.call_next(2, "hung")
    done = hall.call_next(2, "hung")
    assert done is not None
    client.post(f"/api/tickets/{done['id']}/complete", headers=hall.headers("hung"))
    client.post(
        "/api/ratings", json={"ticket_id": done["id"], "score": 3}, headers=hall.headers("rating")
    )
    for path in (
        "/api/services",
        "/api/counters",
        f"/api/tickets/{tickets[1]['id']}",
        "/api/tickets?counter=1",
        "/api/tickets?number=1002",
        "/api/counters/1/stats",
    ):
        client.get(path, headers=hall.headers("lan"))
    client.post("/api/devices/heartbeat", json={"printer": "ok"}, headers=hall.headers("kiosk"))
    with client.websocket_connect(f"/ws/events?token={hall.tokens['display']}") as ws:
        ws.receive_json()
    with client.websocket_connect(f"/ws/events?token={hall.tokens['display']}&since=1") as ws:
        ws.receive_json()
    code = client.post(
        "/api/tickets", json={"service": "TP"}, headers=hall.headers("kiosk")
    ).headers["Follow-Code"]
    client.get(f"/t/{code}")
    client.get("/t/q7Rk2mVx9aZc")  # a code drawn whole, as before m018: its own index
    client.get(f"/t/{tickets[2]['id']}")


def test_no_query_of_a_day_in_the_hall_scans_the_history(
    tmp_path: Path, statements: set[str]
) -> None:
    data_dir = tmp_path / "data"
    clock = FrozenClock(MONDAY_9AM)
    for hall in open_hall(data_dir, clock=clock):
        # What creating the database ran (its migrations, each once in its life, before
        # any later one changed the indexes they read) is not the hall's day.
        statements.clear()
        a_day(hall)
    # A restart: the live hall is rebuilt from the store.
    with TestClient(create_app(Settings(data_dir=data_dir), clock=clock)) as client:
        assert client.get("/api/health").status_code == 200
    queries = sorted(sql for sql in statements if READS_HISTORY.search(sql))
    assert len(queries) > 20, queries  # the day really went through the store
    with sqlite3.connect(data_dir / DATABASE_NAME) as db:
        scans = {sql: found for sql in queries if (found := full_scans(db, sql))}
    assert scans == {}


def test_the_check_sees_a_full_scan(tmp_path: Path) -> None:
    prepare_data_dir(tmp_path)
    with sqlite3.connect(tmp_path / DATABASE_NAME) as db:
        assert full_scans(db, "select * from tickets where walk_in = 1")
        assert full_scans(db, "select body from events where body like '%x%'")
        assert not full_scans(db, "select * from tickets where id = 5")


def test_the_day_change_reads_only_the_tickets_left_open(tmp_path: Path) -> None:
    prepare_data_dir(tmp_path)
    with sqlite3.connect(tmp_path / DATABASE_NAME) as db:
        plan = plan_of(
            db,
            "select * from tickets where status in ('waiting', 'called') and day < '2026-11-23'",
        )
        indexes = indexes_of(db, "tickets") | indexes_of(db, "events")
    # A partial index of unfinished tickets: what yesterday left, never the history.
    assert plan == ["SEARCH tickets USING INDEX tickets_unfinished (day<?)"]
    # The queue-head indexes the writer's memory replaced are gone: nothing reads them,
    # and every ticket and call wrote to each.
    assert not indexes & {
        "idx_tickets_status_service_rank",
        "idx_tickets_target_counter_status_rank",
        "idx_events_type_seq",
    }


def test_the_latest_calls_are_read_from_an_index_of_calls_alone(tmp_path: Path) -> None:
    prepare_data_dir(tmp_path)
    with sqlite3.connect(tmp_path / DATABASE_NAME) as db:
        plan = plan_of(
            db,
            f"select body from events where {CALL_TYPES} and at >= '2026-11-23'"
            " order by seq desc limit 8",
        )
        indexes = indexes_of(db, "events")
    assert plan[0] == "SEARCH events USING INDEX events_calls (at>?)"
    # The index of every event's type and time, which each event was written to, is gone:
    # an issued ticket writes no index of events at all.
    assert indexes == {"events_calls"}
