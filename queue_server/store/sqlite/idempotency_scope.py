"""Migration: an Idempotency-Key belongs to the device or user that sent it.

Keys were unique across the whole centre, so another kiosk replaying a key got the first
kiosk's ticket (issue #11). A key is now unique per issuer (`issued_by`): two kiosks may
use the same key and each gets its own ticket, while one kiosk's retry still gets its own.
"""

from __future__ import annotations

from sqlite_utils import Database

from queue_server.store.sqlite import device_binding as _device_binding  # noqa: F401  (m005 first)
from queue_server.store.sqlite.schema import migrations


@migrations()
def m006_idempotency_per_issuer(db: Database) -> None:
    for index in db.table("tickets").indexes:
        if index.columns == ["idempotency_key"]:
            db.execute(f"DROP INDEX [{index.name}]")
    db.table("tickets").create_index(
        ["issued_by", "idempotency_key"], index_name="tickets_issuer_key", unique=True
    )
