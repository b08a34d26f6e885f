"""The hall's own devices against a stranger holding 1,100 idle sockets from many
addresses, on a real `motcua serve` whose open-files limit is systemd's default 1,024:
health and a signed-in clerk's call-next are still answered; strangers are not."""

from __future__ import annotations

import contextlib
import resource
import socket
import statistics
import threading
import time
from pathlib import Path

import pytest

from tests.hardening.conftest import client_from, rss_mib
from tests.hardening.test_connections import open_socket
from tests.helpers.server_process import running
from tests.server.conftest import prepare_data_dir

pytestmark = pytest.mark.slow

STRANGERS = 1_100
PER_ADDRESS = 55  # under the per-address cap (64): only the budget stands in the way
OPEN_FILES = 1_024  # systemd's default soft and hard limit for a service in many units


def keep_opening(url: str, stop: threading.Event) -> None:
    """A stranger opening idle sockets over and over, from addresses of its own."""
    held: list[socket.socket] = []
    i = 0
    while not stop.is_set():
        with contextlib.suppress(OSError):
            held.append(open_socket(url, f"127.0.5.{10 + i % 1000 // PER_ADDRESS}"))
        i += 1
        if len(held) > 200:
            held.pop(0).close()
    for sock in held:
        sock.close()


def test_health_and_call_next_are_served_while_strangers_hold_every_socket(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir)
    env_file = tmp_path / "motcua.env"
    # Strangers' sockets are not cut off by the head deadline during the test: only the
    # connection budget can make room.
    env_file.write_text("MOTCUA_HEAD_TIMEOUT_S=300\n", encoding="utf-8")
    args = ["serve", "--data-dir", str(data_dir), "--port", "0", "--env-file", str(env_file)]
    with running(args, tmp_path / "logs") as server:
        pid = server.process.pid
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (OPEN_FILES, OPEN_FILES))
        url = server.url
        with server.client(tokens["kiosk"]) as kiosk:
            for _ in range(40):
                assert kiosk.post("/api/tickets", json={"service": "TP"}).status_code == 201
        strangers: list[socket.socket] = []
        stop = threading.Event()
        churn = threading.Thread(target=keep_opening, args=(url, stop), daemon=True)
        try:
            for i in range(STRANGERS):
                strangers.append(open_socket(url, f"127.0.3.{10 + i // PER_ADDRESS}"))
            # What follows must meet a full server: wait until it holds all the files it
            # may (connections accepted and kept, the rest refused or made room for).
            fd_dir = Path(f"/proc/{pid}/fd")
            deadline = time.monotonic() + 60
            while len(list(fd_dir.iterdir())) < OPEN_FILES - 80 and time.monotonic() < deadline:
                time.sleep(0.1)
            # And the stranger keeps opening more, all along.
            churn.start()
            health_ms: list[float] = []
            call_ms: list[float] = []
            with (
                client_from(url, "127.0.0.1", timeout=20) as probe,
                client_from(url, "127.0.0.2", timeout=20) as clerk,
            ):
                clerk.headers["Authorization"] = f"Bearer {tokens['lan']}"
                for _ in range(30):
                    started = time.perf_counter()
                    assert probe.get("/api/health").status_code == 200
                    health_ms.append((time.perf_counter() - started) * 1000)
                    started = time.perf_counter()
                    response = clerk.post("/api/counters/1/call-next")
                    call_ms.append((time.perf_counter() - started) * 1000)
                    assert response.status_code in (200, 204), response.text
            # A stranger's request with no token, past the reserve's edge, is refused.
            # The churn frees and takes places all along: one request may find a place
            # outside the reserve (404 here), but not one after another.
            # Nor does a made-up token open the reserve: only a token of the hall's does.
            for made_up in (None, "Bearer khong-phai-ma-that"):
                answers = []
                for _ in range(20):
                    with client_from(url, "127.0.4.1", timeout=20) as stranger:
                        if made_up is not None:
                            stranger.headers["Authorization"] = made_up
                        response = stranger.get("/api/services")
                    answers.append(response.status_code)
                    if response.status_code == 503:
                        assert response.json()["detail"]
                        break
                assert 503 in answers, (made_up, answers)
            files = len(list(Path(f"/proc/{pid}/fd").iterdir()))
            rss = rss_mib(pid)
        finally:
            stop.set()
            if churn.is_alive():
                churn.join(timeout=60)
            for sock in strangers:
                sock.close()
    assert files < OPEN_FILES
    with capsys.disabled():
        print(
            f"\n{STRANGERS} idle sockets, open files {files}/{OPEN_FILES}: health median "
            f"{statistics.median(health_ms):.1f} ms max {max(health_ms):.1f} ms; call-next "
            f"median {statistics.median(call_ms):.1f} ms max {max(call_ms):.1f} ms; "
            f"RSS {rss:.0f} MiB"
        )
