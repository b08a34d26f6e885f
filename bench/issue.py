"""Benchmark: durable ticket issuing and call-next over HTTP, beside three floors.

It starts a real `motcua serve` process on a fresh data directory with a generated site (four
services, four counters all serving every service, always open), then measures, in one run:

1. issue: N tickets (`POST /api/tickets`) from C concurrent kiosk clients, each with its
   own `Idempotency-Key`, as a kiosk sends;
2. call-next: a clerk at each counter (four; `--counters K`) calling
   `POST /api/counters/{n}/call-next` concurrently until the server answers 204, checking
   that every issued ticket was called exactly once. The commands gathered while one
   batch commits share the next batch's commit, so CPU per call falls as more clerks
   call at once: four clerks measure a small hall's busiest minute, sixteen a large one's;
3. floor-app: the same N tickets from the same C clients against `_floor_app.py`, a minimal
   FastAPI + uvicorn endpoint with a group-commit writer thread, in its own process;
4. floor-asgi: the same again against `_floor_app.py --bare`, the same endpoint as a bare
   ASGI callable on uvicorn: what uvicorn itself costs, under any route served below
   FastAPI as motcua's issuing and call-next are;
5. sqlite3: the stdlib `sqlite3` inserting N ticket-shaped rows, one COMMIT each (WAL,
   `synchronous=FULL`), in the same directory: the disk's durable-commit floor.

For each server process it reads the CPU it spent during a phase from `/proc/PID/stat`
(utime + stime, all its threads) and prints it per request. `--today N` first writes N
tickets served today and 2,000 waiting into the data directory through the store;
`--history DAYS` first runs `motcua simulate` on it; both before the server starts.

The clients are lean keep-alive HTTP/1.1 connections over asyncio streams (`_http.py`):
httpx costs ≈ 2.2 ms of CPU per request on the 2-core reference machine and would measure
itself instead of the server. This is a benchmark printing figures, never a timed test; it
exits 1 on any unexpected answer, duplicate call, or server failure.

Run: `.venv/bin/python bench/issue.py [--tickets 5000] [--clients 16] [--counters 4]
[--today N] [--history DAYS] [--json]`.
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
import sqlite3
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _http import Connection, HttpError, Response

from queue_client import new_idempotency_key

HOST = "127.0.0.1"
SERVICES = ("HT", "DD", "XD", "LD")
COUNTERS = (1, 2, 3, 4)  # the generated site's counters by default (--counters)
CLERK_PASSWORD = "ban-do-dien-mat-khau-2024"
STARTUP_TIMEOUT_S = 60.0
FLOOR_TOKEN = "bench-floor-token"
FLOOR_APP = Path(__file__).with_name("_floor_app.py")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
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
    server_cpu_s: float | None = None  # the server process's CPU during the phase
    requests: int = 0  # HTTP requests sent in the phase
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

    @property
    def server_cpu_ms_per_request(self) -> float | None:
        if self.server_cpu_s is None or not self.latencies_ms:
            return None
        return self.server_cpu_s * 1000 / len(self.latencies_ms)

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
            "server_cpu_ms_per_request": (
                None if (srv := self.server_cpu_ms_per_request) is None else round(srv, 3)
            ),
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


def site_toml(counters: int = len(COUNTERS)) -> str:
    """Four services, `counters` counters each serving all of them (rotated), no issuing
    hours."""
    parts = ['[site]\nname = "Trung tâm benchmark"\n']
    for index, code in enumerate(SERVICES, start=1):
        parts.append(
            f'[[services]]\ncode = "{code}"\nname = "Lĩnh vực {index}"\n'
            f'prefix = "{index}"\ndigits = 4\n'
        )
    for number in range(1, counters + 1):
        turn = (number - 1) % len(SERVICES)
        rotated = SERVICES[turn:] + SERVICES[:turn]
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
    argv = [
        *command,
        *("serve", "--data-dir", str(data_dir), "--host", HOST, "--port", str(port)),
        *("--site", str(site)),
    ]
    return await _start(argv, command, data_dir, port)


async def start_floor_app(data_dir: Path, bare: bool) -> Server:
    """`_floor_app.py` in its own process, with this interpreter."""
    port = free_port()
    argv = [sys.executable, str(FLOOR_APP), "--port", str(port), "--data-dir", str(data_dir)]
    argv += ["--token", FLOOR_TOKEN, *(["--bare"] if bare else [])]
    return await _start(argv, [], data_dir, port)


async def _start(argv: list[str], command: list[str], data_dir: Path, port: int) -> Server:
    process = await asyncio.create_subprocess_exec(
        *argv,
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


def process_cpu_s(pid: int) -> float:
    """CPU seconds process `pid` has spent so far, all its threads (utime + stime)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        # The command name, in parentheses, may hold spaces: count fields after it.
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


