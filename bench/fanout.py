"""Benchmark: live-event fan-out over `/ws/events`, beside a bare FastAPI broadcast floor.

What is measured: the delivery latency of a call, from the moment the bench sends
`POST /api/counters/1/call-next` to the moment each connected WebSocket client has the matching
`ticket.called` event in hand, over every (call, client) pair. Every call must reach every
client; a missing or doubled delivery, or a client cut off, fails the run (exit 1).

How:

1. motcua: a real `motcua serve --port 0` on a fresh data directory (the generated site of
   `issue.py`); a display device, a kiosk device and a clerk made through the CLI; enough tickets
   issued *before* the clients connect; N display clients open `/ws/events` and each waits for
   its snapshot. One clerk calls next at a steady pace (call k of a block is sent at
   t0 + k·interval) over a lean keep-alive HTTP/1.1 connection (`_http.py`). Events are matched
   to calls by ticket id.
2. the floor, in the same run: a bare FastAPI app defined here, served by the very same uvicorn
   configuration as motcua (`queue_server.serve.run`), whose `/broadcast` endpoint sends a
   ≈ 200-byte `ticket.called`-shaped message to every connected client in turn (`await
   ws.send_text` in a loop): the fastest a sequential Python fan-out goes. Same N (its own
   clients), same pacing, same client code. The ratio motcua p99 / floor p99 is the issue's
   target (≤ 2).
   Both servers run side by side and the calls alternate between them in blocks (`--block`,
   A B then B A …), only one target being called at a time: a shift in the machine's background
   load hits both alike. One warm-up call each is checked for delivery but not timed.
3. `--idle N` (instead of the above): N idle display connections to motcua; how many the one
   server process holds after `--hold` seconds, its RSS (`VmRSS`) before and after, and one call
   sent to all of them to prove the held connections are live.

The clients are all in this one process (websockets' asyncio client, no compression — the
displays' Qt client does not negotiate it — on uvloop when installed). A client parses a message
only if `"ticket.called"` is in its text. With one process receiving for N clients, the client's
own per-message cost is part of every figure, for motcua and floor alike; `gen` shows how
busy the generator was, `other` how busy the rest of the machine was. RLIMIT_NOFILE is raised for
the bench and, through `preexec_fn`, for both servers.

Run: `.venv/bin/python bench/fanout.py [--clients 500] [--calls 50] [--interval 0.1] [--json]`,
or `.venv/bin/python bench/fanout.py --idle 5000`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import resource
import shlex
import shutil
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _http import Connection, HttpError, Response
from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from issue import (
    CLERK_PASSWORD,
    HOST,
    STARTUP_TIMEOUT_S,
    BenchError,
    Phase,
    Prefill,
    Server,
    _drain,
    clerk_token,
    loop_factory,
    motcua_command,
    prefill,
    run_cli,
    site_toml,
    stop_server,
)
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from counter_client.desk import WAITING_READ_MS, WAITING_ROWS, read_delay_ms
from queue_server.database import open_store

CALLED = '"ticket.called"'
SERVICE = "HT"  # counter 1 serves it first
COUNTER = 1
WARMUP_CALLS = 1  # sent and checked for delivery, left out of the percentiles
CONNECT_CONCURRENCY = 64
SNAPSHOT_TIMEOUT_S = 30.0
STORM_PAUSE_S = 1.0  # between two storms: the boards closed, the kiosks still issuing
DELIVERY_TIMEOUT_S = 10.0
FLOOR_PAD = 120  # makes the floor's message ≈ 200 bytes
URL_LINE = re.compile(r"http://[\d.]+:(\d+)")


# --- processes ----------------------------------------------------------------------------


def raise_file_limit(wanted: int) -> int:
    """Raise this process's soft RLIMIT_NOFILE towards `wanted` (up to the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        return target
    return soft


def _file_limit_preexec(limit: int) -> Callable[[], None]:
    def preexec() -> None:  # in the child, before exec: the server gets the same limit
        raise_file_limit(limit)

    return preexec


async def _read_port(stream: asyncio.StreamReader, log: deque[str]) -> int:
    while line := await stream.readline():
        text = line.decode(errors="replace").rstrip()
        log.append(text)
        if match := URL_LINE.search(text):
            return int(match.group(1))
    raise BenchError("the server closed its standard output before printing its URL")


async def start(argv: list[str], command: list[str], data_dir: Path, file_limit: int) -> Server:
    """Start a server listening on port 0; its port comes from the `http://` line it prints."""
    process = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=_file_limit_preexec(file_limit),
    )
    assert process.stdout is not None
    assert process.stderr is not None
    log: deque[str] = deque(maxlen=40)
    server = Server(process, command, data_dir, 0, log, [])
    server.drains.append(asyncio.create_task(_drain(process.stderr, log, "stderr: ")))
    try:
        server.port = await asyncio.wait_for(_read_port(process.stdout, log), STARTUP_TIMEOUT_S)
    except (TimeoutError, BenchError) as exc:
        await stop_server(server)
        reason = f"{exc or 'timed out'}; exit code {process.returncode}"
        raise BenchError(f"server did not start ({reason}):\n{server.log_tail()}") from exc
    server.drains.append(asyncio.create_task(_drain(process.stdout, log, "")))
    return server


async def start_motcua(
    command: list[str],
    workdir: Path,
    file_limit: int,
    counters: int = 4,
    before: Prefill | None = None,
) -> Server:
    """motcua on the generated site with `counters` counters, its database filled as
    `before` says first."""
    site = workdir / "site.toml"
    site.write_text(site_toml(counters), encoding="utf-8")
    data_dir = workdir / "data"
    # `motcua serve --site` creates the database before reading --site (the bundled sample,
    # with issuing hours, wins): create it from our site first, as serve would.
    open_store(data_dir, site).close()
    if before is not None:
        await prefill(before, command, data_dir, site)
    argv = [*command, "serve", "--data-dir", str(data_dir), "--host", HOST, "--port", "0"]
    return await start([*argv, "--site", str(site)], command, data_dir, file_limit)


async def start_floor(workdir: Path, file_limit: int) -> Server:
    argv = [sys.executable, str(Path(__file__).resolve()), "--serve-floor"]
    return await start(argv, argv, workdir, file_limit)


async def device_token(server: Server, name: str, kind: str) -> str:
    out = await run_cli(server, "device", "add", name, "--kind", kind)
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    if not lines:
        raise BenchError("`motcua device add` printed no token")
    return lines[-1]


def rss_kib(pid: int) -> int:
    """The resident set size of a process, from /proc/PID/status (0 if unreadable)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process, from /proc/PID/stat (0 if unreadable)."""
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


# --- the floor: a bare FastAPI broadcast ---------------------------------------------------


