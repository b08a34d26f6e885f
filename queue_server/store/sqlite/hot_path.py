"""Migrations for a hot path whose cost does not grow with the day or the history
(issue #15)."""

from __future__ import annotations

from sqlite_utils import Database

from queue_server.store.sqlite import idempotency_scope as _idempotency_scope  # noqa: F401
from queue_server.store.sqlite.follow_codes import DRAWN_LENGTH
from queue_server.store.sqlite.schema import migrations

# The events a board's list of latest calls is made of, as the partial index `events_calls`
# (m020) and the query that reads it both write them: SQLite uses a partial index only for
# a query whose WHERE clause has the index's own terms.
CALL_TYPES = "type in ('ticket.called', 'ticket.recalled')"


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


@migrations()
def m016_indexes_only_for_what_is_read(db: Database) -> None:
    # The waiting lines live in the writer's memory (queue_server.live) since m007, so the
    # indexes m003 kept for reading queue heads and counting who waits ahead are read by
    # nothing, yet every ticket issued and every call wrote to all four (a status change
    # moves a row in each), and each event to the (type, seq) index the boards' (type, at)
    # one replaced. What the day change reads (tickets left waiting or called on earlier
    # days) gets a partial index holding only such tickets: a handful, not the history.
    for name in (
        "idx_tickets_status_service_rank",
        "idx_tickets_status_service_priority_target_counter_rank",
        "idx_tickets_target_counter_status_rank",
        "idx_tickets_status_service_target_counter_rank",
        "idx_events_type_seq",
    ):
        db.execute(f'DROP INDEX IF EXISTS "{name}"')
    db.execute(
        "CREATE INDEX IF NOT EXISTS tickets_unfinished ON tickets (day)"
        " WHERE status IN ('waiting', 'called')"
    )


@migrations()
def m017_tickets_by_day_first(db: Database) -> None:
    # What reads tickets by day reads a day's (or a period's) whole rows, and the day of a
    # ticket never changes, while its status changes at each call: keyed by (day, service,
    # status), an index moved both tickets of every call-next, one more page written and
    # checkpointed per commit (update two tickets and commit: 108 → 90 µs of CPU). The
    # day's numbers, unique per issued service, lead with the day instead of the service:
    # that one index then serves every read by day too, and a ticket is written to one
    # index fewer (12.6 against 14.6 µs of CPU a ticket, after 300,000).
    db.execute('DROP INDEX IF EXISTS "idx_tickets_day_service_status"')
    db.execute('DROP INDEX IF EXISTS "idx_tickets_issued_service_day_sequence"')
    db.execute(
        "CREATE UNIQUE INDEX IF NOT EXISTS tickets_day_number"
        " ON tickets (day, issued_service, sequence)"
    )


@migrations()
def m018_follow_codes_found_by_ticket_id(db: Database) -> None:
    # New codes start with their ticket's id and are found by it (store.sqlite.follow_codes):
    # the index keeps the codes drawn whole alone, so that a new ticket writes nothing to it.
    db.execute('DROP INDEX IF EXISTS "idx_tickets_follow_code"')
    db.execute(
        "CREATE UNIQUE INDEX IF NOT EXISTS tickets_drawn_follow_code ON tickets (follow_code)"
        f" WHERE length(follow_code) = {DRAWN_LENGTH}"
    )


@migrations()
def m019_idempotency_keys_in_memory(db: Database) -> None:
    # An Idempotency-Key protects one touch's retries, which come within seconds; the writer
    # keeps every key of the day in memory (queue_server.live, rebuilt from the day's
    # tickets at start) and answers a retry from there. The unique index on (issuer, key)
    # only added a check against past days, and with random keys it cost each ticket a write
    # to a page of its own, more as the history grew (17 µs of CPU a ticket after 300,000).
    db.execute('DROP INDEX IF EXISTS "tickets_issuer_key"')


@migrations()
def m020_an_index_of_calls_alone(db: Database) -> None:
    # The (type, at) index of m008 is read for one thing: today's latest calls, when the
    # server starts. Yet every event of every kind was written to it, and call-next wrote
    # two (the completion, the call) to two pages of it. It now holds the calls alone: an
    # issued ticket writes nothing to it, a call-next one entry.
    db.execute('DROP INDEX IF EXISTS "events_type_at"')
    db.execute(f"CREATE INDEX IF NOT EXISTS events_calls ON events (at) WHERE {CALL_TYPES}")
