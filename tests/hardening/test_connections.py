"""Connections against a real `motcua serve`: one address cannot hold the server's
sockets, a connection that never finishes its request's head is closed, a huge head is
refused, and the open-files limit is raised to the hard one."""

from __future__ import annotations

import contextlib
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from websockets.sync.client import connect

from tests.hardening.conftest import Served, Watch, client_from
from tests.helpers.server_process import running
from tests.server.conftest import prepare_data_dir

pytestmark = pytest.mark.slow

PER_ADDRESS = 64  # the default MOTCUA_CONNECTIONS_PER_ADDRESS


@pytest.fixture
def quick(tmp_path: Path) -> Iterator[Served]:
    """A server that gives a request's head one second."""
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir)
    env_file = tmp_path / "motcua.env"
    env_file.write_text("MOTCUA_HEAD_TIMEOUT_S=1\n", encoding="utf-8")
    args = ["serve", "--data-dir", str(data_dir), "--port", "0", "--env-file", str(env_file)]
    with running(args, tmp_path / "logs") as server:
        yield Served(server, tokens, data_dir)


def open_socket(url: str, source: str) -> socket.socket:
    parts = urlsplit(url)
    sock = socket.create_connection(
        (parts.hostname, parts.port), timeout=30, source_address=(source, 0)
    )
    return sock


def closed_by_server(sock: socket.socket, deadline_s: float = 30) -> bytes:
    """Wait for the server to close `sock`; what it said before (b"" for nothing)."""
    sock.settimeout(deadline_s)
    said = b""
    try:
        while data := sock.recv(65536):
            said += data
    except ConnectionResetError:
        pass
    return said


def test_one_address_cannot_hold_more_than_its_share(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    url = served.server.url
    with Watch(served.server) as watch:
        sockets = [open_socket(url, "127.0.0.7") for _ in range(PER_ADDRESS + 136)]
        # Those the server answered at once, and those it keeps (for now) in silence.
        answered: set[socket.socket] = set()
        settle = time.monotonic() + 3
        while time.monotonic() < settle and len(answered) < 136:
            ready, _, _ = select.select([s for s in sockets if s not in answered], [], [], 0.5)
            answered.update(ready)
        held, refused = [s for s in sockets if s not in answered], 0
        for sock in answered:
            assert closed_by_server(sock).startswith(b"HTTP/1.1 503")
            refused += 1
            sock.close()
        # Another address is served all along.
        with client_from(url, "127.0.0.8") as other:
            assert other.get("/api/health").status_code == 200
    assert len(held) == PER_ADDRESS
    assert refused == 136
    assert set(watch.statuses) == {200}
    # Idle, they are closed once their head is late; the address may connect again.
    for sock in held:
        assert closed_by_server(sock) == b""
        sock.close()
    with client_from(url, "127.0.0.7") as again:
        assert again.get("/api/health").status_code == 200
    with capsys.disabled():
        print(f"\n{PER_ADDRESS + 136} sockets from one address: {watch.summary()}")


def test_event_streams_do_not_count_against_the_address(quick: Served) -> None:
    port = urlsplit(quick.server.url).port
    token = quick.tokens["display"]
    with contextlib.ExitStack() as stack:
        for _ in range(PER_ADDRESS + 4):
            ws = stack.enter_context(connect(f"ws://127.0.0.1:{port}/ws/events?token={token}"))
            assert '"snapshot"' in str(ws.recv(timeout=10))
        with quick.server.client() as http:
            assert http.get("/api/health").status_code == 200


def test_a_head_sent_too_slowly_is_cut_off(quick: Served) -> None:
    sock = open_socket(quick.server.url, "127.0.0.1")
    with sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")  # and never the end
        assert closed_by_server(sock) == b""


def test_a_kept_alive_connection_gets_a_deadline_for_its_next_head(quick: Served) -> None:
    sock = open_socket(quick.server.url, "127.0.0.1")
    with sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.1)  # let the answer come; not a timing assertion
        sock.sendall(b"GET /api/health HTTP/1.1\r\n")
        said = closed_by_server(sock)
    assert said.startswith(b"HTTP/1.1 200")
    assert said.count(b"HTTP/1.1") == 1


def test_a_huge_head_gets_431(quick: Served) -> None:
    sock = open_socket(quick.server.url, "127.0.0.1")
    with sock:
        sock.sendall(
            b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 20_000 + b"\r\n\r\n"
        )
        said = closed_by_server(sock)
    assert said.startswith(b"HTTP/1.1 431")
    assert b'"detail"' in said


def test_a_head_that_grows_too_large_over_many_reads_gets_431_before_it_ends(
    quick: Served,
) -> None:
    """Headers counted as they are parsed, read after read: 20 KB of them refused at
    once, though four times the cap has not come in and the head has not ended."""
    sock = open_socket(quick.server.url, "127.0.0.1")
    with sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
        for n in range(20):
            try:
                sock.sendall(f"X-Pad-{n}: ".encode() + b"a" * 1000 + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                break  # refused half-way: what it said is still to read
            time.sleep(0.01)  # one read each; not a timing assertion
        said = closed_by_server(sock)
    assert said.startswith(b"HTTP/1.1 431")


def test_the_open_files_limit_is_raised_to_the_hard_limit(quick: Served) -> None:
    limits = Path(f"/proc/{quick.server.process.pid}/limits").read_text()
    [line] = [line for line in limits.splitlines() if line.startswith("Max open files")]
    soft, hard = line.split()[3:5]
    assert soft == hard