def floor_app() -> FastAPI:
    app = FastAPI()
    sockets: set[WebSocket] = set()
    seq = 0

    @app.get("/health")
    async def health() -> dict[str, bool]:
        return {"ok": True}

    @app.websocket("/ws")
    async def stream(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text('{"type":"snapshot","seq":0}')
        sockets.add(websocket)
        try:
            while True:
                await websocket.receive_text()
        except WebSocketDisconnect:
            pass
        finally:
            sockets.discard(websocket)

    @app.post("/broadcast")
    async def broadcast(messages: int = 1) -> dict[str, int]:
        """`messages - 1` other events, then the `ticket.called` one, each to every socket."""
        nonlocal seq
        for index in range(messages):
            seq += 1
            kind = "ticket.called" if index == messages - 1 else "ticket.completed"
            ticket = {"id": seq, "pad": "x" * FLOOR_PAD}
            text = json.dumps({"type": kind, "seq": seq, "ticket": ticket})
            for websocket in list(sockets):
                with contextlib.suppress(Exception):
                    await websocket.send_text(text)
        return {"id": seq}

    return app


def serve_floor() -> None:
    from queue_server.serve import run

    run(floor_app(), HOST, 0)


# --- the clients --------------------------------------------------------------------------


@dataclass
class Client:
    ws: ClientConnection
    received: dict[int, float] = field(default_factory=dict)  # ticket id → receipt time
    duplicates: int = 0
    event_bytes: int = 0
    closed: str | None = None  # why the server ended it, if it did
    task: asyncio.Task[None] | None = None


async def listen(client: Client) -> None:
    try:
        async for message in client.ws:
            now = time.perf_counter()
            if isinstance(message, str) and CALLED in message:
                ticket_id = json.loads(message)["ticket"]["id"]
                if ticket_id in client.received:
                    client.duplicates += 1
                else:
                    client.received[ticket_id] = now
                client.event_bytes = len(message)
    except ConnectionClosed:
        pass
    client.closed = f"closed by server: {client.ws.close_code} {client.ws.close_reason!r}"


async def open_client(url: str, gate: asyncio.Semaphore) -> Client:
    async with gate:
        ws = await connect(
            url, compression=None, ping_interval=None, open_timeout=SNAPSHOT_TIMEOUT_S
        )
        try:
            first = await asyncio.wait_for(ws.recv(), SNAPSHOT_TIMEOUT_S)
        except BaseException:
            await ws.close()
            raise
    if not isinstance(first, str) or '"snapshot"' not in first:
        await ws.close()
        raise BenchError(f"first message is not a snapshot: {str(first)[:120]!r}")
    client = Client(ws)
    client.task = asyncio.create_task(listen(client))
    return client


async def open_clients(url: str, count: int, problems: list[str]) -> list[Client]:
    """Open `count` clients, each holding its snapshot; failures go to `problems`."""
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    results = await asyncio.gather(
        *(open_client(url, gate) for _ in range(count)), return_exceptions=True
    )
    clients = [r for r in results if isinstance(r, Client)]
    if failures := [r for r in results if isinstance(r, BaseException)]:
        problems.append(
            f"{len(failures)} of {count} clients did not get a snapshot, e.g. {failures[0]!r}"
        )
    return clients


async def close_clients(clients: list[Client]) -> None:
    await asyncio.gather(*(c.ws.close() for c in clients), return_exceptions=True)
    await asyncio.gather(*(c.task for c in clients if c.task), return_exceptions=True)


def live(clients: list[Client]) -> int:
    return sum(1 for c in clients if c.closed is None)


# --- one measured target ------------------------------------------------------------------

CallFn = Callable[[Connection], Awaitable[int]]


@dataclass
class Result:
    name: str
    clients: int = 0
    connect_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    # per timed call: its HTTP answer, its first and its last delivery, from the request sent
    answer_ms: list[float] = field(default_factory=list)
    first_ms: list[float] = field(default_factory=list)
    last_ms: list[float] = field(default_factory=list)
    lost: int = 0  # (call, client) pairs never delivered
    event_bytes: int = 0
    calls: int = 0  # timed and warm-up
    busy_s: float = 0.0  # wall time of this target's blocks
    gen_cpu_s: float = 0.0  # the bench process's CPU during them
    server_cpu_s: float = 0.0
    machine_cpu_s: float = 0.0  # every process on the machine, from /proc/stat
    problems: list[str] = field(default_factory=list)

    def percentile(self, p: float, values: list[float] | None = None) -> float:
        chosen = self.latencies_ms if values is None else values
        return Phase(self.name, latencies_ms=chosen).percentile_ms(p)

    def per_call(self) -> dict[str, float]:
        series = {"answer": self.answer_ms, "first": self.first_ms, "last": self.last_ms}
        return {
            f"{name}_{label}_ms": round(self.percentile(p, values), 2)
            for name, values in series.items()
            for label, p in (("p50", 50), ("max", 100))
        }

    def share(self, cpu: float) -> float:
        return cpu / self.busy_s if self.busy_s > 0 else 0.0

    def summary(self) -> dict[str, Any]:
        others = self.machine_cpu_s - self.gen_cpu_s - self.server_cpu_s
        return {
            "clients": self.clients,
            "pairs": len(self.latencies_ms),
            "connect_s": round(self.connect_s, 2),
            **{f"p{p}_ms": round(self.percentile(p), 2) for p in (50, 90, 99)},
            "max_ms": round(self.percentile(100), 2),
            "lost": self.lost,
            "event_bytes": self.event_bytes,
            # CPU shares over this target's blocks, in cores (1.0 = one core busy)
            "gen_cpu": round(self.share(self.gen_cpu_s), 2),
            "server_cpu": round(self.share(self.server_cpu_s), 2),
            "others_cpu": round(self.share(max(0.0, others)), 2),
            "server_cpu_ms_per_call": round(1000 * self.server_cpu_s / max(1, self.calls), 2),
            "per_call": self.per_call(),
            "problems": self.problems,
        }


@dataclass
class Target:
    """One server under measurement, its clients and the calls sent to it so far."""

    name: str
    server: Server
    conn: Connection
    call: CallFn  # sends one call, returns the ticket id its event carries
    health_path: str
    clients: list[Client] = field(default_factory=list)
    sent: list[tuple[int, float]] = field(default_factory=list)  # (ticket id, send time)
    answered: list[float] = field(default_factory=list)  # when each call's HTTP answer came

    def __post_init__(self) -> None:
        self.result = Result(self.name)


def machine_cpu_s() -> float:
    """CPU seconds spent by the whole machine (all cores, everything but idle and iowait)."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


async def paced_calls(target: Target, count: int, interval: float) -> None:
    """Send `count` calls, call k at t0 + k·interval, noting when each was sent."""
    started = time.perf_counter()
    for k in range(count):
        delay = started + k * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        at = time.perf_counter()
        target.sent.append((await target.call(target.conn), at))
        target.answered.append(time.perf_counter())


async def wait_delivered(clients: list[Client], count: int) -> None:
    deadline = time.perf_counter() + DELIVERY_TIMEOUT_S
    while time.perf_counter() < deadline:
        if all(len(c.received) >= count or c.closed for c in clients):
            return
        await asyncio.sleep(0.02)


async def block(target: Target, count: int, interval: float) -> None:
    """A block of paced calls to one target, waiting until each client has them all."""
    await warm(target)
    result, pid = target.result, target.server.process.pid
    wall, gen, srv, machine = time.perf_counter(), time.process_time(), cpu_s(pid), machine_cpu_s()
    await paced_calls(target, count, interval)
    await wait_delivered(target.clients, len(target.sent))
    result.busy_s += time.perf_counter() - wall
    result.gen_cpu_s += time.process_time() - gen
    result.server_cpu_s += cpu_s(pid) - srv
    result.machine_cpu_s += machine_cpu_s() - machine


def tally(target: Target) -> Result:
    """Latency of every (call, client) pair after the warm-up; count the lost ones."""
    result, clients, sent = target.result, target.clients, target.sent
    if len({ticket_id for ticket_id, _ in sent}) != len(sent):
        result.problems.append("a call answered with a ticket id already called")
    for client in clients:
        for index, (ticket_id, at) in enumerate(sent):
            received = client.received.get(ticket_id)
            if received is None:
                result.lost += 1
            elif index >= WARMUP_CALLS:
                result.latencies_ms.append((received - at) * 1000)
        if extra := client.received.keys() - {ticket_id for ticket_id, _ in sent}:
            result.problems.append(f"a client got calls nobody made: {sorted(extra)[:5]}")
    if doubled := sum(c.duplicates for c in clients):
        result.problems.append(f"{doubled} ticket.called events delivered twice")
    if closed := [c.closed for c in clients if c.closed]:
        result.problems.append(f"{len(closed)} clients cut off, e.g. {closed[0]}")
    if result.lost:
        result.problems.append(
            f"LOST: {result.lost} of {len(clients) * len(sent)} (call, client) deliveries"
        )
    result.event_bytes = max((c.event_bytes for c in clients), default=0)
    result.calls = len(sent)
    tally_calls(target)
    return result


def tally_calls(target: Target) -> None:
    """Per timed call: when its HTTP answer, its first and its last delivery came."""
    result = target.result
    timed = zip(target.sent, target.answered, strict=True)
    for index, ((ticket_id, at), answered) in enumerate(timed):
        receipts = [c.received[ticket_id] for c in target.clients if ticket_id in c.received]
        if index < WARMUP_CALLS or not receipts:
            continue
        result.answer_ms.append((answered - at) * 1000)
        result.first_ms.append((min(receipts) - at) * 1000)
        result.last_ms.append((max(receipts) - at) * 1000)


async def warm(target: Target) -> None:
    """A fresh, open clerk connection: uvicorn closes keep-alive ones idle for 5 s."""
    await target.conn.close()
    if (response := await target.conn.get(target.health_path)).status != 200:
        raise BenchError(f"{target.name}: GET {target.health_path} answered {response.status}")


async def connect_target(target: Target, url: str, count: int) -> None:
    """Open the clients, each holding its snapshot."""
    started = time.perf_counter()
    target.clients = await open_clients(url, count, target.result.problems)
    target.result.connect_s = time.perf_counter() - started
    target.result.clients = len(target.clients)


async def interleave(targets: list[Target], calls: int, interval: float, per_block: int) -> None:
    """Warm-up, then blocks of calls alternating between the targets (A B, B A, …).

    Both servers stay up throughout, so a change in the machine's background load hits both
    alike; only one target is ever being called.
    """
    for target in targets:
        await block(target, WARMUP_CALLS, interval)
    done, turn = 0, 0
    while done < calls:
        count = min(per_block, calls - done)
        for target in targets if turn % 2 == 0 else targets[::-1]:
            await block(target, count, interval)
        done, turn = done + count, turn + 1


# --- motcua and the floor -----------------------------------------------------------------


async def issue_tickets(port: int, kiosk: str, count: int) -> None:
    async with Connection(HOST, port) as conn:
        for _ in range(count):
            response = await conn.post_json("/api/tickets", {"service": SERVICE}, token=kiosk)
            if response.status != 201:
                raise BenchError(f"POST /api/tickets: {response.status} {response.body[:200]!r}")


def motcua_call(clerk: str) -> CallFn:
    async def call(conn: Connection) -> int:
        response = await conn.request("POST", f"/api/counters/{COUNTER}/call-next", token=clerk)
        if response.status != 200:
            raise BenchError(f"call-next: {response.status} {response.body[:200]!r}")
        ticket_id: int = response.json()["id"]
        return ticket_id

    return call


def floor_call(messages: int) -> CallFn:
    async def call(conn: Connection) -> int:
        response = await conn.request("POST", f"/broadcast?messages={messages}")
        if response.status != 200:
            raise BenchError(f"POST /broadcast: {response.status} {response.body[:200]!r}")
        ticket_id: int = response.json()["id"]
        return ticket_id

    return call


def ws_url(server: Server, path: str) -> str:
    return f"ws://{HOST}:{server.port}{path}"


async def motcua_setup(server: Server, tickets: int) -> tuple[str, str]:
    """A display token and a clerk token; `tickets` waiting for counter 1."""
    display, kiosk, clerk = await asyncio.gather(  # the CLI waits on SQLite's busy timeout
        device_token(server, "bench-display", "display"),
        device_token(server, "bench-kiosk", "kiosk"),
        clerk_token(server, "clerk1"),
    )
    await issue_tickets(server.port, kiosk, tickets)
    return display, clerk


async def stop_all(servers: list[Server], problems: list[str], failed: bool) -> None:
    for server in servers:
        stopped = await stop_server(server)
        problems += stopped
        if failed or stopped:
            problems.append(f"server log tail ({server.command[-1]}):\n{server.log_tail()}")


async def fanout(args: argparse.Namespace, motcua: Server, floor: Server, report: Report) -> None:
    display, clerk = await motcua_setup(motcua, WARMUP_CALLS + args.calls)
    async with Connection(HOST, motcua.port) as m_conn, Connection(HOST, floor.port) as f_conn:
        targets = [
            Target("motcua", motcua, m_conn, motcua_call(clerk), "/api/health"),
            Target("floor", floor, f_conn, floor_call(args.floor_messages), "/health"),
        ]
        try:
            url = ws_url(motcua, f"/ws/events?token={display}")
            await connect_target(targets[0], url, args.clients)
            await connect_target(targets[1], ws_url(floor, "/ws"), args.clients)
            await interleave(targets, args.calls, args.interval, args.block)
        finally:  # what was measured, even when a server died: before the clients close
            report.results += [tally(target) for target in targets if target.sent]
            await asyncio.gather(*(close_clients(t.clients) for t in targets))


async def bench_fanout(args: argparse.Namespace, workdir: Path, report: Report) -> None:
    started = await asyncio.gather(
        start_motcua(shlex.split(args.motcua), workdir, report.file_limit),
        start_floor(workdir, report.file_limit),
        return_exceptions=True,
    )
    servers = [server for server in started if isinstance(server, Server)]
    failed = False
    try:
        for outcome in started:
            if isinstance(outcome, BaseException):
                raise outcome
        await fanout(args, servers[0], servers[1], report)
    except (BenchError, HttpError, OSError, ValueError, KeyError) as exc:
        report.problems.append(str(exc) if isinstance(exc, BenchError) else repr(exc))
        failed = True
    finally:
        await stop_all(servers, report.problems, failed)


# --- idle capacity ------------------------------------------------------------------------


@dataclass
class Idle:
    wanted: int
    opened: int = 0
    held: int = 0
    hold_s: float = 0.0
    connect_s: float = 0.0
    rss_before_kib: int = 0
    rss_after_kib: int = 0
    bench_rss_kib: int = 0
    delivered: int = 0  # held connections that got the one call sent after holding

    def summary(self) -> dict[str, Any]:
        return {
            "wanted": self.wanted,
            "opened": self.opened,
            "held": self.held,
            "hold_s": self.hold_s,
            "connect_s": round(self.connect_s, 2),
            "server_rss_before_mib": round(self.rss_before_kib / 1024, 1),
            "server_rss_after_mib": round(self.rss_after_kib / 1024, 1),
            "bench_rss_mib": round(self.bench_rss_kib / 1024, 1),
            "delivered": self.delivered,
        }


async def hold_idle(args: argparse.Namespace, server: Server, idle: Idle, report: Report) -> None:
    display, clerk = await motcua_setup(server, 1)
    idle.rss_before_kib = rss_kib(server.process.pid)
    started = time.perf_counter()
    url = ws_url(server, f"/ws/events?token={display}")
    clients = await open_clients(url, args.idle, report.problems)
    idle.connect_s = time.perf_counter() - started
    idle.opened = len(clients)
    try:
        await asyncio.sleep(args.hold)
        idle.held = live(clients)
        idle.rss_after_kib = rss_kib(server.process.pid)
        idle.bench_rss_kib = rss_kib(os.getpid())
        held = [c for c in clients if c.closed is None]
        async with Connection(HOST, server.port) as conn:  # are the held ones live?
            ticket_id = await motcua_call(clerk)(conn)
        await wait_delivered(held, 1)
        idle.delivered = sum(1 for c in held if ticket_id in c.received)
    finally:
        await close_clients(clients)
    if idle.held < idle.wanted:
        report.problems.append(f"HELD only {idle.held} of {idle.wanted} idle connections")
    if idle.delivered < idle.held:
        report.problems.append(
            f"LOST: the call reached {idle.delivered} of {idle.held} held connections"
        )


async def bench_idle(args: argparse.Namespace, workdir: Path, report: Report) -> None:
    server = await start_motcua(shlex.split(args.motcua), workdir, report.file_limit)
    report.idle = Idle(args.idle, hold_s=args.hold)
    failed = False
    try:
        await hold_idle(args, server, report.idle, report)
    except (BenchError, HttpError, OSError, ValueError, KeyError) as exc:
        report.problems.append(str(exc) if isinstance(exc, BenchError) else repr(exc))
        failed = True
    finally:
        await stop_all([server], report.problems, failed)


# --- 300 boards reconnect at once ----------------------------------------------------------


def device_address(index: int) -> str:
    """A loopback source address of its own for device `index` (127.0.1.1, 127.0.1.2, …):
    the server counts connections per client address, and every real board has its own."""
    return f"127.0.{1 + index // 250}.{1 + index % 250}"


async def open_board(url: str, index: int, timeout: float) -> tuple[Client | None, float, str]:
    """One board's connection and snapshot: the client, the seconds it took, or why not."""
    started = time.perf_counter()
    try:
        ws = await connect(
            url,
            compression=None,
            ping_interval=None,
            open_timeout=timeout,
            local_addr=(device_address(index), 0),
            max_size=None,
        )
        first = await asyncio.wait_for(ws.recv(), timeout)
    except (OSError, TimeoutError, ConnectionClosed, InvalidStatus) as exc:
        return None, time.perf_counter() - started, repr(exc)
    took = time.perf_counter() - started
    if not isinstance(first, str) or '"snapshot"' not in first:
        await ws.close()
        return None, took, f"first message is not a snapshot: {str(first)[:120]!r}"
    client = Client(ws, event_bytes=len(first))
    client.task = asyncio.create_task(listen(client))
    return client, took, ""


@dataclass
class Storm:
    boards: int
    database: str
    single_ms: list[float] = field(default_factory=list)  # one board alone, before
    snapshot_bytes: int = 0
    all_s: float = 0.0  # from the first connect to the last snapshot, in the slowest storm
    board_ms: list[float] = field(default_factory=list)
    got: int = 0  # boards with their snapshot, in the worst storm
    rounds: int = 0
    quiet: Phase = field(default_factory=lambda: Phase("kiosk-quiet"))
    during: Phase = field(default_factory=lambda: Phase("kiosk-storm"))
    server_cpu_s: float = 0.0

    def summary(self) -> dict[str, Any]:
        def pct(values: list[float], p: float) -> float:
            return round(Phase("", latencies_ms=values).percentile_ms(p), 2)

        return {
            "boards": self.boards,
            "storms": self.rounds,
            "database": self.database,
            "single_snapshot_p50_ms": pct(self.single_ms, 50),
            "snapshot_bytes": self.snapshot_bytes,
            "got": self.got,
            "all_s": round(self.all_s, 3),
            "board_p50_ms": pct(self.board_ms, 50),
            "board_max_ms": pct(self.board_ms, 100),
            "server_cpu_s": round(self.server_cpu_s, 2),
            "kiosk_quiet": self.quiet.summary(),
            "kiosk_storm": self.during.summary(),
        }


async def kiosk_loop(
    server: Server,
    token: str,
    index: int,
    phase: Phase,
    stop: threading.Event,
    pace_s: float,
    started_at: list[tuple[float, bool]],
) -> None:
    """A kiosk issuing a ticket about every `pace_s` (drawn anew each time, so that the
    kiosks do not touch in step) until `stop`, noting each latency and when it began."""
    draw = random.Random(index)
    async with Connection(HOST, server.port, device_address(900 + index)) as conn:
        await asyncio.sleep(draw.uniform(0, pace_s))
        while not stop.is_set():
            started = time.perf_counter()
            response = await again_if_dropped(
                conn, "POST", "/api/tickets", {"service": SERVICE}, token
            )
            took = time.perf_counter() - started
            phase.latencies_ms.append(took * 1000)
            started_at.append((started, response.status == 201))
            if response.status == 201:
                phase.ok += 1
            else:
                phase.record_unexpected(response)
            await asyncio.sleep(max(0.0, draw.uniform(0.5, 1.5) * pace_s - took))


async def kiosks(
    server: Server,
    token: str,
    count: int,
    phase: Phase,
    pace_s: float,
    started_at: list[tuple[float, bool]] | None = None,
) -> Callable[[], Awaitable[None]]:
    """Start `count` kiosks; the coroutine function that stops them. `started_at` gets
    when each of `phase`'s requests began (`time.perf_counter()`) and whether it got its
    ticket.

    They run on a thread and an event loop of their own: the boards' handshakes keep this
    process's loop busy, and a kiosk timed on that same loop would count the bench's own
    work as the server's latency."""
    stop = threading.Event()
    failed: list[BaseException] = []
    starts = started_at if started_at is not None else []

    async def all_kiosks() -> None:
        await asyncio.gather(
            *(kiosk_loop(server, token, i, phase, stop, pace_s, starts) for i in range(count))
        )

    def run() -> None:
        try:
            asyncio.run(all_kiosks())
        except BaseException as exc:  # raised again by `finish`, on the bench's side
            failed.append(exc)

    thread = threading.Thread(target=run, name="bench-kiosks", daemon=True)
    thread.start()

    async def finish() -> None:
        stop.set()
        await asyncio.to_thread(thread.join)
        if failed:
            raise failed[0]

    return finish


async def storm(args: argparse.Namespace, server: Server, result: Storm) -> None:
    display, kiosk = await asyncio.gather(
        device_token(server, "bench-display", "display"),
        device_token(server, "bench-kiosk", "kiosk"),
    )
    url = ws_url(server, f"/ws/events?token={display}")
    for index in range(5):  # one board alone: what a snapshot costs on this database
        client, took, why = await open_board(url, index, args.snapshot_timeout)
        if client is None:
            raise BenchError(f"a lone board got no snapshot: {why}")
        result.single_ms.append(took * 1000)
        result.snapshot_bytes = client.event_bytes
        await close_clients([client])
    finish = await kiosks(server, kiosk, args.kiosks, result.quiet, args.kiosk_pace)
    await asyncio.sleep(2.0)  # the kiosks' latency with nothing else going on
    await finish()
    # The kiosks issue all along; a ticket counts as "during" when it was asked for while
    # boards were reconnecting. Several storms, for enough such tickets.
    issued = Phase("kiosk-all")
    started_at: list[tuple[float, bool]] = []
    finish = await kiosks(server, kiosk, args.kiosks, issued, args.kiosk_pace, started_at)
    windows: list[tuple[float, float]] = []
    failures: list[str] = []
    try:
        for _ in range(args.storms):
            cpu, started = cpu_s(server.process.pid), time.perf_counter()
            outcomes = await asyncio.gather(
                *(open_board(url, i, args.snapshot_timeout) for i in range(args.reconnect))
            )
            ended = time.perf_counter()
            windows.append((started, ended))
            result.all_s = max(result.all_s, ended - started)
            result.server_cpu_s = max(result.server_cpu_s, cpu_s(server.process.pid) - cpu)
            clients = [client for client, _, _ in outcomes if client is not None]
            result.got = min(result.got, len(clients)) if result.rounds else len(clients)
            result.rounds += 1
            result.board_ms += [took * 1000 for client, took, _ in outcomes if client]
            failures += [why for client, _, why in outcomes if client is None]
            await close_clients(clients)
            await asyncio.sleep(STORM_PAUSE_S)
    finally:
        await finish()
    during = result.during
    during.unexpected, during.samples = issued.unexpected, issued.samples
    for (began, good), took in zip(started_at, issued.latencies_ms, strict=True):
        if any(start <= began <= end for start, end in windows):
            during.latencies_ms.append(took)
            during.ok += good
    if failures:
        raise BenchError(
            f"{len(failures)} of {args.reconnect} x {args.storms} boards got no snapshot,"
            f" e.g. {failures[0]}"
        )


async def bench_storm(args: argparse.Namespace, workdir: Path, report: Report) -> None:
    before = Prefill(history_days=args.history, history_per_day=args.history_per_day)
    server = await start_motcua(shlex.split(args.motcua), workdir, report.file_limit, 4, before)
    report.storm = Storm(args.reconnect, before.describe())
    failed = False
    try:
        await storm(args, server, report.storm)
    except (BenchError, HttpError, OSError, ValueError, KeyError) as exc:
        report.problems.append(str(exc) if isinstance(exc, BenchError) else repr(exc))
        failed = True
    finally:
        await stop_all([server], report.problems, failed)
    report.problems += [
        f"kiosk: unexpected {status} x{n}"
        for phase in (report.storm.quiet, report.storm.during)
        for status, n in phase.unexpected.items()
    ]


def render_storm(storm: Storm) -> list[str]:
    s = storm.summary()
    quiet, during = s["kiosk_quiet"], s["kiosk_storm"]
    return [
        f"reconnect: {s['boards']} boards at once, each from its own address, {s['storms']} "
        f"times; database: {s['database']}",
        f"one board alone: snapshot in {s['single_snapshot_p50_ms']:.1f} ms (median of 5, "
        f"connection included), {s['snapshot_bytes']} bytes",
        f"all {s['got']} of {s['boards']} had their snapshot after {s['all_s']:.2f} s at most "
        f"(per board p50 {s['board_p50_ms']:.0f} ms, max {s['board_max_ms']:.0f} ms); "
        f"server CPU {s['server_cpu_s']:.2f} s at most",
        f"kiosk issue, quiet: {quiet['count']} tickets, p50 {quiet['p50_ms']:.1f} ms, "
        f"p99 {quiet['p99_ms']:.1f} ms; during the reconnects: {during['count']} tickets, "
        f"p50 {during['p50_ms']:.1f} ms, p99 {during['p99_ms']:.1f} ms, "
        f"max {during['max_ms']:.1f} ms",
    ]


# --- 2,000 waiting, 20 desks open ------------------------------------------------------------


async def again_if_dropped(
    conn: Connection, method: str, path: str, payload: object = None, token: str | None = None
) -> Response:
    """One request; once more on a new connection if the kept one was dropped.

    The server closes a keep-alive connection left idle too long (uvicorn's 5 s, or its
    head timeout while another request of the same device is slow); the devices' httpx
    client then opens a new one, and so does this. A dropped connection answered nothing,
    so nothing was done twice."""
    for attempt in (1, 2):
        try:
            if payload is not None:
                return await conn.post_json(path, payload, token=token)
            return await conn.request(method, path, token=token)
        except (HttpError, OSError):
            await conn.close()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


class Reload:
    """A read that events ask for often, as the counter client does it (`desk._Reload`):
    `interval_s` (give or take `desk.READ_SPREAD`) after the first ask (later asks do not
    restart the wait), one request at a time, once more if asked meanwhile."""

    def __init__(self, fetch: Callable[[], Awaitable[None]], interval_s: float) -> None:
        self._fetch = fetch
        self._interval_s = interval_s
        self._in_flight = False
        self._again = False
        self._timer: asyncio.TimerHandle | None = None
        self.tasks: set[asyncio.Task[None]] = set()
        self.failures: list[str] = []

    def request(self) -> None:
        if self._in_flight:
            self._again = True
        elif self._timer is None:
            delay_s = read_delay_ms(round(self._interval_s * 1000)) / 1000
            self._timer = asyncio.get_running_loop().call_later(delay_s, self._start)

    def _start(self) -> None:
        self._timer = None
        self._in_flight, self._again = True, False
        task = asyncio.create_task(self._run())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run(self) -> None:
        try:
            await self._fetch()
        except (HttpError, OSError) as exc:
            self.failures.append(repr(exc))
        finally:
            self._in_flight = False
            if self._again:
                self.request()


@dataclass
class DeskFigures:
    desks: int
    waiting: int
    seconds: float
    pace: float
    health: Phase = field(default_factory=lambda: Phase("health"))
    lists: Phase = field(default_factory=lambda: Phase("waiting-list"))
    stats: Phase = field(default_factory=lambda: Phase("stats"))
    issue: Phase = field(default_factory=lambda: Phase("issue"))
    calls: Phase = field(default_factory=lambda: Phase("call-next"))
    list_bytes: int = 0
    server_cpu_s: float = 0.0
    window_s: float = 0.0

    def phases(self) -> list[Phase]:
        return [self.health, self.lists, self.stats, self.issue, self.calls]

    def summary(self) -> dict[str, Any]:
        return {
            "desks": self.desks,
            "waiting": self.waiting,
            "seconds": self.seconds,
            "pace_per_s": self.pace,
            **{p.name.replace("-", "_"): p.summary() for p in self.phases()},
            "list_bytes": self.list_bytes,
            "server_cpu_cores": round(self.server_cpu_s / self.window_s, 2)
            if self.window_s
            else None,
        }


class DeskClient:
    """One counter client: follows the stream, re-reads its waiting list and its figures
    on the events that the real desk re-reads them on (`Desk._on_event`)."""

    def __init__(self, server: Server, number: int, token: str, figures: DeskFigures) -> None:
        self.number, self.token, self.figures = number, token, figures
        turn = (number - 1) % len(DESK_SERVICES)
        self.services = set(DESK_SERVICES[turn:] + DESK_SERVICES[:turn])
        address = device_address(number)
        self.list_conn = Connection(HOST, server.port, address)
        self.stats_conn = Connection(HOST, server.port, address)
        # The desk's own intervals: its list at most every WAITING_READ_MS, its figures
        # 50 ms after an event (counter_client/desk.py).
        self.waiting = Reload(self._fetch_list, WAITING_READ_MS / 1000)
        self.stats = Reload(self._fetch_stats, 0.05)
        self.lists_done = 0
        self.measuring = False
        self.closed: str | None = None
        self.closing = False
        self.ws: ClientConnection | None = None

    async def _get(self, conn: Connection, path: str, phase: Phase) -> bytes:
        started = time.perf_counter()
        response = await again_if_dropped(conn, "GET", path, token=self.token)
        if self.measuring:
            phase.latencies_ms.append((time.perf_counter() - started) * 1000)
            if response.status == 200:
                phase.ok += 1
            else:
                phase.record_unexpected(response)
        return response.body

    async def _fetch_list(self) -> None:
        body = await self._get(
            self.list_conn,
            f"/api/tickets?counter={self.number}&limit={WAITING_ROWS}",
            self.figures.lists,
        )
        # Every desk here serves all four services, so each ticket event concerns it:
        # the ids in its list (what decides for other services' tickets) need no parsing.
        self.figures.list_bytes = max(self.figures.list_bytes, len(body))
        self.lists_done += 1

    async def _fetch_stats(self) -> None:
        await self._get(self.stats_conn, f"/api/counters/{self.number}/stats", self.figures.stats)

    async def follow(self, url: str) -> None:
        try:
            async with connect(
                url,
                compression=None,
                ping_interval=None,
                open_timeout=SNAPSHOT_TIMEOUT_S,
                local_addr=(device_address(self.number), 0),
                max_size=None,
            ) as ws:
                self.ws = ws
                async for message in ws:
                    self.on_message(json.loads(message))
        except (ConnectionClosed, OSError, InvalidStatus) as exc:
            if not self.closing:
                self.closed = repr(exc)
            return
        if not self.closing:
            self.closed = "the server closed the stream"

    def on_message(self, data: dict[str, Any]) -> None:
        kind = data.get("type")
        if kind == "snapshot":
            self.waiting.request()
            self.stats.request()
            return
        ticket = data.get("ticket")
        if ticket is None:
            return
        if ticket["service"] in self.services or ticket.get("target_counter") == self.number:
            self.waiting.request()
        if kind in COUNTED and data.get("counter") == self.number:
            self.stats.request()

    def failures(self) -> list[str]:
        return self.waiting.failures + self.stats.failures

    async def close(self) -> None:
        self.closing = True
        if self.ws is not None:
            await self.ws.close()
        await asyncio.gather(*self.waiting.tasks, *self.stats.tasks, return_exceptions=True)
        await self.list_conn.close()
        await self.stats_conn.close()


DESK_SERVICES = ("HT", "DD", "XD", "LD")  # the generated site's, in counter 1's order
COUNTED = ("ticket.completed", "ticket.no_show", "ticket.rated")


async def drive(
    server: Server,
    kiosk: str,
    clerks: list[str],
    figures: DeskFigures,
    stop: asyncio.Event,
) -> None:
    """At `pace` a second: one ticket issued, and one counter (in turn) calling next."""
    async with (
        Connection(HOST, server.port, device_address(990)) as kiosk_conn,
        Connection(HOST, server.port, device_address(991)) as clerk_conn,
    ):
        tick, started = 0, time.perf_counter()
        while not stop.is_set():
            at = time.perf_counter()
            response = await again_if_dropped(
                kiosk_conn, "POST", "/api/tickets", {"service": "HT"}, kiosk
            )
            figures.issue.latencies_ms.append((time.perf_counter() - at) * 1000)
            if response.status == 201:
                figures.issue.ok += 1
            else:
                figures.issue.record_unexpected(response)
            number = tick % len(clerks) + 1
            at = time.perf_counter()
            response = await again_if_dropped(
                clerk_conn, "POST", f"/api/counters/{number}/call-next", token=clerks[number - 1]
            )
            figures.calls.latencies_ms.append((time.perf_counter() - at) * 1000)
            if response.status == 200:
                figures.calls.ok += 1
            else:
                figures.calls.record_unexpected(response)
            tick += 1
            delay = started + tick / figures.pace - time.perf_counter()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), max(0.0, delay))