async def timed(
    phase: Phase, workers: list[Coroutine[Any, Any, None]], limit_s: float, pid: int
) -> None:
    """Runs the workers to the end, or cancels them after `limit_s` and says so; measures
    this process's CPU and that of the server `pid` meanwhile."""
    started, cpu_started = time.perf_counter(), time.process_time()
    server_started = process_cpu_s(pid)
    tasks = [asyncio.ensure_future(worker) for worker in workers]
    _, pending = await asyncio.wait(tasks, timeout=limit_s)
    phase.elapsed_s = time.perf_counter() - started
    phase.client_cpu_s = time.process_time() - cpu_started
    phase.server_cpu_s = process_cpu_s(pid) - server_started
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
            key = {"Idempotency-Key": new_idempotency_key()}  # one per touch, as a kiosk
            started = time.perf_counter()
            response = await conn.post_json("/api/tickets", payload, token=token, headers=key)
            phase.latencies_ms.append((time.perf_counter() - started) * 1000)
            if response.status == 201:
                phase.ok += 1
                bodies.append(response.body)  # parsed after the clock stops
            else:
                phase.record_unexpected(response)
    except (OSError, HttpError) as exc:
        phase.failures.append(f"issue connection failed: {exc!r}")


async def issue_phase(
    server: Server, token: str, tickets: int, clients: int, limit_s: float, name: str = "issue"
) -> tuple[Phase, list[dict[str, Any]]]:
    phase = Phase(name)
    bodies: list[bytes] = []
    connections = await open_connections(server.port, clients)
    jobs = iter(range(tickets))  # shared: each worker takes the next index when it is free
    workers = [_issue_worker(c, token, jobs, phase, bodies) for c in connections]
    await timed(phase, workers, limit_s, server.process.pid)
    await asyncio.gather(*(c.close() for c in connections))
    return phase, [json.loads(body) for body in bodies]


async def _clerk_worker(
    conn: Connection,
    token: str,
    counter: int,
    phase: Phase,
    called: list[tuple[int, bytes]],
    budget: list[int],
    until_empty: bool,
) -> None:
    path = f"/api/counters/{counter}/call-next"
    try:
        while budget[0] > 0:
            budget[0] -= 1  # taken before sending: four clerks never overshoot it together
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
        if until_empty:
            phase.failures.append(f"counter {counter} stopped: more calls than tickets")
    except (OSError, HttpError) as exc:
        phase.failures.append(f"counter {counter} connection failed: {exc!r}")


async def call_phase(
    server: Server, tokens: list[str], issued: int, limit_s: float, until_empty: bool
) -> tuple[Phase, list[tuple[int, dict[str, Any]]]]:
    """Calls until the queue is empty (`until_empty`), else `issued` calls in all (a queue
    pre-filled with waiting tickets stays as long as it was)."""
    phase = Phase("call-next")
    called: list[tuple[int, bytes]] = []
    connections = await open_connections(server.port, len(tokens))
    # More calls than tickets is a bug: stop looping.
    budget = [issued + 10 * len(tokens) if until_empty else issued]
    workers = [
        _clerk_worker(conn, token, counter, phase, called, budget, until_empty)
        for counter, (conn, token) in enumerate(zip(connections, tokens, strict=True), start=1)
    ]
    await timed(phase, workers, limit_s, server.process.pid)
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


