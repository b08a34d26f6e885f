"""Opening the data directory: its lock, migrations, and the site on first start."""

from __future__ import annotations

import contextlib
import logging
import os
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import IO

from queue_core.site import SiteConfig, parse_site
from queue_core.site_change import describe
from queue_server.site_update import apply_site, command_line_actor
from queue_server.store import DATABASE_NAME, Store, connect

log = logging.getLogger(__name__)

SAMPLE_SITE = "sample_site.toml"
LOCK_NAME = "motcua.lock"
# The database holds password hashes, token hashes and citizens' visits: for the server's
# account alone. SQLite gives its -wal and -shm files the database file's mode.
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
PRIVATE_FILES = (DATABASE_NAME, f"{DATABASE_NAME}-wal", f"{DATABASE_NAME}-shm", LOCK_NAME)


class DataDirInUse(Exception):
    """Another process (another `motcua serve`) holds the data directory."""

    def __init__(self, data_dir: Path, holder: str) -> None:
        self.data_dir = data_dir
        pid = f" (PID {holder})" if holder else ""
        super().__init__(
            f"thư mục dữ liệu {data_dir} đang được một máy chủ motcua khác dùng{pid}; chỉ một"
            f" máy chủ được chạy trên một thư mục. / The data directory {data_dir} is in use"
            f" by another motcua server{pid}; only one server may run on it."
        )


def sample_site_text() -> str:
    return resources.files("queue_server").joinpath(SAMPLE_SITE).read_text(encoding="utf-8")


def read_site(site_file: Path | None) -> SiteConfig:
    """The site file's configuration, or the bundled sample commune centre."""
    text = site_file.read_text(encoding="utf-8") if site_file else sample_site_text()
    return parse_site(text)


def make_private(data_dir: Path) -> None:
    """Create `data_dir` for this account alone (0700), or take an existing one back to
    that; its database and lock files 0600. Where the account may not change a mode (an
    administrator's directory), it is left as it is."""
    data_dir.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):
        os.chmod(data_dir, PRIVATE_DIR_MODE)
    for name in PRIVATE_FILES:
        with contextlib.suppress(FileNotFoundError, PermissionError):
            os.chmod(data_dir / name, PRIVATE_FILE_MODE)


def lock_data_dir(data_dir: Path) -> IO[str]:
    """Hold `data_dir` for this process alone, for as long as the returned file stays open
    (the kernel lets go when the process ends, however it ends).

    Two servers on one directory would split the hall: tickets issued through one never
    reach the other's screens. The admin commands do not take it: they work beside a
    running server, through SQLite's own locking.
    """
    import fcntl  # POSIX: the server runs on Linux; Windows kiosks never import this module

    make_private(data_dir)
    lock = (data_dir / LOCK_NAME).open("a+", encoding="utf-8")
    os.chmod(lock.fileno(), PRIVATE_FILE_MODE)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        holder = lock.read().strip()
        lock.close()
        raise DataDirInUse(data_dir, holder) from None
    lock.seek(0)
    lock.truncate()
    lock.write(f"{os.getpid()}\n")
    lock.flush()
    return lock


def open_store(data_dir: Path, site_file: Path | None = None, *, check_file: bool = False) -> Store:
    """A migrated store; an empty one is first filled from `site_file`, an existing one
    takes `site_file` as `motcua site apply` does (each change logged).

    `check_file`: see `queue_server.store.connect`.

    Raises:
        DatabaseUnusable: the directory holds a database that is empty, truncated or
            damaged (a new one is made only where there is none at all).
        SiteChangeRefused: `site_file` would orphan a waiting ticket or print again a
            number issued today; nothing is changed.
    """
    make_private(data_dir)
    store = connect(data_dir, check_file=check_file)
    try:
        make_private(data_dir)  # the files SQLite has just created, before any row
        store.migrate()
        if store.site() is None:
            site = read_site(site_file)
            with store.transaction():
                if store.site() is None:  # another process may have won the race
                    store.save_site(site)
        elif site_file is not None:
            new = read_site(site_file)
            if new != store.site():
                with store.transaction():
                    changes = apply_site(
                        store, new, datetime.now(UTC), command_line_actor(), "serve --site"
                    )
                for line in describe(changes):
                    log.info("%s: %s", site_file, line)
    except BaseException:
        store.close()
        raise
    return store