async def probe_health(server: Server, phase: Phase, stop: asyncio.Event) -> None:
    """`GET /api/health` every 100 ms whether or not the previous one was answered (a slow
    answer must not hide the ones that would have queued behind it), each on a new
    connection from one of 100 addresses, as watchdogs across the hall would ask."""

    async def probe(index: int) -> None:
        async with Connection(HOST, server.port, device_address(1000 + index % 100)) as conn:
            at = time.perf_counter()
            try:
                response = await conn.get("/api/health")
            except (HttpError, OSError) as exc:
                phase.failures.append(f"health probe failed: {exc!r}")
                return
            phase.latencies_ms.append((time.perf_counter() - at) * 1000)
        if response.status == 200:
            phase.ok += 1
        else:
            phase.record_unexpected(response)

    probes: list[asyncio.Task[None]] = []
    started = time.perf_counter()
    while not stop.is_set():
        probes.append(asyncio.create_task(probe(len(probes))))
        delay = started + len(probes) * 0.1 - time.perf_counter()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), max(0.0, delay))
    await asyncio.gather(*probes)


async def clerk_tokens(server: Server, count: int) -> list[str]:
    """`count` clerks, `desk1` … (added four at a time: each is a process hashing a
    password)."""
    names = [f"desk{n}" for n in range(1, count + 1)]
    for start in range(0, count, 4):
        await asyncio.gather(
            *(
                run_cli(server, "user", "add", name, "--role", "clerk", stdin=CLERK_PASSWORD + "\n")
                for name in names[start : start + 4]
            )
        )
    tokens = []
    async with Connection(HOST, server.port) as conn:
        for name in names:
            response = await conn.post_form(
                "/api/auth/token", {"username": name, "password": CLERK_PASSWORD}
            )
            if response.status != 200:
                raise BenchError(f"login of {name}: {response.status} {response.body[:200]!r}")
            tokens.append(response.json()["access_token"])
    return tokens


