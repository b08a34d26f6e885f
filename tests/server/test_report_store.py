"""The store's reads for reports: a ticket's first call survives its later calls, a
database from before the column learns it from the event log, and the range is read
through indexes (no full scan of tickets or ratings)."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from queue_server.store import DATABASE_NAME, connect
from queue_server.store.sqlite.reports import VISITS_SQL
from tests.server.conftest import Hall


def _first_and_last_call(hall: Hall) -> tuple[int, str, str]:
    ticket = hall.issue("TP")
    hall.clock.advance(minutes=5)
    hall.call_next(1, "lan")
    hall.clock.advance(minutes=1)
    response = hall.client.post(
        f"/api/tickets/{ticket['id']}/transfer", json={"service": "DD"}, headers=hall.headers("lan")
    )
    assert response.status_code == 200, response.text
    hall.clock.advance(minutes=10)
    called = hall.call_next(2, "hung")
    assert called is not None
    assert called["id"] == ticket["id"]
    return int(str(ticket["id"])), str(ticket["issued_at"]), str(called["called_at"])


def _visit_of(hall: Hall, ticket_id: int) -> tuple[float, float]:
    store = connect(hall.data_dir)
    try:
        day = hall.clock.now().date()
        [visit] = store.report_visits(day - timedelta(days=1), day + timedelta(days=1))
    finally:
        store.close()
    assert visit.first_called_at is not None
    assert visit.called_at is not None
    return (
        (visit.first_called_at - visit.issued_at).total_seconds(),
        (visit.called_at - visit.issued_at).total_seconds(),
    )


def test_the_first_call_stays_when_the_ticket_is_called_again(hall: Hall) -> None:
    ticket_id, _, _ = _first_and_last_call(hall)
    assert _visit_of(hall, ticket_id) == (5 * 60, 16 * 60)


def test_an_older_database_learns_first_calls_from_its_event_log(hall: Hall) -> None:
    ticket_id, _, _ = _first_and_last_call(hall)
    with sqlite3.connect(hall.data_dir / DATABASE_NAME) as db:
        db.execute("alter table tickets drop column first_called_at")
        db.execute("delete from _sqlite_migrations where name = 'm012_first_called_at'")
    store = connect(hall.data_dir)
    try:
        store.migrate()
    finally:
        store.close()
    assert _visit_of(hall, ticket_id) == (5 * 60, 16 * 60)


def test_a_range_is_read_through_indexes(hall: Hall) -> None:
    with sqlite3.connect(hall.data_dir / DATABASE_NAME) as db:
        plan = db.execute(
            f"explain query plan {VISITS_SQL}", [date(2026, 11, 1).isoformat(), "2026-11-30"]
        ).fetchall()
    details = [row[3] for row in plan]
    assert any("tickets" in d and "USING INDEX" in d and "day" in d for d in details), details
    assert not any(d.startswith("SCAN") for d in details), details