def check_calls(
    issued: list[dict[str, Any]],
    calls: list[tuple[int, dict[str, Any]]],
    waiting_before: set[int] | None = None,
) -> list[str]:
    """Every issued ticket called exactly once, at the counter that called it. With tickets
    `waiting_before` the run (pre-filled), as many calls as issued tickets, each of a ticket
    waiting before or issued in the run, none twice."""
    problems: list[str] = []
    times_called = Counter(ticket["id"] for _, ticket in calls)
    if duplicates := sorted((i, n) for i, n in times_called.items() if n > 1):
        problems.append(
            f"DUPLICATE CALLS: {len(duplicates)} tickets called more than once, "
            f"e.g. (id, times) {duplicates[:10]}"
        )
    issued_ids = {ticket["id"] for ticket in issued}
    if waiting_before is not None:
        if len(calls) != len(issued):
            problems.append(f"CALLS: {len(calls)} answered 200, expected {len(issued)}")
        issued_ids |= waiting_before
    elif missing := issued_ids - times_called.keys():
        problems.append(f"NEVER CALLED: {len(missing)} issued tickets, e.g. {sorted(missing)[:10]}")
    if unknown := times_called.keys() - issued_ids:
        problems.append(f"CALLED BUT NOT ISSUED here: {sorted(unknown)[:10]}")
    if wrong := [
        (n, t["id"]) for n, t in calls if t.get("counter") != n or t["status"] != "called"
    ]:
        problems.append(f"CALL ANSWERS with wrong counter or status: {wrong[:10]}")
    return problems


# --- the floor ----------------------------------------------------------------------------


