"""Is the file in the data directory a database we may open?

SQLite happily opens a zero-length file as a new, empty database, and a missing
one as well: a `motcua.db` emptied by a bad copy or a full disk then became a
fresh database, and ticket 1001 was issued a second time (issue #12). Only a
directory with no database at all gets a new one; anything else that is not a
whole SQLite file stops the server with a line saying what to do.

The checks read the 100-byte header alone, so they cost nothing on a large file
(`PRAGMA quick_check` took 16 s on a 163 MB database: too slow for every start).
"""

from __future__ import annotations

from pathlib import Path

from queue_server.store.errors import DatabaseUnusable

_MAGIC = b"SQLite format 3\x00"
_HEADER_SIZE = 100


def check_database_file(path: Path) -> None:
    """Raise `DatabaseUnusable` unless `path` is absent (a new data directory) or starts
    like a whole SQLite database."""
    wal = path.with_name(path.name + "-wal")
    if not path.exists():
        if path.is_symlink():
            raise DatabaseUnusable(path, "liên kết tới một tệp không tồn tại / a dangling link")
        if wal.exists() and wal.stat().st_size > 0:
            raise DatabaseUnusable(
                path, "tệp đã mất nhưng nhật ký -wal vẫn còn / the file is gone but its -wal is not"
            )
        return
    try:
        with path.open("rb") as file:
            header = file.read(_HEADER_SIZE)
        size = path.stat().st_size
    except OSError as exc:
        raise DatabaseUnusable(
            path, f"không đọc được tệp: {exc.strerror} / the file cannot be read: {exc.strerror}"
        ) from exc
    if not header:
        raise DatabaseUnusable(path, "tệp rỗng / the file is empty")
    if len(header) < _HEADER_SIZE or not header.startswith(_MAGIC):
        raise DatabaseUnusable(
            path, "tệp không phải cơ sở dữ liệu SQLite / the file is not an SQLite database"
        )
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count is trusted only when written by a SQLite that keeps it (3.7.0+).
    counted = header[24:28] == header[92:96]
    if counted and size < page_size * pages:
        raise DatabaseUnusable(
            path,
            f"tệp bị cắt cụt, còn {size} trên {page_size * pages} byte / the file is truncated,"
            f" {size} of {page_size * pages} bytes",
        )
