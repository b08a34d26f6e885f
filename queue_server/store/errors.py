"""The store's errors. Servers translate them at one boundary (StoreError → 503).

StoreError
 ├── Conflict          a uniqueness rule refused the write
 ├── TransactionLost   SQLite rolled back the whole transaction
 └── DatabaseUnusable  (integrity.py) the database file is empty, truncated or damaged
"""

from __future__ import annotations


class StoreError(Exception):
    """The database failed (disk full, locked too long, corrupt): not the caller's fault."""


class Conflict(StoreError):
    """A uniqueness rule refused the write (e.g. a name already taken)."""


class TransactionLost(StoreError):
    """SQLite rolled back the whole transaction: none of its steps will be committed."""
