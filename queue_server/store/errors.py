"""The store's errors. Servers translate them at one boundary (StoreError → 503).

StoreError
 ├── Conflict          a uniqueness rule refused the write
 └── DatabaseUnusable  the database file is empty, truncated or damaged
"""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """The database failed (disk full, locked too long, corrupt): not the caller's fault."""


class Conflict(StoreError):
    """A uniqueness rule refused the write (e.g. a name already taken)."""


class DatabaseUnusable(StoreError):
    """The data directory holds a database that cannot be used as it is.

    `str()` is the whole one-line message, Vietnamese then English, with what to do.
    """

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        vi, _, en = reason.partition(" / ")
        super().__init__(
            f"không dùng được cơ sở dữ liệu {path} ({vi}): hãy khôi phục từ bản sao lưu"
            " (docs/operations.md), máy chủ không tạo cơ sở dữ liệu mới thay thế. / The"
            f" database {path} cannot be used ({en or vi}): restore it from a backup"
            " (docs/operations.md); the server will not start over with an empty one."
        )
