"""Boards reconnecting all at once are let in a few per turn of the event loop (#15), so
that a kiosk's request arriving meanwhile is read between them, and none is lost on the
way: each gets its snapshot, and one that gives up while it waits costs nothing."""

from __future__ import annotations

import asyncio
import base64
import functools
import os
import socket
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from websockets.sync.client import connect

from queue_server.connections import UpgradeTurns, _Connections
from tests.hardening.conftest import Served
from tests.hardening.test_connections import open_socket


def test_upgrades_beyond_a_turns_share_wait_behind_what_else_is_ready() -> None:
    async def one_turn_of_arrivals() -> list[str]:
        loop = asyncio.get_running_loop()
        turns = UpgradeTurns(per_turn=4)
        ran: list[str] = []
        for i in range(10):
            turns.enter(loop, functools.partial(ran.append, f"board {i}"))
        # Something else became ready in the same turn (a kiosk's request, say).
        loop.call_soon(ran.append, "kiosk")
        while len(ran) < 11:
            await asyncio.sleep(0)
        return ran

    ran = asyncio.run(one_turn_of_arrivals())
    boards = [f"board {i}" for i in range(10)]
    # Four at once, four more once the loop has read this turn's arrivals, and the last
    # two only after what else was ready by then.
    assert ran == [*boards[:8], "kiosk", *boards[8:]]


def test_a_lone_upgrade_goes_at_once_and_the_share_comes_back() -> None:
    async def two_apart() -> list[str]:
        loop = asyncio.get_running_loop()
        turns = UpgradeTurns(per_turn=1)
        ran: list[str] = []
        turns.enter(loop, lambda: ran.append("first"))
        assert ran == ["first"]  # not put off when there is room
        await asyncio.sleep(0.01)
        turns.enter(loop, lambda: ran.append("second"))
        return ran

    assert asyncio.run(two_apart()) == ["first", "second"]


def upgrade_request(url: str, token: str) -> bytes:
    parts = urlsplit(url)
    key = base64.b64encode(os.urandom(16)).decode()
    return (
        f"GET /ws/events?token={token} HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode()


def test_a_crowd_of_boards_all_get_their_snapshot_and_quitters_cost_nothing(
    served: Served,
) -> None:
    url = served.server.url
    token = served.tokens["display"]
    ws_url = f"ws://{urlsplit(url).netloc}/ws/events?token={token}"
    # Sixty boards that ask for their upgrade and give up at once, before any answer.
    quitters: list[socket.socket] = []
    for i in range(60):
        sock = open_socket(url, f"127.0.6.{1 + i}")
        sock.sendall(upgrade_request(url, token))
        quitters.append(sock)
    for sock in quitters:
        sock.close()

    def board(i: int) -> str:
        with connect(ws_url, open_timeout=30, source_address=(f"127.0.7.{1 + i}", 0)) as ws:
            return str(ws.recv(timeout=30))

    with ThreadPoolExecutor(max_workers=40) as pool:
        firsts = list(pool.map(board, range(120)))
    assert all('"snapshot"' in first for first in firsts)
    with served.server.client() as http:
        assert http.get("/api/health").status_code == 200


class Transport(asyncio.BaseTransport):
    def __init__(self) -> None:
        super().__init__()
        self.closed = False

    def is_closing(self) -> bool:
        return self.closed


def test_ended_streams_are_forgotten_without_a_scan_per_request() -> None:
    conns = _Connections()
    open_now: list[Transport] = []
    for _ in range(1_000):  # boards coming and going all day, 20 connected at a time
        transport = Transport()
        conns.add_stream(transport)
        open_now.append(transport)
        if len(open_now) > 20:
            open_now.pop(0).closed = True
        assert len(conns.streams) <= max(64, 2 * 20)
    # Far from a limit, nothing is scanned; near one, the ended streams do not count.
    assert not conns.at_least(1_000)
    assert conns.at_least(20)
    assert not conns.at_least(21)
    assert conns.streams == set(open_now)


def test_a_failed_upgrade_does_not_strand_those_behind_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken() -> None:
        raise RuntimeError("the client went away mid-upgrade")

    async def arrivals() -> list[int]:
        loop = asyncio.get_running_loop()
        turns = UpgradeTurns(per_turn=1)
        ran: list[int] = []
        turns.enter(loop, functools.partial(ran.append, 0))
        turns.enter(loop, broken)
        turns.enter(loop, functools.partial(ran.append, 2))
        for _ in range(5):
            await asyncio.sleep(0)
        return ran

    assert asyncio.run(arrivals()) == [0, 2]
    assert "a WebSocket upgrade failed" in caplog.text
