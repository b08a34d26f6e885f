"""Migration: each printed ticket carries an unguessable follow code.

The QR code on a ticket used to open `/t/{id}`: sequential, so anyone on the hall's Wi-Fi
could walk through every ticket of the day. The code (72 random bits) is the only handle
the public follow page and its rating form accept (issue #11).
"""

from __future__ import annotations

from sqlite_utils import Database

from queue_server.store.sqlite.schema import migrations


@migrations()
def m004_ticket_follow_codes(db: Database) -> None:
    # Nullable: tickets issued before this migration (and walk-ins, which print nothing)
    # have none; SQLite's unique index lets any number of NULLs through.
    db.table("tickets").add_column("follow_code", str)
    db.table("tickets").create_index(["follow_code"], unique=True)
