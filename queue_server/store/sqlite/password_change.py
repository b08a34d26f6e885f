"""Migration: a password an administrator has reset must be changed at the next sign-in.

The administrator hands the person a temporary password; the flag makes the staff pages'
sign-in ask for a new one before opening anything (issue #13).
"""

from __future__ import annotations

from sqlite_utils import Database

from queue_server.store.sqlite import reports as _reports  # noqa: F401  (m012 first)
from queue_server.store.sqlite.schema import migrations


@migrations()
def m014_must_change_password(db: Database) -> None:
    db.table("users").add_column("must_change_password", int, not_null_default=0)
