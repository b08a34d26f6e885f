"""Migrations for a hot path whose cost does not grow with the day or the history
(issue #15)."""

from __future__ import annotations

from sqlite_utils import Database

from queue_server.store.sqlite import idempotency_scope as _idempotency_scope  # noqa: F401
from queue_server.store.sqlite.schema import migrations


@migrations()
def m007_numbers_from_tickets(db: Database) -> None:
    # A `sequences` row was written beside every ticket: a second statement on the issuing
    # path for a figure the tickets already hold (their unique issued_service, day,
    # sequence index). The writer keeps the day's figures in memory (queue_server.live)
    # and rebuilds them from the tickets at start.
    db.execute("DROP TABLE IF EXISTS sequences")


@migrations()
def m008_events_by_type_and_time(db: Database) -> None:
    # Today's latest calls, for a board's first screen, read only today's rows: with the
    # (type, seq) index alone SQLite walked every call of every past day (105 ms after 30
    # days, 0.01 ms with this one).
    db.table("events").create_index(["type", "at"], index_name="events_type_at")


@migrations()
def m009_retired_counters(db: Database) -> None:
    # A counter retired from the site stays for its history but opens and calls no more.
    db.table("counters").add_column("retired", int, not_null_default=0)


@migrations()
def m010_audit_log(db: Database) -> None:
    # Who changed the centre's configuration, when, and what: before → after.
    db.table("audit").create(
        {
            "id": int,
            "at": str,
            "actor": str,
            "source": str,
            "change_id": str,
            "kind": str,
            "subject": str,
            "setting": str,
            "before": str,  # JSON
            "after": str,  # JSON
            "description": str,
        },
        pk="id",
        not_null={"at", "actor", "source", "change_id", "kind", "subject", "description"},
    )
    db.table("audit").create_index(["at"], index_name="audit_at")
