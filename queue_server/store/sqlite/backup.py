"""Backup and restore of the motcua database, with SQLite's online backup API.

A backup copies every page in one step, inside one read transaction: under WAL
that is a consistent snapshot of the last commit, and the server's writer goes on
committing beside it (readers never block the writer). The copy is written beside
its destination, made a single self-contained file (no -wal) and renamed into place,
so a backup cut short never leaves a half file under the name asked for.

A restore replaces the database of a stopped server. The database it replaces is
renamed aside, never deleted: a restore from the wrong file must be undoable.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import datetime
from pathlib import Path

from queue_server.store.errors import DatabaseUnusable, StoreError
from queue_server.store.sqlite.integrity import check_database_file

# What makes a SQLite file a motcua database: the tables every version has had.
_TABLES = frozenset({"settings", "services", "counters", "tickets", "events"})


class BackupFailed(StoreError):
    """The backup or the restore could not be made; nothing was replaced."""


def backup(database: Path, destination: Path) -> int:
    """Copy `database` (in use or not) to `destination`; return its size in bytes.

    Raises:
        DatabaseUnusable: `database` is missing or not a whole SQLite file.
        BackupFailed: SQLite or the file system refused.
    """
    if not database.exists():
        raise DatabaseUnusable(database, "không có tệp / there is no such file")
    check_database_file(database)
    live = {database.name + suffix for suffix in ("", "-wal", "-shm", "-journal")}
    if destination.parent.resolve() == database.parent.resolve() and destination.name in live:
        raise BackupFailed(
            f"{destination} là chính cơ sở dữ liệu đang dùng / {destination} is the database"
            " itself: back it up elsewhere"
        )
    partial = destination.with_name(f".{destination.name}.partial")
    _remove(partial)
    try:
        source = sqlite3.connect(database)
        try:
            source.execute("PRAGMA busy_timeout = 10000")
            _copy(source, partial)
        finally:
            source.close()
        _durable_replace(partial, destination)
    except sqlite3.Error as exc:
        _remove(partial)
        raise BackupFailed(f"{database} → {destination}: {exc}") from exc
    except OSError as exc:
        _remove(partial)
        raise BackupFailed(f"{exc.filename or destination}: {exc.strerror}") from exc
    return destination.stat().st_size


def check_motcua_database(path: Path) -> None:
    """Raise `DatabaseUnusable` unless `path` is a whole, sound motcua database.

    The header checks of `integrity.py` first (an empty or cut file), then SQLite's
    `quick_check` (worth its seconds: a restore is rare), then motcua's tables.
    """
    if not path.is_file():
        raise DatabaseUnusable(path, "không có tệp / there is no such file")
    check_database_file(path)
    try:
        conn = sqlite3.connect(_read_only(path), uri=True)
        try:
            verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
            tables = {row[0] for row in conn.execute("select name from sqlite_master")}
            site = (
                conn.execute("select 1 from settings where key = 'site'").fetchone()
                if "settings" in tables
                else None
            )
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise DatabaseUnusable(path, f"SQLite: {exc} / SQLite: {exc}") from exc
    if verdict != "ok":
        raise DatabaseUnusable(path, f"dữ liệu bị hỏng: {verdict} / it is damaged: {verdict}")
    if not _TABLES.issubset(tables) or site is None:
        raise DatabaseUnusable(
            path,
            "không phải cơ sở dữ liệu motcua / it is not a motcua database",
        )


def restore(backup_file: Path, database: Path, now: datetime) -> Path | None:
    """Put `backup_file` in place of `database`, whose server must be stopped (the
    caller holds the data directory's lock). Return where the replaced database was
    put aside, None where there was none.

    Raises:
        DatabaseUnusable: `backup_file` is not a sound motcua database.
        BackupFailed: SQLite or the file system refused; `database` is as it was.
    """
    check_motcua_database(backup_file)
    incoming = database.with_name(f".{database.name}.restoring")
    _remove(incoming)
    try:
        source = sqlite3.connect(_read_only(backup_file), uri=True)
        try:
            _copy(source, incoming)
        finally:
            source.close()
        os.chmod(incoming, 0o600)
        aside = _put_aside(database, now)
        _durable_replace(incoming, database)
    except sqlite3.Error as exc:
        _remove(incoming)
        raise BackupFailed(f"{backup_file} → {database}: {exc}") from exc
    except OSError as exc:
        _remove(incoming)
        raise BackupFailed(f"{exc.filename or database}: {exc.strerror}") from exc
    return aside


def _read_only(path: Path) -> str:
    """A URI opening `path` without writing to it (nor creating a -wal beside it)."""
    return path.absolute().as_uri() + "?mode=ro"


def _copy(source: sqlite3.Connection, path: Path) -> None:
    """Every page of `source` into a new file at `path`, in one step (one snapshot)."""
    target = sqlite3.connect(path)
    try:
        source.backup(target, pages=-1)
        # One self-contained file: no -wal beside it to lose when it is copied elsewhere.
        target.execute("PRAGMA journal_mode = DELETE")
        target.commit()
    finally:
        target.close()


def _put_aside(database: Path, now: datetime) -> Path | None:
    """Rename `database` and its -wal/-shm to `NAME.replaced-STAMP…`, together, so the
    aside copy still opens with every commit it had."""
    if not database.exists():
        return None
    with contextlib.suppress(sqlite3.Error):
        # Fold the -wal in first, so that the aside file alone holds everything.
        conn = sqlite3.connect(database)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    stamp = now.strftime("%Y%m%dT%H%M%S")
    aside = database.with_name(f"{database.name}.replaced-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = database.with_name(f"{database.name}.replaced-{stamp}-{n}")
    for suffix in ("-wal", "-shm"):
        companion = database.with_name(database.name + suffix)
        if companion.exists():
            os.replace(companion, aside.with_name(aside.name + suffix))
    os.replace(database, aside)
    return aside


def _durable_replace(source: Path, target: Path) -> None:
    """Rename `source` to `target` once its bytes are on disk, and the rename too."""
    with source.open("rb") as file:
        os.fsync(file.fileno())
    os.replace(source, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