async def desks(args: argparse.Namespace, server: Server, figures: DeskFigures) -> None:
    kiosk = await device_token(server, "bench-kiosk", "kiosk")
    clerks = await clerk_tokens(server, args.desks)
    clients = [DeskClient(server, n, clerks[n - 1], figures) for n in range(1, args.desks + 1)]
    follows = [
        asyncio.create_task(c.follow(ws_url(server, f"/ws/events?token={c.token}")))
        for c in clients
    ]
    try:
        deadline = time.perf_counter() + args.snapshot_timeout
        while any(c.lists_done == 0 and c.closed is None for c in clients):
            if time.perf_counter() > deadline:
                raise BenchError("the desks had no waiting list within --snapshot-timeout")
            await asyncio.sleep(0.05)
        for client in clients:
            client.measuring = True
        stop = asyncio.Event()
        workers = [
            asyncio.create_task(drive(server, kiosk, clerks, figures, stop)),
            asyncio.create_task(probe_health(server, figures.health, stop)),
        ]
        cpu, started = cpu_s(server.process.pid), time.perf_counter()
        await asyncio.sleep(args.desk_seconds)
        stop.set()
        await asyncio.gather(*workers)
        figures.window_s = time.perf_counter() - started
        figures.server_cpu_s = cpu_s(server.process.pid) - cpu
        for client in clients:
            client.measuring = False
        if cut := [c.closed for c in clients if c.closed]:
            figures.lists.failures.append(f"{len(cut)} desks lost their stream, e.g. {cut[0]}")
        if failed := [f for c in clients for f in c.failures()]:
            figures.lists.failures.append(f"{len(failed)} desk reads failed, e.g. {failed[0]}")
    finally:
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
        for task in follows:
            task.cancel()
        await asyncio.gather(*follows, return_exceptions=True)


