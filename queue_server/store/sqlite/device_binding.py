"""Migration: a counter keypad or a rating tablet is bound to one counter.

A counter-device token used to work at every counter: it called, marked no-shows and signed
clerks out at counters it does not stand at (issue #11). `queue_server.policy` now keeps a
bound device at its counter; devices registered before keep NULL and act everywhere, as
they did, until they are replaced by bound ones.
"""

from __future__ import annotations

from sqlite_utils import Database

from queue_server.store.sqlite import follow_codes as _follow_codes  # noqa: F401  (m004 comes first)
from queue_server.store.sqlite.schema import migrations


@migrations()
def m005_device_counter(db: Database) -> None:
    db.table("devices").add_column("counter", int)
