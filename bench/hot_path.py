"""Benchmark: the whole of `POST /api/tickets` and call-next in one process, without sockets.

`bench/issue.py` measures the server as it runs, over loopback: its figures move by 5–10 %
from run to run on a shared machine, more than most single changes to the hot path are
worth. This one feeds requests by hand to uvicorn's HTTP protocol (the guarded one the
server runs, `queue_server.connections`) over stand-in transports, `--connections` of them
in lockstep (each sends one request, then all wait for their answers, as `issue.py`'s
kiosk clients do), into the real app with its real writer and SQLite file; and reads the
CPU the process spent (both its threads) per ticket. No kernel, no client process, no
scheduling between them: what is left is the Python and SQLite work of a ticket, to a
percent or two between runs.

Then `--clerks` clerks (four) call the tickets issued, each at its own counter with its own
connection, until the queue is empty: each clerk sends its next `call-next` as soon as its
answer is written, as `issue.py`'s clerks do, so the calls gathered while one batch commits
share the next batch's commit, as they do over the network.

Beside it, the same protocol and connections with a do-nothing ASGI app: what uvicorn's
parsing and answering cost without sockets. The stand-in transport is the only fake: the
network, which this benchmark leaves out on purpose.

This is a benchmark printing figures, never a timed test; it exits 1 if any answer is not
the ticket asked for, or if a ticket issued was not called exactly once.

Run: `.venv/bin/python bench/hot_path.py [--tickets 20000] [--connections 16] [--clerks 4]
[--json]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from issue import SERVICES, site_toml
from uvicorn.config import Config
from uvicorn.server import ServerState

from queue_server.app import create_app
from queue_server.auth import add_device, add_user, issue_user_token
from queue_server.connections import guarded_protocol
from queue_server.database import open_store
from queue_server.roles import Role
from queue_server.serve import limits_of
from queue_server.settings import Settings
from queue_server.store import connect

WARM_UP = 512  # tickets issued before the measure: imports, caches, the first batches
CREATED = b"HTTP/1.1 201 "
CALLED = b"HTTP/1.1 200 "
EMPTY = b"HTTP/1.1 204 "
# The clerks' passwords are never checked here: their tokens are made directly.
QUICK_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class Answers:
    """How many answers of each kind the stand-in transports received, and a wait for a
    number of good ones."""

    def __init__(self) -> None:
        self.created = 0
        self.other: list[bytes] = []
        self._target = 0
        self._reached = asyncio.Event()

    def expect(self, more: int) -> asyncio.Event:
        self._target = self.created + more
        self._reached = asyncio.Event()
        return self._reached

    def heard(self, data: bytes) -> None:
        if data.startswith(CREATED):
            self.created += 1
            if self.created >= self._target:
                self._reached.set()
        elif data.startswith(b"HTTP/"):
            self.other.append(data[:200])
            self._reached.set()  # the run ends, and says why


class Listener:
    """What hears a connection's answers: `heard` is given everything the server writes."""

    def heard(self, data: bytes) -> None:
        raise NotImplementedError


class StandInTransport(asyncio.Transport):
    """A connection's socket, left out: what the protocol writes is only listened to."""

    def __init__(self, port: int, answers: Answers | Listener) -> None:
        super().__init__()
        self._peer = ("127.0.0.1", port)
        self._answers = answers
        self._closing = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": self._peer, "sockname": ("127.0.0.1", 8000)}.get(name, default)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._answers.heard(bytes(data))

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        self._closing = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0