async def bench_desks(args: argparse.Namespace, workdir: Path, report: Report) -> None:
    before = Prefill(
        waiting=args.waiting, history_days=args.history, history_per_day=args.history_per_day
    )
    server = await start_motcua(
        shlex.split(args.motcua), workdir, report.file_limit, args.desks, before
    )
    report.desks = DeskFigures(args.desks, args.waiting, args.desk_seconds, args.pace)
    failed = False
    try:
        await desks(args, server, report.desks)
    except (BenchError, HttpError, OSError, ValueError, KeyError) as exc:
        report.problems.append(str(exc) if isinstance(exc, BenchError) else repr(exc))
        failed = True
    finally:
        await stop_all([server], report.problems, failed)
    for phase in report.desks.phases():
        report.problems += [
            f"{phase.name}: unexpected {s} x{n}" for s, n in phase.unexpected.items()
        ]
        report.problems += [f"{phase.name}: {failure}" for failure in phase.failures]


def render_desks(figures: DeskFigures) -> list[str]:
    s = figures.summary()
    lines = [
        f"desks: {s['desks']} counter clients following the stream over {s['waiting']} waiting "
        f"(through the store), {s['pace_per_s']:g} tickets issued and {s['pace_per_s']:g} "
        f"calls a second for {s['seconds']:g} s; server CPU {s['server_cpu_cores']} cores",
        f"{'request':<13} {'count':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}",
    ]
    for phase in figures.phases():
        p = phase.summary()
        lines.append(
            f"{phase.name:<13} {len(phase.latencies_ms):>6} {p['p50_ms']:>8.1f} "
            f"{p['p99_ms']:>8.1f} {p['max_ms']:>8.1f}"
        )
    lines.append(f"largest waiting list: {s['list_bytes']} bytes")
    return lines