def sqlite3_phase(directory: Path, rows: int) -> Phase:
    """The stdlib `sqlite3`: one ticket-shaped row per transaction, each COMMIT durable
    (WAL + `synchronous=FULL`): how many durable commits a second this disk allows."""
    phase = Phase("sqlite3")
    db = sqlite3.connect(directory / "floor.db", isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute(
        "create table tickets (id integer primary key, number text, service text,"
        " priority integer, status text, issued_at text, called_at text, counter integer)"
    )
    started = time.perf_counter()
    for index in range(1, rows + 1):
        row_started = time.perf_counter()
        db.execute("BEGIN")
        db.execute(
            "insert into tickets (number, service, priority, status, issued_at)"
            " values (?, ?, 0, 'waiting', ?)",
            (
                f"{index % 4 + 1}{index // 4 + 1:04d}",
                SERVICES[index % len(SERVICES)],
                time.strftime("%Y-%m-%dT%H:%M:%S+07:00"),
            ),
        )
        db.execute("COMMIT")
        phase.latencies_ms.append((time.perf_counter() - row_started) * 1000)
        phase.ok += 1
    phase.elapsed_s = time.perf_counter() - started
    db.close()
    return phase


EMPTY = "empty database"


# --- what is in the database before the server starts ----------------------------------------


@dataclass(frozen=True)
class Prefill:
    today: int = 0  # tickets served today, through the store
    waiting: int = 0  # and tickets waiting, through the store
    history_days: int = 0  # past days, through `motcua simulate`
    history_per_day: int = 700

    def describe(self) -> str:
        parts = []
        if self.history_days:
            parts.append(
                f"{self.history_days} past days x about {self.history_per_day} tickets"
                " (motcua simulate)"
            )
        if self.today or self.waiting:
            parts.append(f"{self.today} served today + {self.waiting} waiting (through the store)")
        return "; ".join(parts) or EMPTY


async def prefill(
    prefill: Prefill, command: list[str], data_dir: Path, site: Path
) -> tuple[float, set[int] | None]:
    """Fills the data directory before the server starts; returns the seconds it took and,
    with `--today`, the ids of the tickets left waiting."""
    started = time.perf_counter()
    if prefill.history_days:
        process = await asyncio.create_subprocess_exec(
            *command,
            *("simulate", "--data-dir", str(data_dir), "--site", str(site)),
            *("--days", str(prefill.history_days), "--per-day", str(prefill.history_per_day)),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await process.communicate()
        if process.returncode != 0:
            raise BenchError(f"motcua simulate exited {process.returncode}: {err.decode()}")
    waiting: set[int] | None = None
    if prefill.today or prefill.waiting:
        waiting = await asyncio.to_thread(_fill_today, prefill, data_dir, site)
    return time.perf_counter() - started, waiting


def _fill_today(prefill: Prefill, data_dir: Path, site_file: Path) -> set[int]:
    """Today's tickets so far, written with the store as `motcua simulate` writes past days."""
    from queue_core.clock import SystemClock
    from queue_core.model import TicketStatus
    from queue_core.numbering import local_day
    from queue_server.database import open_store
    from queue_server.simulate import (
        default_clerks,
        generate_today,
        sequences_of_day,
        write_day,
    )

    store = open_store(data_dir, site_file)
    try:
        site = store.site()
        assert site is not None
        now = SystemClock().now()
        day = generate_today(
            site,
            now,
            prefill.today,
            prefill.waiting,
            default_clerks(site, []),
            sequences_of_day(store, local_day(now, site.site.timezone)),
        )
        write_day(store, site, day)
        return {t.id for t in store.tickets_of_day(day.day) if t.status is TicketStatus.WAITING}
    finally:
        store.close()


# --- the run ------------------------------------------------------------------------------


@dataclass
class Report:
    tickets: int
    clients: int
    loop: str
    phase_limit_s: float
    counters: int = len(COUNTERS)
    prefill: Prefill = field(default_factory=Prefill)
    prefill_s: float | None = None
    phases: list[Phase] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def phase(self, name: str) -> Phase | None:
        return next((p for p in self.phases if p.name == name), None)

    def ratio(self, floor_name: str) -> float | None:
        issue, floor = self.phase("issue"), self.phase(floor_name)
        if issue is None or floor is None or floor.rate == 0:
            return None
        return issue.rate / floor.rate

    @property
    def failed(self) -> bool:
        return bool(self.problems) or any(p.bad for p in self.phases)


async def measure_server(report: Report, command: list[str], data_dir: Path) -> None:
    site = data_dir.parent / "site.toml"
    site.write_text(site_toml(report.counters), encoding="utf-8")
    report.prefill_s, waiting_before = await prefill(report.prefill, command, data_dir, site)
    server = await start_server(command, data_dir, site)
    try:
        kiosk = await kiosk_token(server)
        clerks = [await clerk_token(server, f"clerk{n}") for n in range(1, report.counters + 1)]
        issue, issued = await issue_phase(
            server, kiosk, report.tickets, report.clients, report.phase_limit_s
        )
        report.phases.append(issue)
        report.problems += check_issued(issued)
        if server.process.returncode is not None:
            raise BenchError(f"server exited with code {server.process.returncode} while issuing")
        calls, called = await call_phase(
            server, clerks, len(issued), report.phase_limit_s, until_empty=waiting_before is None
        )
        report.phases.append(calls)
        report.problems += check_calls(issued, called, waiting_before)
    except (BenchError, HttpError, OSError) as exc:
        report.problems.append(str(exc) if isinstance(exc, BenchError) else repr(exc))
    except (ValueError, KeyError) as exc:  # a 2xx whose body is not the Ticket of the contract
        report.problems.append(f"malformed answer: {exc!r}")
    finally:
        report.problems += await stop_server(server)
        if report.failed:
            report.problems.append(f"server log tail:\n{server.log_tail()}")


async def measure_floor_app(report: Report, data_dir: Path, name: str) -> None:
    """The same issuing load against `_floor_app.py` (an empty database): FastAPI's
    (`floor-app`) or the bare ASGI one (`floor-asgi`)."""
    server = await start_floor_app(data_dir, bare=name == "floor-asgi")
    problems_before = len(report.problems)
    try:
        phase, issued = await issue_phase(
            server, FLOOR_TOKEN, report.tickets, report.clients, report.phase_limit_s, name
        )
        report.phases.append(phase)
        report.problems += check_issued(issued)
    except (BenchError, HttpError, OSError) as exc:
        report.problems.append(str(exc) if isinstance(exc, BenchError) else repr(exc))
    finally:
        report.problems += await stop_server(server)
        floor = report.phase(name)
        if len(report.problems) > problems_before or (floor is not None and floor.bad):
            report.problems.append(f"{name} log tail:\n{server.log_tail()}")


async def run(report: Report, command: list[str]) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="motcua-bench-"))
    try:
        try:
            await measure_server(report, command, workdir / "data")
            # One server at a time, so each has both cores and the disk to itself.
            await measure_floor_app(report, workdir / "floor-app", "floor-app")
            await measure_floor_app(report, workdir / "floor-asgi", "floor-asgi")
        except BenchError as exc:
            report.problems.append(str(exc))
            return
        report.phases.append(await asyncio.to_thread(sqlite3_phase, workdir, report.tickets))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


