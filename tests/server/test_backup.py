"""`motcua backup` while a real server issues tickets, and `motcua restore` with the
server stopped (CONTRACT.md, "Operations")."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import httpx
import pytest

from queue_server.store import DATABASE_NAME
from tests.helpers.server_process import ServerProcess, motcua, serve
from tests.server.conftest import prepare_data_dir

pytestmark = pytest.mark.slow


def rows(database: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(database.absolute().as_uri() + "?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def tp_numbers(database: Path) -> list[str]:
    return [str(n) for (n,) in rows(database, "select number from tickets order by id")]


class Issuer(threading.Thread):
    """Takes tickets of TP one after another until told to stop."""

    def __init__(self, server: ServerProcess, token: str) -> None:
        super().__init__(daemon=True)
        self.client = server.client(token)
        self.numbers: list[str] = []
        self.first = threading.Event()
        self.halt = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.halt.is_set():
                response = self.client.post("/api/tickets", json={"service": "TP"})
                assert response.status_code == 201, response.text
                self.numbers.append(response.json()["number"])
                self.first.set()
        except (AssertionError, httpx.HTTPError) as exc:
            self.error = exc
            self.first.set()
        finally:
            self.client.close()


def test_a_backup_taken_while_tickets_are_issued_is_consistent_and_restores(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir)
    copy = tmp_path / "backups" / "motcua-1.db"
    copy.parent.mkdir()
    with serve(data_dir) as server:
        issuer = Issuer(server, tokens["kiosk"])
        issuer.start()
        assert issuer.first.wait(20)
        result = motcua("backup", str(copy), "--data-dir", str(data_dir))
        # One more after the backup, whatever the issuer's pace.
        with server.client(tokens["kiosk"]) as http:
            assert http.post("/api/tickets", json={"service": "TP"}).status_code == 201
        issuer.halt.set()
        issuer.join(20)
        assert issuer.error is None, issuer.error
        server.stop_cleanly()
    assert result.returncode == 0, result.stderr
    assert f"Backed up to {copy}" in result.stdout
    issued = tp_numbers(data_dir / DATABASE_NAME)
    assert set(issuer.numbers) < set(issued)  # and the one taken after the backup
    # Some prefix of the day's numbers, with no gap, and each ticket's event with it.
    saved = tp_numbers(copy)
    assert saved, "the backup holds the tickets issued before it"
    assert saved == issued[: len(saved)]
    assert len(saved) < len(issued)  # the ticket taken after it is not in it
    issued_events = rows(copy, "select count(*) from events where type = 'ticket.issued'")
    assert issued_events == [(len(saved),)]
    assert rows(copy, "PRAGMA quick_check") == [("ok",)]
    assert rows(copy, "PRAGMA journal_mode") == [("delete",)]  # one self-contained file
    assert not copy.with_name(copy.name + "-wal").exists()
    assert list(copy.parent.iterdir()) == [copy]  # no partial file left

    result = motcua("restore", str(copy), "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    assert tp_numbers(data_dir / DATABASE_NAME) == saved
    [aside] = data_dir.glob(f"{DATABASE_NAME}.replaced-*")
    assert str(aside) in result.stdout
    assert tp_numbers(aside) == issued  # the database replaced, whole, kept aside

    # The restored hall goes on from the backup's last number.
    with serve(data_dir) as server:
        with server.client(tokens["kiosk"]) as http:
            response = http.post("/api/tickets", json={"service": "TP"})
        server.stop_cleanly()
    assert response.status_code == 201, response.text
    assert response.json()["number"] == f"1{len(saved) + 1:03d}"


def test_restore_refuses_while_a_server_runs_and_changes_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    prepare_data_dir(data_dir)
    copy = tmp_path / "copy.db"
    assert motcua("backup", str(copy), "--data-dir", str(data_dir)).returncode == 0
    with serve(data_dir) as server:
        result = motcua("restore", str(copy), "--data-dir", str(data_dir))
        server.stop_cleanly()
    assert result.returncode == 2
    assert "Stop the server before restoring." in result.stderr
    assert list(data_dir.glob("*.replaced-*")) == []


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"", "the file is empty"),
        (b"not a database at all\n" * 10, "the file is not an SQLite database"),
        (None, "it is not a motcua database"),
    ],
    ids=["empty", "text", "other-sqlite"],
)
def test_restore_refuses_what_is_not_a_motcua_database(
    tmp_path: Path, content: bytes | None, why: str
) -> None:
    data_dir = tmp_path / "data"
    prepare_data_dir(data_dir)
    before = (data_dir / DATABASE_NAME).read_bytes()
    bad = tmp_path / "bad.db"
    if content is None:
        conn = sqlite3.connect(bad)
        conn.execute("create table notes (text)")
        conn.commit()
        conn.close()
    else:
        bad.write_bytes(content)
    result = motcua("restore", str(bad), "--data-dir", str(data_dir))
    assert result.returncode == 1
    assert why in result.stderr
    assert (data_dir / DATABASE_NAME).read_bytes() == before
    assert list(data_dir.glob("*.replaced-*")) == []


def test_backup_of_a_directory_without_a_database_says_so(tmp_path: Path) -> None:
    result = motcua("backup", str(tmp_path / "copy.db"), "--data-dir", str(tmp_path / "none"))
    assert result.returncode == 1
    assert "there is no such file" in result.stderr
    assert not (tmp_path / "copy.db").exists()


@pytest.mark.parametrize("name", [DATABASE_NAME, f"{DATABASE_NAME}-wal"])
def test_a_backup_onto_the_live_database_is_refused(tmp_path: Path, name: str) -> None:
    data_dir = tmp_path / "data"
    prepare_data_dir(data_dir)
    before = (data_dir / DATABASE_NAME).read_bytes()
    result = motcua("backup", str(data_dir / name), "--data-dir", str(data_dir))
    assert result.returncode == 1
    assert "is the database itself" in result.stderr
    assert (data_dir / DATABASE_NAME).read_bytes() == before


def test_a_backup_into_a_missing_folder_says_why(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    prepare_data_dir(data_dir)
    result = motcua("backup", str(tmp_path / "no" / "copy.db"), "--data-dir", str(data_dir))
    assert result.returncode == 1
    assert "copy.db" in result.stderr
    assert "Traceback" not in result.stderr