# --- the run ------------------------------------------------------------------------------


@dataclass
class Report:
    clients: int
    calls: int
    interval: float
    block: int
    loop: str
    file_limit: int
    results: list[Result] = field(default_factory=list)
    idle: Idle | None = None
    storm: Storm | None = None
    desks: DeskFigures | None = None
    problems: list[str] = field(default_factory=list)

    def result(self, name: str) -> Result | None:
        return next((r for r in self.results if r.name == name), None)

    @property
    def ratio(self) -> float | None:
        motcua, floor = self.result("motcua"), self.result("floor")
        if motcua is None or floor is None or not floor.latencies_ms:
            return None
        return motcua.percentile(99) / floor.percentile(99)

    @property
    def failed(self) -> bool:
        return bool(self.problems) or any(r.problems for r in self.results)


async def run(args: argparse.Namespace, report: Report) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="motcua-fanout-"))
    try:
        if args.idle:
            await bench_idle(args, workdir, report)
            return
        if args.reconnect:
            await bench_storm(args, workdir, report)
            return
        if args.desks:
            await bench_desks(args, workdir, report)
            return
        await bench_fanout(args, workdir, report)
    except BenchError as exc:
        report.problems.append(str(exc))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def render_results(report: Report) -> list[str]:
    lines = [
        f"fanout: {report.clients} clients, {report.calls} calls every {report.interval:g} s "
        f"(+{WARMUP_CALLS} warm-up) in alternating blocks of {report.block}, "
        f"loop {report.loop}, {os.cpu_count()} cpus",
        f"{'target':<7} {'clients':>7} {'conn s':>6} {'pairs':>6} {'p50 ms':>7} {'p90 ms':>7} "
        f"{'p99 ms':>7} {'max ms':>7} {'lost':>5} {'bytes':>5} {'gen':>5} {'srv':>5} "
        f"{'other':>5} {'srv ms/call':>11}",
    ]
    for r in report.results:
        s = r.summary()
        lines.append(
            f"{r.name:<7} {s['clients']:>7} {s['connect_s']:>6.2f} {s['pairs']:>6} "
            f"{s['p50_ms']:>7.2f} {s['p90_ms']:>7.2f} {s['p99_ms']:>7.2f} {s['max_ms']:>7.2f} "
            f"{s['lost']:>5} {s['event_bytes']:>5} {s['gen_cpu']:>5.2f} {s['server_cpu']:>5.2f} "
            f"{s['others_cpu']:>5.2f} {s['server_cpu_ms_per_call']:>11.2f}"
        )
        lines += [f"!!! {r.name}: {problem}" for problem in r.problems]
    lines.append("per call (ms from the request): HTTP answer, first client, last client")
    for r in report.results:
        c = r.per_call()
        lines.append(
            f"{r.name:<7} answer p50 {c['answer_p50_ms']:>6.1f} max {c['answer_max_ms']:>6.1f} · "
            f"first p50 {c['first_p50_ms']:>6.1f} max {c['first_max_ms']:>6.1f} · "
            f"last p50 {c['last_p50_ms']:>6.1f} max {c['last_max_ms']:>6.1f}"
        )
    if report.ratio is not None:
        lines.append(f"motcua p99 / floor p99: {report.ratio:.2f} (target ≤ 1.5)")
    lines.append(
        "gen/srv/other: CPU (in cores) of the bench, the server and everything else during the "
        "calls; srv ms/call: the server's CPU per call"
    )
    return lines


