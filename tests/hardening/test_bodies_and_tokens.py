"""Bodies are bounded and the token comes first, against a real `motcua serve`: a client
that sends 92 MiB with no token, or a body past the route's cap, is refused before the
server reads it, and the server's memory stays flat."""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest

from tests.hardening.conftest import Served, Watch, rss_mib

pytestmark = pytest.mark.slow

MIB = 1024 * 1024
BIG = 92 * MIB


def post_streaming(
    url: str, path: str, size: int, token: str | None = None, chunked: bool = False
) -> tuple[int, dict[str, object], int]:
    """POST `size` bytes to `path`, stopping as soon as the server answers; returns the
    status, the JSON body and how many body bytes were sent before the answer."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
    head = [f"POST {path} HTTP/1.1", f"Host: {parts.netloc}", "Content-Type: application/json"]
    head.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}")
    if token:
        head.append(f"Authorization: Bearer {token}")
    sent = 0
    chunk = b"[" + b" " * (MIB - 1)
    with sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        while sent < size and not select.select([sock], [], [], 0)[0]:
            piece = chunk[: min(MIB, size - sent)]
            framed = f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece
            try:
                sock.sendall(framed)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(piece)
        reply = b""
        while b"\r\n\r\n" not in reply or len(reply.split(b"\r\n\r\n", 1)[1]) < _length(reply):
            data = sock.recv(65536)
            if not data:
                break
            reply += data
    head_text, body = reply.split(b"\r\n\r\n", 1)
    status = int(head_text.split()[1])
    return status, json.loads(body[: _length(reply)]), sent


def _length(reply: bytes) -> int:
    for line in reply.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 1 << 30


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_big_body_with_no_token_gets_401_before_it_is_read(served: Served, chunked: bool) -> None:
    status, body, sent = post_streaming(served.server.url, "/api/tickets", BIG, chunked=chunked)
    assert status == 401
    assert "detail" in body
    assert sent < BIG


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_past_the_cap_gets_413(served: Served, chunked: bool) -> None:
    kiosk = served.tokens["kiosk"]
    status, body, sent = post_streaming(
        served.server.url, "/api/tickets", BIG, token=kiosk, chunked=chunked
    )
    assert status == 413
    assert "KiB" in str(body["detail"])
    assert sent < BIG
    # Sign-in has its own cap: a form past 16 KiB is refused, a normal one is not.
    status, _, _ = post_streaming(served.server.url, "/api/auth/token", 17 * 1024)
    assert status == 413
    with served.server.client() as http:
        ok = http.post("/api/auth/token", data={"username": "lan", "password": "mat-khau-1"})
    assert ok.status_code == 200


def test_two_92_mib_bodies_with_no_token_leave_memory_flat(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    server = served.server
    before = rss_mib(server.process.pid)
    results: list[tuple[int, float]] = []

    def attack(chunked: bool) -> None:
        started = time.perf_counter()
        status, _, _ = post_streaming(server.url, "/api/tickets", BIG, chunked=chunked)
        results.append((status, (time.perf_counter() - started) * 1000))

    with Watch(server) as watch:
        threads = [threading.Thread(target=attack, args=(c,)) for c in (False, True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert sorted(status for status, _ in results) == [401, 401]
    assert set(watch.statuses) == {200}
    assert watch.peak_rss_mib < before + 30, watch.summary()
    with capsys.disabled():
        print(
            f"\ntwo 92 MiB bodies, no token: answered in "
            f"{', '.join(f'{ms:.1f} ms' for _, ms in results)}; RSS before {before:.0f} MiB;"
            f" {watch.summary()}"
        )