def issue_request(token: str, n: int) -> bytes:
    """The n-th kiosk touch: a service in turn, with its own Idempotency-Key."""
    body = json.dumps({"service": SERVICES[n % len(SERVICES)]}).encode()
    head = (
        "POST /api/tickets HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Idempotency-Key: bench-{n:032d}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def call_next_request(token: str, counter: int) -> bytes:
    return (
        f"POST /api/counters/{counter}/call-next HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: 0\r\n\r\n"
    ).encode()


class Clerk(Listener):
    """A clerk at a counter: calls again as soon as an answer with a ticket comes, and stops
    at the first 204 (the queue is empty) or anything else."""

    def __init__(self, request: bytes, calls: list[bytes], done: asyncio.Future[None]) -> None:
        self.request = request
        self.calls = calls  # every clerk's answers' bodies, in order
        self.other: list[bytes] = []
        self.connection: asyncio.Protocol | None = None
        self.done = done
        self._head = True  # the next write is an answer's head (uvicorn writes head, body)

    def call(self) -> None:
        assert self.connection is not None
        self.connection.data_received(self.request)

    def heard(self, data: bytes) -> None:
        if not data:
            return  # a 204's empty body
        head, self._head = self._head, not self._head
        if not head:
            self.calls.append(data)
            # Sent from the loop's next turn, as the answer's own turn ends first.
            asyncio.get_running_loop().call_soon(self.call)
        elif data.startswith(EMPTY):
            self._finish()
        elif not data.startswith(CALLED):
            self.other.append(data[:200])
            self._finish()

    def _finish(self) -> None:
        self._head = True
        if not self.done.done():
            self.done.set_result(None)


async def do_nothing(scope: Any, receive: Any, send: Any) -> None:
    """The floor: read the body, answer 201 with a small JSON body."""
    if scope["type"] != "http":
        return
    await receive()
    await send(
        {
            "type": "http.response.start",
            "status": 201,
            "headers": [(b"content-length", b"2"), (b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": b"{}"})


async def measure(
    app: Any, protocol: type[asyncio.Protocol], requests: list[bytes], width: int
) -> dict[str, Any]:
    """Issue `requests` through `width` connections in lockstep; CPU per ticket after the
    warm-up."""
    config = Config(app=app, lifespan="off", log_level="warning")
    config.load()
    state, answers = ServerState(), Answers()
    connections = []
    for n in range(width):
        connection = protocol(config=config, server_state=state, app_state={})  # type: ignore[call-arg]
        connection.connection_made(StandInTransport(40_000 + n, answers))
        connections.append(connection)
    pending = iter(requests)

    async def rounds(count: int) -> None:
        for _ in range(count // width):
            reached = answers.expect(width)
            for connection in connections:
                connection.data_received(next(pending))
            await reached.wait()
            if answers.other:
                return

    await rounds(WARM_UP)
    measured = len(requests) - WARM_UP
    cpu, wall = time.process_time(), time.perf_counter()
    await rounds(measured)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    counted = measured // width * width
    return {
        "tickets": counted,
        "cpu_us_per_ticket": round(1e6 * cpu / counted, 1),
        "per_s": round(counted / wall),
        "created": answers.created,
        "other": [a.decode("latin-1") for a in answers.other],
    }


async def measure_calls(
    app: Any, protocol: type[asyncio.Protocol], tokens: list[str]
) -> dict[str, Any]:
    """Each clerk calls at its counter (1, 2, …) until the queue is empty; CPU per call."""
    config = Config(app=app, lifespan="off", log_level="warning")
    config.load()
    state, calls = ServerState(), []
    loop = asyncio.get_running_loop()
    clerks = []
    for counter, token in enumerate(tokens, start=1):
        clerk = Clerk(call_next_request(token, counter), calls, loop.create_future())
        clerk.connection = protocol(config=config, server_state=state, app_state={})  # type: ignore[call-arg]
        clerk.connection.connection_made(StandInTransport(41_000 + counter, clerk))
        clerks.append(clerk)
    cpu, wall = time.process_time(), time.perf_counter()
    for clerk in clerks:
        clerk.call()
    await asyncio.gather(*(clerk.done for clerk in clerks))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    called = [json.loads(body) for body in calls]
    return {
        "calls": len(called),
        "cpu_us_per_call": round(1e6 * cpu / max(len(called), 1), 1),
        "per_s": round(len(called) / wall),
        "ids": [ticket["id"] for ticket in called],
        "other": [a.decode("latin-1") for clerk in clerks for a in clerk.other],
    }


def prepare(data_dir: Path, clerks: int) -> tuple[str, list[str]]:
    """A data directory with `issue.py`'s generated site (a counter for each clerk, at
    least its four); a kiosk's token and each clerk's."""
    data_dir.mkdir(parents=True)
    site_file = data_dir / "site.toml"
    site_file.write_text(site_toml(max(clerks, 4)), encoding="utf-8")
    store = open_store(data_dir, site_file)
    now = datetime.now(UTC)
    clerk_tokens = []
    with store.transaction():
        _, token = add_device(store, "bench kiosk", Role.KIOSK, now)
        for n in range(1, clerks + 1):
            add_user(store, f"clerk{n}", "-", Role.CLERK, None, now, QUICK_HASHER)
            clerk_tokens.append(issue_user_token(store, f"clerk{n}", now, 86_400)[0])
    store.close()
    return token, clerk_tokens


async def run(tickets: int, width: int, clerks: int) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="motcua-hot-path-"))
    try:
        token, clerk_tokens = prepare(root / "data", clerks)
        requests = [issue_request(token, n) for n in range(tickets + WARM_UP)]
        app = create_app(Settings(data_dir=root / "data"))
        async with app.router.lifespan_context(app):
            motcua = await measure(app, guarded_protocol(limits_of(app)), requests, width)
            calls = (
                await measure_calls(app, guarded_protocol(limits_of(app)), clerk_tokens)
                if clerks
                else None
            )
        floor = await measure(do_nothing, guarded_protocol(limits_of(app)), requests, width)
        store = connect(root / "data")
        stored = store.last_ticket_id()
        store.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    issued = tickets // width * width + WARM_UP
    ok = not motcua["other"] and motcua["created"] == stored == issued
    if calls is not None:
        ids = calls.pop("ids")
        # Every ticket issued, the warm-up's too, called once and only once.
        ok = ok and not calls["other"] and sorted(ids) == list(range(1, issued + 1))
    return {
        "connections": width,
        "motcua": motcua,
        "call_next": calls,
        "floor": floor,
        "stored": stored,
        "ok": ok,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=20000, help="tickets measured (20000)")
    parser.add_argument("--connections", type=int, default=16, help="kiosk connections (16)")
    parser.add_argument("--clerks", type=int, default=4, help="clerks calling (4; 0: none)")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args(argv)
    if args.tickets < args.connections or not 1 <= args.connections <= 256:
        parser.error("--connections 1 to 256, and --tickets at least as many")
    if not 0 <= args.clerks <= 64:
        parser.error("--clerks 0 to 64")
    try:
        import uvloop

        uvloop.install()
        loop_name = "uvloop"
    except ImportError:
        loop_name = "asyncio"
    figures = asyncio.run(run(args.tickets, args.connections, args.clerks))
    motcua, calls, floor = figures["motcua"], figures["call_next"], figures["floor"]
    print(
        f"motcua hot path: {motcua['tickets']} tickets, {args.connections} connections,"
        f" {loop_name}, no sockets"
    )
    print(f"issue  {motcua['cpu_us_per_ticket']:7.1f} µs CPU a ticket ({motcua['per_s']}/s)")
    if calls is not None:
        print(
            f"call   {calls['cpu_us_per_call']:7.1f} µs CPU a call-next"
            f" ({calls['per_s']}/s, {args.clerks} clerks)"
        )
    print(f"floor  {floor['cpu_us_per_ticket']:7.1f} µs CPU a request (uvicorn, do-nothing app)")
    for answer in motcua["other"] + (calls["other"] if calls else []):
        print(f"unexpected answer: {answer!r}", file=sys.stderr)
    print("ok" if figures["ok"] else "FAILED: an answer, a stored ticket or a call is missing")
    if args.json:
        print(json.dumps(figures))
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
