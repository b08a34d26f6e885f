"""The data directory is the server's alone, and no log line holds a token: a real
`motcua serve --log-level info`, its files and its output."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from websockets.sync.client import connect

from queue_server.database import open_store
from queue_server.log_redaction import redact
from tests.helpers.server_process import running
from tests.server.conftest import prepare_data_dir

pytestmark = pytest.mark.slow


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_directory_is_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "new" / "data"
    open_store(data_dir).close()
    assert mode(data_dir) == 0o700
    assert mode(data_dir / "motcua.db") == 0o600


def test_serving_keeps_the_directory_and_every_database_file_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir)
    # As an older version left them: readable by every account.
    os.chmod(data_dir, 0o755)
    for path in data_dir.iterdir():
        os.chmod(path, 0o644)
    args = ["serve", "--data-dir", str(data_dir), "--port", "0"]
    with running(args, tmp_path / "logs") as server:
        with server.client(tokens["kiosk"]) as kiosk:
            assert kiosk.post("/api/tickets", json={"service": "TP"}).status_code == 201
        assert mode(data_dir) == 0o700
        names = {p.name for p in data_dir.iterdir()}
        assert {"motcua.db", "motcua.db-wal", "motcua.db-shm", "motcua.lock"} <= names
        for name in ("motcua.db", "motcua.db-wal", "motcua.db-shm", "motcua.lock"):
            assert mode(data_dir / name) == 0o600, name


def test_no_log_line_holds_a_token(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir)
    args = ["serve", "--data-dir", str(data_dir), "--port", "0", "--log-level", "info"]
    with running(args, tmp_path / "logs") as server:
        display = tokens["display"]
        with server.client() as http:
            assert http.get("/display", params={"token": display}).status_code == 200
            assert http.get("/display", params={"token": "sai-ma-nay"}).status_code == 401
            assert (
                http.get(
                    "/api/services", headers={"Authorization": f"Bearer {tokens['lan']}"}
                ).status_code
                == 200
            )
            signed_in = http.post(
                "/api/auth/token", data={"username": "lan", "password": "mat-khau-1"}
            )
            assert signed_in.status_code == 200
        port = server.url.rsplit(":", 1)[1]
        with connect(f"ws://127.0.0.1:{port}/ws/events?token={display}&since=0") as ws:
            ws.recv(timeout=10)
        server.stop_cleanly()
        output = "\n".join(server.lines) + "\n" + server.stderr()
    assert "/display?token=***" in output  # the requests were logged, redacted
    assert "token=***" in output.split("/ws/events", 1)[1]
    for secret in (display, "sai-ma-nay", tokens["lan"], signed_in.json()["access_token"]):
        assert secret not in output


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("GET /display?token=abc-DEF_1 HTTP/1.1", "GET /display?token=*** HTTP/1.1"),
        ("/ws/events?since=3&token=z.z&x=1", "/ws/events?since=3&token=***&x=1"),
        ("Authorization: Bearer a.b-c_d", "Authorization: Bearer ***"),
        ("no secret here", "no secret here"),
    ],
)
def test_redaction(line: str, expected: str) -> None:
    assert redact(line) == expected
