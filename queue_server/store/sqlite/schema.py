"""The database schema, as sqlite-utils migrations applied in order on every open."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("motcua")


@migrations()
def m001_initial(db: Database) -> None:
    db.table("settings").create({"key": str, "value": str}, pk="key")
    db.table("services").create(
        {
            "code": str,
            "name": str,
            "prefix": str,
            "digits": int,
            "position": int,
        },
        pk="code",
    )
    db.table("counters").create(
        {
            "number": int,
            "name": str,
            "services": str,  # JSON list of codes, in the counter's order
            "call_mode": str,
            "state": str,
            "clerk": str,
            "current_ticket_id": int,
            "pause_reason": str,
            "priority_streak": int,
            "updated_at": str,
        },
        pk="number",
        not_null={"name", "services", "call_mode", "state", "priority_streak"},
    )
    db.table("sequences").create(
        {"service": str, "day": str, "last": int}, pk=("service", "day"), not_null={"last"}
    )
    db.table("tickets").create(
        {
            "id": int,
            "number": str,
            "service": str,  # where it waits now (a transfer changes it)
            "issued_service": str,  # whose sequence its number came from (never changes)
            "day": str,
            "sequence": int,
            "rank": int,
            "priority": int,
            "status": str,
            "issued_at": str,
            "called_at": str,
            "finished_at": str,
            "counter": int,
            "clerk": str,
            "target_counter": int,
            "recalls": int,
            "walk_in": int,
            "issued_by": str,
            "idempotency_key": str,
        },
        pk="id",
        not_null={
            "number",
            "service",
            "issued_service",
            "day",
            "sequence",
            "rank",
            "status",
            "issued_at",
        },
    )
    # The number is unique per service per day: the database itself refuses a repeat.
    db.table("tickets").create_index(["issued_service", "day", "sequence"], unique=True)
    db.table("tickets").create_index(["idempotency_key"], unique=True)
    db.table("tickets").create_index(["status", "service", "rank"])
    db.table("tickets").create_index(["day", "service", "status"])
    db.table("events").create(
        {
            "seq": int,
            "type": str,
            "at": str,
            "actor": str,
            "ticket_id": int,
            "counter": int,
            "body": str,  # the event's JSON, as sent on the wire
        },
        pk="seq",
        not_null={"type", "at", "body"},
    )
    db.table("ratings").create(
        {
            "ticket_id": int,
            "score": int,
            "scale": int,
            "reasons": str,
            "comment": str,
            "rated_at": str,
            "counter": int,
            "clerk": str,
            "service": str,
            "device": str,
        },
        pk="ticket_id",
        not_null={"score", "scale", "rated_at", "service"},
    )
    db.table("users").create(
        {
            "username": str,
            "display_name": str,
            "role": str,
            "password_hash": str,
            "disabled": int,
            "created_at": str,
        },
        pk="username",
        not_null={"role", "password_hash", "disabled", "created_at"},
    )
    db.table("devices").create(
        {
            "id": int,
            "name": str,
            "kind": str,
            "created_at": str,
            "revoked_at": str,
            "last_seen_at": str,
            "printer": str,
            "detail": str,
            "version": str,
        },
        pk="id",
        not_null={"name", "kind", "created_at"},
    )
    db.table("devices").create_index(["name"], unique=True)
    db.table("tokens").create(
        {
            "hash": str,  # sha256 of the token; the token itself is never stored
            "kind": str,  # user | device
            "subject": str,  # username or device id
            "created_at": str,
            "expires_at": str,
            "revoked_at": str,
        },
        pk="hash",
        not_null={"kind", "subject", "created_at"},
    )


@migrations()
def m002_events_by_type(db: Database) -> None:
    # The boards' snapshot lists the latest calls: found by type, newest first.
    db.table("events").create_index(["type", "seq"])


@migrations()
def m003_queue_heads(db: Database) -> None:
    # The head of each (service, priority) queue and of each counter's transfers, found
    # without reading the queue: call-next stays as fast with 5,000 waiting as with 5.
    db.table("tickets").create_index(["status", "service", "priority", "target_counter", "rank"])
    db.table("tickets").create_index(["target_counter", "status", "rank"])
    # Counting who waits ahead reads this index alone, not a table row per ticket.
    db.table("tickets").create_index(["status", "service", "target_counter", "rank"])
