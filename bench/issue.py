"""Benchmark: durable ticket issuing and call-next over HTTP, beside a bare SQLite floor.

It starts a real `motcua serve` process on a fresh data directory with a generated site (four
services, four counters all serving every service, always open), then measures:

1. issue: N tickets (`POST /api/tickets`) from C concurrent kiosk clients;
2. call-next: four clerks calling `POST /api/counters/{n}/call-next` concurrently until the
   server answers 204, checking that every issued ticket was called exactly once;
3. floor: a bare sqlite-utils loop inserting N ticket-shaped rows, one durable transaction
   each (WAL, `synchronous=FULL`), in the same directory: what the disk allows at best.

The clients are lean keep-alive HTTP/1.1 connections over asyncio streams (`_http.py`):
httpx costs ≈ 2.2 ms of CPU per request on the 2-core reference machine and would measure
itself instead of the server. This is a benchmark printing figures, never a timed test; it
exits 1 on any unexpected answer, duplicate call, or server failure.

Run: `.venv/bin/python bench/issue.py [--tickets 5000] [--clients 16] [--json]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shlex
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _http import Connection, HttpError, Response
from sqlite_utils import Database

HOST = "127.0.0.1"
SERVICES = ("HT", "DD", "XD", "LD")
COUNTERS = (1, 2, 3, 4)
CLERK_PASSWORD = "ban-do-dien-mat-khau-2024"
STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
CLI_TIMEOUT_S = 60.0


class BenchError(Exception):
    """The run cannot go on: the server did not start, a command failed, a login failed."""


@dataclass
class Phase:
    """What one phase measured: request latencies, good answers, and everything unexpected."""

    name: str
    ok: int = 0
    elapsed_s: float = 0.0
    client_cpu_s: float | None = None  # this process's CPU during an HTTP phase
    latencies_ms: list[float] = field(default_factory=list)
    unexpected: Counter[int] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def record_unexpected(self, response: Response) -> None:
        self.unexpected[response.status] += 1
        if len(self.samples) < 3:
            self.samples.append(f"{response.status} {response.body[:200]!r}")

    @property
    def bad(self) -> int:
        return sum(self.unexpected.values()) + len(self.failures)

    @property
    def rate(self) -> float:
        return self.ok / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def percentile_ms(self, p: float) -> float:
        """Nearest-rank percentile of the latencies, in milliseconds (0 if none)."""
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    @property
    def client_cpu_ms_per_request(self) -> float | None:
        if self.client_cpu_s is None or not self.latencies_ms:
            return None
        return self.client_cpu_s * 1000 / len(self.latencies_ms)

    def summary(self) -> dict[str, Any]:
        cpu = self.client_cpu_ms_per_request
        return {
            "count": self.ok,
            "elapsed_s": round(self.elapsed_s, 3),
            "per_s": round(self.rate, 1),
            "p50_ms": round(self.percentile_ms(50), 2),
            "p90_ms": round(self.percentile_ms(90), 2),
            "p99_ms": round(self.percentile_ms(99), 2),
            "max_ms": round(self.percentile_ms(100), 2),
            "bad": self.bad,
            "client_cpu_ms_per_request": None if cpu is None else round(cpu, 3),
        }


# --- the server process -------------------------------------------------------------------


@dataclass
class Server:
    process: asyncio.subprocess.Process
    command: list[str]
    data_dir: Path
    port: int
    log: deque[str]
    drains: list[asyncio.Task[None]]

    def log_tail(self) -> str:
        return "\n".join(f"    | {line}" for line in self.log)


def motcua_command() -> list[str]:
    """The `motcua` console script beside this interpreter, else `python -m queue_server`."""
    script = Path(sys.executable).parent / "motcua"
    return [str(script)] if script.exists() else [sys.executable, "-m", "queue_server"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def site_toml() -> str:
    """Four services, four counters each serving all of them (rotated), no issuing hours."""
    parts = ['[site]\nname = "Trung tâm benchmark"\n']
    for index, code in enumerate(SERVICES, start=1):
        parts.append(
            f'[[services]]\ncode = "{code}"\nname = "Lĩnh vực {index}"\n'
            f'prefix = "{index}"\ndigits = 4\n'
        )
    for number in COUNTERS:
        rotated = SERVICES[number - 1 :] + SERVICES[: number - 1]
        codes = ", ".join(f'"{code}"' for code in rotated)
        parts.append(
            f'[[counters]]\nnumber = {number}\nname = "Quầy {number}"\nservices = [{codes}]\n'
        )
    return "\n".join(parts)


async def _drain(stream: asyncio.StreamReader, log: deque[str], prefix: str) -> None:
    # Keeps reading so a chatty server never blocks on a full pipe; keeps the tail for errors.
    while line := await stream.readline():
        log.append(prefix + line.decode(errors="replace").rstrip())


async def _wait_for_url(stream: asyncio.StreamReader, log: deque[str], url: str) -> None:
    while line := await stream.readline():
        text = line.decode(errors="replace").rstrip()
        log.append(text)
        if url in text:
            return
    raise BenchError("the server closed its standard output before printing its URL")


async def start_server(command: list[str], data_dir: Path, site: Path) -> Server:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        *command,
        *("serve", "--data-dir", str(data_dir), "--host", HOST, "--port", str(port)),
        *("--site", str(site)),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    log: deque[str] = deque(maxlen=40)
    server = Server(process, command, data_dir, port, log, [])
    server.drains.append(asyncio.create_task(_drain(process.stderr, log, "stderr: ")))
    try:
        await asyncio.wait_for(
            _wait_for_url(process.stdout, log, f"http://{HOST}:{port}"), STARTUP_TIMEOUT_S
        )
    except (TimeoutError, BenchError) as exc:
        await stop_server(server)
        reason = f"{exc or 'timed out'}; exit code {process.returncode}"
        raise BenchError(f"server did not start ({reason}):\n{server.log_tail()}") from exc
    server.drains.append(asyncio.create_task(_drain(process.stdout, log, "")))
    return server


async def stop_server(server: Server) -> list[str]:
    """SIGTERM, then SIGKILL after a grace period; returns what went wrong, if anything."""
    problems: list[str] = []
    process = server.process
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), STOP_TIMEOUT_S)
        except TimeoutError:
            process.kill()
            await process.wait()
            problems.append(f"server still running {STOP_TIMEOUT_S:.0f} s after SIGTERM")
    await asyncio.gather(*server.drains, return_exceptions=True)
    # uvicorn re-raises the SIGTERM it caught once it has shut down: that is a clean exit too.
    if process.returncode not in (0, -signal.SIGTERM) and not problems:
        problems.append(f"server exited with code {process.returncode}")
    return problems


async def run_cli(server: Server, *args: str, stdin: str = "") -> str:
    """Runs `motcua ARGS --data-dir DIR` and returns its standard output."""
    process = await asyncio.create_subprocess_exec(
        *server.command,
        *args,
        "--data-dir",
        str(server.data_dir),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin.encode()), CLI_TIMEOUT_S)
    if process.returncode != 0:
        raise BenchError(
            f"`motcua {' '.join(args)}` exited {process.returncode}: {err.decode().strip()}"
        )
    return out.decode()


async def kiosk_token(server: Server) -> str:
    out = await run_cli(server, "device", "add", "bench-kiosk", "--kind", "kiosk")
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    if not lines:
        raise BenchError("`motcua device add` printed no token")
    return lines[-1]


async def clerk_token(server: Server, username: str) -> str:
    await run_cli(server, "user", "add", username, "--role", "clerk", stdin=CLERK_PASSWORD + "\n")
    async with Connection(HOST, server.port) as conn:
        response = await conn.post_form(
            "/api/auth/token", {"username": username, "password": CLERK_PASSWORD}
        )
    if response.status != 200:
        raise BenchError(f"login of {username}: {response.status} {response.body[:200]!r}")
    token: str = response.json()["access_token"]
    return token


# --- the phases ---------------------------------------------------------------------------


async def open_connections(port: int, count: int) -> list[Connection]:
    """Opens and warms `count` connections (one `GET /api/health` each) before any timing."""
    connections = [Connection(HOST, port) for _ in range(count)]
    for conn in connections:
        response = await conn.get("/api/health")
        if response.status != 200:
            raise BenchError(f"GET /api/health answered {response.status}")
    return connections


async def timed(phase: Phase, workers: list[Coroutine[Any, Any, None]], limit_s: float) -> None:
    """Runs the workers to the end, or cancels them after `limit_s` and says so."""
    started, cpu_started = time.perf_counter(), time.process_time()
    tasks = [asyncio.ensure_future(worker) for worker in workers]
    _, pending = await asyncio.wait(tasks, timeout=limit_s)
    phase.elapsed_s = time.perf_counter() - started
    phase.client_cpu_s = time.process_time() - cpu_started
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    if pending:
        phase.failures.append(f"stopped after {limit_s:.0f} s (--phase-limit), {phase.ok} done")


async def _issue_worker(
    conn: Connection, token: str, jobs: Iterator[int], phase: Phase, bodies: list[bytes]
) -> None:
    try:
        for index in jobs:
            payload = {"service": SERVICES[index % len(SERVICES)]}
            started = time.perf_counter()
            response = await conn.post_json("/api/tickets", payload, token=token)
            phase.latencies_ms.append((time.perf_counter() - started) * 1000)
            if response.status == 201:
                phase.ok += 1
                bodies.append(response.body)  # parsed after the clock stops
            else:
                phase.record_unexpected(response)
    except (OSError, HttpError) as exc:
        phase.failures.append(f"issue connection failed: {exc!r}")


async def issue_phase(
    port: int, token: str, tickets: int, clients: int, limit_s: float
) -> tuple[Phase, list[dict[str, Any]]]:
    phase = Phase("issue")
    bodies: list[bytes] = []
    connections = await open_connections(port, clients)
    jobs = iter(range(tickets))  # shared: each worker takes the next index when it is free
    workers = [_issue_worker(c, token, jobs, phase, bodies) for c in connections]
    await timed(phase, workers, limit_s)
    await asyncio.gather(*(c.close() for c in connections))
    return phase, [json.loads(body) for body in bodies]


async def _clerk_worker(
    conn: Connection,
    token: str,
    counter: int,
    phase: Phase,
    called: list[tuple[int, bytes]],
    cap: int,
) -> None:
    path = f"/api/counters/{counter}/call-next"
    try:
        while len(called) < cap:
            started = time.perf_counter()
            response = await conn.request("POST", path, token=token)
            phase.latencies_ms.append((time.perf_counter() - started) * 1000)
            if response.status == 204:
                return
            if response.status != 200:
                phase.record_unexpected(response)
                return
            phase.ok += 1
            called.append((counter, response.body))
        phase.failures.append(f"counter {counter} stopped after {cap} calls in all")
    except (OSError, HttpError) as exc:
        phase.failures.append(f"counter {counter} connection failed: {exc!r}")


async def call_phase(
    port: int, tokens: list[str], issued: int, limit_s: float
) -> tuple[Phase, list[tuple[int, dict[str, Any]]]]:
    phase = Phase("call-next")
    called: list[tuple[int, bytes]] = []
    connections = await open_connections(port, len(COUNTERS))
    cap = issued + 10 * len(COUNTERS)  # more calls than tickets is a bug; stop looping
    workers = [
        _clerk_worker(conn, token, counter, phase, called, cap)
        for conn, token, counter in zip(connections, tokens, COUNTERS, strict=True)
    ]
    await timed(phase, workers, limit_s)
    await asyncio.gather(*(c.close() for c in connections))
    return phase, [(counter, json.loads(body)) for counter, body in called]


def check_issued(tickets: list[dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    ids = Counter(ticket["id"] for ticket in tickets)
    numbers = Counter((ticket["service"], ticket["number"]) for ticket in tickets)
    if repeated := [i for i, n in ids.items() if n > 1]:
        problems.append(f"DUPLICATE TICKET IDS issued: {repeated[:10]}")
    if repeated_numbers := [k for k, n in numbers.items() if n > 1]:
        problems.append(f"DUPLICATE NUMBERS issued: {repeated_numbers[:10]}")
    return problems


def check_calls(issued: list[dict[str, Any]], calls: list[tuple[int, dict[str, Any]]]) -> list[str]:
    """Every issued ticket called exactly once, at the counter that called it."""
    problems: list[str] = []
    times_called = Counter(ticket["id"] for _, ticket in calls)
    if duplicates := sorted((i, n) for i, n in times_called.items() if n > 1):
        problems.append(
            f"DUPLICATE CALLS: {len(duplicates)} tickets called more than once, "
            f"e.g. (id, times) {duplicates[:10]}"
        )
    issued_ids = {ticket["id"] for ticket in issued}
    if missing := issued_ids - times_called.keys():
        problems.append(f"NEVER CALLED: {len(missing)} issued tickets, e.g. {sorted(missing)[:10]}")
    if unknown := times_called.keys() - issued_ids:
        problems.append(f"CALLED BUT NOT ISSUED here: {sorted(unknown)[:10]}")
    if wrong := [
        (n, t["id"]) for n, t in calls if t.get("counter") != n or t["status"] != "called"
    ]:
        problems.append(f"CALL ANSWERS with wrong counter or status: {wrong[:10]}")
    return problems


# --- the floor ----------------------------------------------------------------------------


def floor_phase(directory: Path, rows: int) -> Phase:
    """Bare sqlite-utils: one durable transaction per ticket-shaped row, WAL + FULL."""
    phase = Phase("floor")
    db = Database(directory / "floor.db")
    db.enable_wal()
    db.execute("PRAGMA synchronous=FULL")
    table = db.table("tickets")
    table.create(
        {"id": int, "number": str, "service": str, "priority": int, "status": str}
        | {"issued_at": str, "called_at": str, "counter": int},
        pk="id",
    )
    started = time.perf_counter()
    for index in range(1, rows + 1):
        row = {
            "id": index,
            "number": f"{index % 4 + 1}{index // 4 + 1:04d}",
            "service": SERVICES[index % len(SERVICES)],
            "priority": 0,
            "status": "waiting",
            "issued_at": time.strftime("%Y-%m-%dT%H:%M:%S+07:00"),
            "called_at": None,
            "counter": None,
        }
        row_started = time.perf_counter()
        table.insert(row)  # its own BEGIN … COMMIT (Database.atomic)
        phase.latencies_ms.append((time.perf_counter() - row_started) * 1000)
        phase.ok += 1
    phase.elapsed_s = time.perf_counter() - started
    db.close()
    return phase


# --- the run ------------------------------------------------------------------------------


@dataclass
class Report:
    tickets: int
    clients: int
    loop: str
    phase_limit_s: float
    phases: list[Phase] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def phase(self, name: str) -> Phase | None:
        return next((p for p in self.phases if p.name == name), None)

    @property
    def ratio(self) -> float | None:
        issue, floor = self.phase("issue"), self.phase("floor")
        if issue is None or floor is None or floor.rate == 0:
            return None
        return issue.rate / floor.rate

    @property
    def failed(self) -> bool:
        return bool(self.problems) or any(p.bad for p in self.phases)


async def measure_server(report: Report, command: list[str], data_dir: Path) -> None:
    site = data_dir.parent / "site.toml"
    site.write_text(site_toml(), encoding="utf-8")
    server = await start_server(command, data_dir, site)
    try:
        kiosk = await kiosk_token(server)
        clerks = [await clerk_token(server, f"clerk{n}") for n in COUNTERS]
        issue, issued = await issue_phase(
            server.port, kiosk, report.tickets, report.clients, report.phase_limit_s
        )
        report.phases.append(issue)
        report.problems += check_issued(issued)
        if server.process.returncode is not None:
            raise BenchError(f"server exited with code {server.process.returncode} while issuing")
        calls, called = await call_phase(server.port, clerks, len(issued), report.phase_limit_s)
        report.phases.append(calls)
        report.problems += check_calls(issued, called)
    except (BenchError, HttpError, OSError) as exc:
        report.problems.append(str(exc) if isinstance(exc, BenchError) else repr(exc))
    except (ValueError, KeyError) as exc:  # a 2xx whose body is not the Ticket of the contract
        report.problems.append(f"malformed answer: {exc!r}")
    finally:
        report.problems += await stop_server(server)
        if report.failed:
            report.problems.append(f"server log tail:\n{server.log_tail()}")


async def run(report: Report, command: list[str]) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="motcua-bench-"))
    try:
        try:
            await measure_server(report, command, workdir / "data")
        except BenchError as exc:
            report.problems.append(str(exc))
            return
        # After the server has stopped, so the floor has both cores and the disk to itself.
        report.phases.append(await asyncio.to_thread(floor_phase, workdir, report.tickets))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def render(report: Report) -> str:
    lines = [
        f"motcua bench: {report.tickets} tickets, {report.clients} clients, "
        f"{len(SERVICES)} services, {len(COUNTERS)} counters, loop {report.loop}, "
        f"{os.cpu_count()} cpus",
        f"{'phase':<10} {'count':>6} {'time s':>7} {'per s':>8} "
        f"{'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'max ms':>7} {'bad':>4}",
    ]
    for phase in report.phases:
        s = phase.summary()
        lines.append(
            f"{phase.name:<10} {s['count']:>6} {s['elapsed_s']:>7.2f} {s['per_s']:>8.0f} "
            f"{s['p50_ms']:>7.2f} {s['p90_ms']:>7.2f} {s['p99_ms']:>7.2f} {s['max_ms']:>7.2f} "
            f"{s['bad']:>4}"
        )
        lines += [
            f"  {phase.name}: unexpected {status} x{n}" for status, n in phase.unexpected.items()
        ]
        lines += [f"  {phase.name}: e.g. {sample}" for sample in phase.samples]
        lines += [f"  {phase.name}: {failure}" for failure in phase.failures]
    cpu = [
        f"{p.name} {p.client_cpu_ms_per_request:.3f}"
        for p in report.phases
        if p.client_cpu_ms_per_request is not None
    ]
    if cpu:
        lines.append(f"bench client CPU, ms per request: {', '.join(cpu)}")
    if report.ratio is not None:
        lines.append(f"issue / floor: {report.ratio:.2f} (server tickets/s over bare rows/s)")
    lines += [f"!!! {problem}" for problem in report.problems]
    lines.append("FAILED" if report.failed else "ok")
    return "\n".join(lines)


def as_json(report: Report) -> str:
    return json.dumps(
        {
            "tickets": report.tickets,
            "clients": report.clients,
            "loop": report.loop,
            **{p.name.replace("-", "_"): p.summary() for p in report.phases},
            "ratio": None if report.ratio is None else round(report.ratio, 3),
            "problems": report.problems,
            "ok": not report.failed,
        },
        ensure_ascii=False,
    )


def loop_factory() -> tuple[str, Callable[[], asyncio.AbstractEventLoop] | None]:
    """uvloop when installed (it comes with uvicorn[standard]): less client CPU per request."""
    try:
        import uvloop
    except ImportError:
        return "asyncio", None
    return "uvloop", uvloop.new_event_loop


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tickets", type=int, default=5000, help="tickets to issue (5000)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent kiosk clients (16)")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    parser.add_argument(
        "--phase-limit",
        type=float,
        default=300.0,
        help="seconds after which a server phase is stopped and counted as failed (300)",
    )
    parser.add_argument(
        "--motcua",
        default=shlex.join(motcua_command()),
        help="the command that runs motcua (default: the one beside this Python)",
    )
    args = parser.parse_args(argv)
    if args.tickets < 1 or args.clients < 1:
        parser.error("--tickets and --clients must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    loop_name, factory = loop_factory()
    report = Report(args.tickets, args.clients, loop_name, args.phase_limit)
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(run(report, shlex.split(args.motcua)))
    print(render(report))
    if args.json:
        print(as_json(report))
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
