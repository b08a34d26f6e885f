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
import re
import resource
import shlex
import shutil
import sys
import tempfile
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _http import Connection, HttpError
from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from issue import (
    HOST,
    STARTUP_TIMEOUT_S,
    BenchError,
    Phase,
    Server,
    _drain,
    clerk_token,
    loop_factory,
    motcua_command,
    run_cli,
    site_toml,
    stop_server,
)
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from queue_server.database import open_store

CALLED = '"ticket.called"'
SERVICE = "HT"  # counter 1 serves it first
COUNTER = 1
WARMUP_CALLS = 1  # sent and checked for delivery, left out of the percentiles
CONNECT_CONCURRENCY = 64
SNAPSHOT_TIMEOUT_S = 30.0
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


async def start_motcua(command: list[str], workdir: Path, file_limit: int) -> Server:
    site = workdir / "site.toml"
    site.write_text(site_toml(), encoding="utf-8")
    data_dir = workdir / "data"
    # `motcua serve --site` creates the database before reading --site (the bundled sample,
    # with issuing hours, wins): create it from our site first, as serve would.
    open_store(data_dir, site).close()
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
        lines.append(f"motcua p99 / floor p99: {report.ratio:.2f} (target ≤ 2)")
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
    lines += render_results(report) if report.results else []
    lines += [f"!!! {problem}" for problem in report.problems]
    lines.append("FAILED" if report.failed else "ok")
    return "\n".join(lines)


def as_json(report: Report) -> str:
    verdict = {"problems": report.problems, "ok": not report.failed}
    if report.idle is not None:
        return json.dumps({"idle": report.idle.summary(), **verdict}, ensure_ascii=False)
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
    file_limit = raise_file_limit(max(2 * args.clients, args.idle) + 1024)
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
