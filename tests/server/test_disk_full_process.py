"""A real `motcua serve` whose disk fills up (the file-size limit of its process, which
makes SQLite's writes fail as on a full disk): the writes that fail answer 503, nothing of
them remains, and once there is room the next ticket is issued without a restart, numbered
right after the last one acknowledged."""

from __future__ import annotations

import resource
import subprocess
from pathlib import Path

import pytest

from queue_server.store import DATABASE_NAME
from tests.helpers.server_process import MOTCUA, ServerProcess, child_env
from tests.server.conftest import prepare_data_dir

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(resource, "prlimit"), reason="needs Linux prlimit"),
]

ROOM_BYTES = 96 * 1024  # what the "disk" has left beyond the files already there


def serve_on_a_small_disk(data_dir: Path, limit: int) -> ServerProcess:
    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    stderr_path = data_dir.parent / "stderr.log"
    with stderr_path.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            [MOTCUA, "serve", "--data-dir", str(data_dir), "--port", "0"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            encoding="utf-8",
            env=child_env(),
            preexec_fn=small_disk,
        )
    try:
        return ServerProcess(process, stderr_path)
    except BaseException:
        process.kill()
        process.wait(timeout=10)
        raise


def test_a_full_disk_fails_writes_with_503_and_the_next_write_after_room_is_made_succeeds(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir)
    biggest = max(f.stat().st_size for f in data_dir.iterdir() if f.is_file())
    server = serve_on_a_small_disk(data_dir, biggest + ROOM_BYTES)
    try:
        numbers: list[str] = []
        with server.client(tokens["kiosk"]) as kiosk:
            for _ in range(1000):
                response = kiosk.post("/api/tickets", json={"service": "TP"})
                if response.status_code != 201:
                    break
                numbers.append(response.json()["number"])
            assert response.status_code == 503, response.text
            assert response.json()["error"] == "StoreError"
            assert numbers, "the disk was full before the first ticket"
            # Still full: still 503, not a wedged connection's different failure.
            assert kiosk.post("/api/tickets", json={"service": "TP"}).status_code == 503

            # Room is made (here: the limit lifted) while the server runs.
            resource.prlimit(
                server.process.pid,
                resource.RLIMIT_FSIZE,
                (resource.RLIM_INFINITY, resource.RLIM_INFINITY),
            )
            after = kiosk.post("/api/tickets", json={"service": "TP"})
            assert after.status_code == 201, after.text
            numbers.append(after.json()["number"])
        assert numbers == [str(1001 + i) for i in range(len(numbers))]  # no gap, no repeat
        assert server.stop() == 0  # (its log holds the failures' tracebacks, as it should)
        assert "commit failed; none of" in server.stderr()
    finally:
        server.close()

    import sqlite3  # read the file as it is left: what was acknowledged, and nothing else

    with sqlite3.connect(data_dir / DATABASE_NAME) as db:
        stored = [n for (n,) in db.execute("select number from tickets order by id")]
        issued_events = db.execute(
            "select count(*) from events where type = 'ticket.issued'"
        ).fetchone()[0]
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert stored == numbers
    assert issued_events == len(numbers)
