"""`motcua serve` refuses, in one line, what would lose or split a hall's data:
a damaged database, a data directory another server holds, a site file it would ignore."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from queue_server.database import open_store
from queue_server.store import DATABASE_NAME
from tests.helpers.server_process import motcua, serve
from tests.server.conftest import SITE

pytestmark = pytest.mark.slow


def serve_once(data_dir: Path, *extra: str) -> tuple[int, list[str]]:
    """Run `motcua serve` that is expected to refuse; its exit code and stderr lines."""
    result = motcua("serve", "--data-dir", str(data_dir), "--port", "0", *extra, timeout=30)
    assert "serving on" not in result.stdout, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, [line for line in result.stderr.splitlines() if line.strip()]


def a_database(data_dir: Path) -> bytes:
    open_store(data_dir).close()
    return (data_dir / DATABASE_NAME).read_bytes()


def empty(path: Path) -> None:
    path.write_bytes(b"")


def truncated(path: Path) -> None:
    path.write_bytes(a_database(path.parent)[: 3 * 4096])


def garbage(path: Path) -> None:
    path.write_bytes(os.urandom(64 * 1024))


def header_only(path: Path) -> None:
    # A whole header whose pages hold nothing SQLite recognises.
    whole = a_database(path.parent)
    path.write_bytes(whole[:100] + b"\xff" * (len(whole) - 100))


def gone_but_its_wal_left(path: Path) -> None:
    # The file was deleted under a server: its last writes live in the -wal alone.
    a_database(path.parent)
    path.with_name(path.name + "-wal").write_bytes(os.urandom(4096))
    path.unlink()


def a_dangling_link(path: Path) -> None:
    path.symlink_to(path.parent / "moved-away.db")


def a_directory(path: Path) -> None:
    path.mkdir()


def unreadable(path: Path) -> None:
    path.write_bytes(a_database(path.parent))
    path.chmod(0)


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (empty, "the file is empty"),
        (truncated, "the file is truncated"),
        (garbage, "not an SQLite database"),
        (header_only, "its content is damaged"),
        (gone_but_its_wal_left, "the file is gone but its -wal is not"),
        (a_dangling_link, "a dangling link"),
        (a_directory, "cannot be read"),
        pytest.param(
            unreadable,
            "cannot be read",
            marks=pytest.mark.skipif(
                os.geteuid() == 0, reason="root reads a file whatever its mode"
            ),
        ),
    ],
)
def test_a_damaged_database_stops_serve_with_one_line_and_is_left_as_it_was(
    tmp_path: Path, damage: Callable[[Path], None], says: str
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    path = data_dir / DATABASE_NAME
    for leftover in data_dir.glob(f"{DATABASE_NAME}-*"):
        leftover.unlink()
    damage(path)
    before = path.read_bytes() if path.is_file() and os.access(path, os.R_OK) else None
    existed = path.exists()  # a dangling link does not "exist"

    code, lines = serve_once(data_dir)
    assert code == 1
    assert len(lines) == 1, lines
    assert says in lines[0]
    assert "khôi phục từ bản sao lưu" in lines[0]
    assert "restore it from a backup" in lines[0]
    if before is not None:
        assert path.read_bytes() == before  # no fresh database in its place
    assert path.exists() == existed

    # The admin commands refuse it too, rather than make a fresh database.
    result = motcua("device", "add", "Kiosk", "--kind", "kiosk", "--data-dir", str(data_dir))
    assert result.returncode == 1
    assert "restore it from a backup" in result.stderr
    if before is not None:
        assert path.read_bytes() == before
    assert path.exists() == existed


def test_a_second_server_on_the_same_data_directory_exits_2_at_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with serve(data_dir) as first:
        code, lines = serve_once(data_dir)
        assert code == 2
        assert len(lines) == 1, lines
        assert "in use by another motcua server" in lines[0]
        assert f"PID {first.process.pid}" in lines[0]
        # The admin commands still work beside the running server.
        result = motcua("device", "add", "Kiosk", "--kind", "kiosk", "--data-dir", str(data_dir))
        assert result.returncode == 0, result.stderr
        with first.client() as http:
            assert http.get("/api/health").status_code == 200
        first.kill()  # even a killed server lets go of the directory
    with serve(data_dir) as again:
        again.stop_cleanly()


def test_a_site_file_that_would_orphan_a_waiting_ticket_is_refused(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    site = tmp_path / "site.toml"
    site.write_text(SITE, encoding="utf-8")
    with serve(data_dir, site) as first:
        kiosk = motcua("device", "add", "Kiosk", "--kind", "kiosk", "--data-dir", str(data_dir))
        with first.client(kiosk.stdout.splitlines()[-1]) as http:
            assert http.post("/api/tickets", json={"service": "DD"}).status_code == 201
        first.stop_cleanly()
    stored = (data_dir / DATABASE_NAME).read_bytes()
    orphaning = tmp_path / "orphaning.toml"  # no counter serves DD any more
    orphaning.write_text(
        SITE.replace('services = ["TP", "DD"]', 'services = ["TP"]').replace(
            'services = ["DD"]', 'services = ["TP"]'
        ),
        encoding="utf-8",
    )

    code, lines = serve_once(data_dir, "--site", str(orphaning))
    assert code == 1
    assert lines[0] == "Error: Không áp dụng được thay đổi cấu hình:", lines
    assert "no counter would call the waiting numbers of service DD: 2001" in lines[-1]
    assert not any("Traceback" in line for line in lines)
    assert (data_dir / DATABASE_NAME).read_bytes() == stored

    # The same file again is no change: the server starts.
    with serve(data_dir, site) as again:
        again.stop_cleanly(signal.SIGINT)