FLOOR_LABELS = (
    ("sqlite3", "sqlite3 floor"),
    ("floor-app", "floor app"),
    ("floor-asgi", "bare ASGI floor"),
)


def render(report: Report) -> str:
    lines = [
        f"motcua bench: {report.tickets} tickets, {report.clients} clients, "
        f"{len(SERVICES)} services, {report.counters} counters, loop {report.loop}, "
        f"{os.cpu_count()} cpus",
        f"database before start: {report.prefill.describe()}"
        + (f", filled in {report.prefill_s:.1f} s" if report.prefill.describe() != EMPTY else ""),
        f"{'phase':<10} {'count':>6} {'time s':>7} {'per s':>8} "
        f"{'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'max ms':>7} {'bad':>4} {'srv ms/req':>10}",
    ]
    for phase in report.phases:
        s = phase.summary()
        srv = s["server_cpu_ms_per_request"]
        lines.append(
            f"{phase.name:<10} {s['count']:>6} {s['elapsed_s']:>7.2f} {s['per_s']:>8.0f} "
            f"{s['p50_ms']:>7.2f} {s['p90_ms']:>7.2f} {s['p99_ms']:>7.2f} {s['max_ms']:>7.2f} "
            f"{s['bad']:>4} {'-' if srv is None else f'{srv:.3f}':>10}"
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
    ratios = [
        f"{report.ratio(name):.2f} x the {label}"
        for name, label in FLOOR_LABELS
        if report.ratio(name) is not None
    ]
    if ratios:
        lines.append(f"motcua issue rate: {', '.join(ratios)}")
    lines += [f"!!! {problem}" for problem in report.problems]
    lines.append("FAILED" if report.failed else "ok")
    return "\n".join(lines)


def as_json(report: Report) -> str:
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 3)

    return json.dumps(
        {
            "tickets": report.tickets,
            "clients": report.clients,
            "counters": report.counters,
            "loop": report.loop,
            "prefill": report.prefill.describe(),
            **{p.name.replace("-", "_"): p.summary() for p in report.phases},
            "ratio_sqlite3": rounded(report.ratio("sqlite3")),
            "ratio_floor_app": rounded(report.ratio("floor-app")),
            "ratio_floor_asgi": rounded(report.ratio("floor-asgi")),
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
    parser.add_argument(
        "--counters",
        type=int,
        default=len(COUNTERS),
        help=f"counters in the site, a clerk calling at each ({len(COUNTERS)})",
    )
    parser.add_argument(
        "--today",
        type=int,
        default=0,
        metavar="N",
        help="first write N tickets served today and --waiting waiting, through the store",
    )
    parser.add_argument(
        "--waiting", type=int, default=2000, help="tickets left waiting with --today (2000)"
    )
    parser.add_argument(
        "--history",
        type=int,
        default=0,
        metavar="DAYS",
        help="first write DAYS past days with `motcua simulate`",
    )
    parser.add_argument(
        "--history-per-day", type=int, default=700, help="tickets a day with --history (700)"
    )
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
    if args.tickets < 1 or args.clients < 1 or not 1 <= args.counters <= 999:
        parser.error("--tickets and --clients must be at least 1, --counters 1 to 999")
    if min(args.today, args.waiting, args.history, args.history_per_day) < 0:
        parser.error("--today, --waiting, --history and --history-per-day are counts")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    loop_name, factory = loop_factory()
    report = Report(args.tickets, args.clients, loop_name, args.phase_limit, args.counters)
    report.prefill = Prefill(
        today=args.today,
        waiting=args.waiting if args.today else 0,
        history_days=args.history,
        history_per_day=args.history_per_day,
    )
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(run(report, shlex.split(args.motcua)))
    print(render(report))
    if args.json:
        print(as_json(report))
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