def render_idle(idle: Idle) -> list[str]:
    s = idle.summary()
    return [
        f"idle: {s['held']} of {s['wanted']} connections held after {s['hold_s']:g} s "
        f"(opened {s['opened']} in {s['connect_s']:.1f} s); "
        f"one call reached {s['delivered']}",
        f"server RSS: {s['server_rss_before_mib']:.1f} MiB before, "
        f"{s['server_rss_after_mib']:.1f} MiB with the connections open; "
        f"bench RSS {s['bench_rss_mib']:.1f} MiB",
    ]


def render(report: Report) -> str:
    lines = render_idle(report.idle) if report.idle else []
    lines += render_storm(report.storm) if report.storm else []
    lines += render_desks(report.desks) if report.desks else []
    lines += render_results(report) if report.results else []
    lines += [f"!!! {problem}" for problem in report.problems]
    lines.append("FAILED" if report.failed else "ok")
    return "\n".join(lines)


def as_json(report: Report) -> str:
    verdict = {"problems": report.problems, "ok": not report.failed}
    if report.idle is not None:
        return json.dumps({"idle": report.idle.summary(), **verdict}, ensure_ascii=False)
    if report.storm is not None:
        return json.dumps({"reconnect": report.storm.summary(), **verdict}, ensure_ascii=False)
    if report.desks is not None:
        return json.dumps({"desks": report.desks.summary(), **verdict}, ensure_ascii=False)
    return json.dumps(
        {
            "clients": report.clients,
            "calls": report.calls,
            "interval_s": report.interval,
            "block": report.block,
            "loop": report.loop,
            **{r.name: r.summary() for r in report.results},
            "ratio_p99": None if report.ratio is None else round(report.ratio, 3),
            **verdict,
        },
        ensure_ascii=False,
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clients", type=int, default=500, help="WebSocket clients (500)")
    parser.add_argument("--calls", type=int, default=50, help="measured calls (50)")
    parser.add_argument("--interval", type=float, default=0.1, help="s between calls (0.1)")
    parser.add_argument("--block", type=int, default=10, help="calls per alternating block (10)")
    parser.add_argument(
        "--floor-messages",
        type=int,
        default=1,
        help="messages the floor broadcasts per call, the called one last (1; motcua sends 2: "
        "ticket.completed of the previous ticket, then ticket.called)",
    )
    parser.add_argument("--idle", type=int, default=0, help="only: hold N idle connections")
    parser.add_argument("--hold", type=float, default=5.0, help="--idle: seconds to hold (5)")
    parser.add_argument(
        "--reconnect",
        type=int,
        default=0,
        metavar="N",
        help="only: N boards reconnect at once (300); kiosks issue meanwhile",
    )
    parser.add_argument(
        "--storms", type=int, default=5, help="--reconnect: times the boards reconnect (5)"
    )
    parser.add_argument("--kiosks", type=int, default=4, help="--reconnect: kiosks issuing (4)")
    parser.add_argument(
        "--kiosk-pace", type=float, default=0.25, help="--reconnect: s between a kiosk's tickets"
    )
    parser.add_argument(
        "--snapshot-timeout",
        type=float,
        default=300.0,
        help="--reconnect, --desks: s a client waits for its snapshot (300)",
    )
    parser.add_argument(
        "--desks",
        type=int,
        default=0,
        metavar="N",
        help="only: N counter clients follow the stream and re-read their waiting lists (20)",
    )
    parser.add_argument("--waiting", type=int, default=2000, help="--desks: tickets waiting")
    parser.add_argument(
        "--pace", type=float, default=5.0, help="--desks: tickets issued and calls a second (5)"
    )
    parser.add_argument(
        "--desk-seconds", type=float, default=20.0, help="--desks: seconds measured (20)"
    )
    parser.add_argument(
        "--history",
        type=int,
        default=0,
        metavar="DAYS",
        help="--reconnect, --desks: first write DAYS past days with `motcua simulate`",
    )
    parser.add_argument(
        "--history-per-day", type=int, default=700, help="tickets a day with --history (700)"
    )
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    parser.add_argument(
        "--motcua",
        default=shlex.join(motcua_command()),
        help="the command that runs motcua (default: the one beside this Python)",
    )
    parser.add_argument("--serve-floor", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if (
        min(args.clients, args.calls, args.block, args.floor_messages) < 1
        or min(args.interval, args.idle) < 0
    ):
        parser.error("counts must be at least 1; --interval and --idle at least 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve_floor:
        serve_floor()
        return 0
    # Each connection is a file on both ends (the bench holds both targets' clients).
    file_limit = raise_file_limit(max(2 * args.clients, args.idle, args.reconnect) + 1024)
    loop_name, factory = loop_factory()
    report = Report(args.clients, args.calls, args.interval, args.block, loop_name, file_limit)
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(run(args, report))
    print(render(report))
    if args.json:
        print(as_json(report))
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
