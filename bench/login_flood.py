"""Benchmark: what a flood of wrong passwords costs the hall's own work.

It starts a real `motcua serve` on a fresh data directory (the production argon2 hasher:
64 MiB and ~50 ms of a core per check), signs a clerk in, issues tickets, then, while
`--guessers` clients at a time (each from its own loopback address, so the per-address
throttle lets every one try) post wrong passwords for `--rounds` rounds, it measures:

- `GET /api/health` latency, polled on one keep-alive connection;
- `POST /api/counters/1/call-next` latency for the signed-in clerk, on another;
- the server's resident memory (peak, from /proc);
- the sign-in answers (401 checked, 503 refused as busy, 429 throttled).

A quiet phase before the flood gives the baseline. Figures only, never a timed assertion.

Run: `.venv/bin/python bench/login_flood.py [--guessers 40] [--rounds 5] [--json]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from _http import Connection, HttpError
from issue import (
    HOST,
    BenchError,
    Server,
    clerk_token,
    kiosk_token,
    motcua_command,
    site_toml,
    start_server,
    stop_server,
)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def figures(latencies_ms: list[float]) -> dict[str, float]:
    if not latencies_ms:
        return {}
    ordered = sorted(latencies_ms)
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[int(len(ordered) * 0.95)], 1),
        "p99_ms": round(ordered[int(len(ordered) * 0.99)], 1),
        "over_200_ms": sum(1 for x in ordered if x > 200),
        "max_ms": round(ordered[-1], 1),
    }


async def wrong_password(port: int, address: str, username: str) -> int:
    """One sign-in with a wrong password, on a fresh connection from `address`."""
    body = urlencode({"username": username, "password": "doan-bua-sai"}).encode()
    head = (
        f"POST /api/auth/token HTTP/1.1\r\nHost: {HOST}\r\nContent-Length: {len(body)}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n\r\n"
    )
    reader, writer = await asyncio.open_connection(HOST, port, local_addr=(address, 0))
    try:
        writer.write(head.encode() + body)
        await writer.drain()
        status_line = await reader.readline()
        return int(status_line.split()[1])
    finally:
        writer.close()


async def watch(
    port: int, token: str, stop: asyncio.Event, health: list[float], calls: list[float]
) -> None:
    """Health and the clerk's call-next, one after the other, until `stop`."""
    async with Connection(HOST, port) as probe, Connection(HOST, port) as clerk:
        while not stop.is_set():
            started = time.perf_counter()
            response = await probe.get("/api/health")
            health.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                raise BenchError(f"health answered {response.status}")
            started = time.perf_counter()
            response = await clerk.request("POST", "/api/counters/1/call-next", token=token)
            calls.append((time.perf_counter() - started) * 1000)
            if response.status not in (200, 204):
                raise BenchError(f"call-next answered {response.status}: {response.body[:200]!r}")
            await asyncio.sleep(0.02)


async def sample_rss(pid: int, stop: asyncio.Event, peak: list[float]) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], rss_mib(pid))
        await asyncio.sleep(0.01)


async def phase(server: Server, token: str, guessers: int, rounds: int) -> dict[str, Any]:
    stop = asyncio.Event()
    health: list[float] = []
    calls: list[float] = []
    peak = [rss_mib(server.process.pid)]
    watcher = asyncio.create_task(watch(server.port, token, stop, health, calls))
    sampler = asyncio.create_task(sample_rss(server.process.pid, stop, peak))
    statuses: Counter[int] = Counter()
    started = time.perf_counter()
    if rounds == 0:
        await asyncio.sleep(3)
    for round_ in range(rounds):
        # Half the guesses at a real clerk, half at names that do not exist.
        attempts = [
            wrong_password(
                server.port,
                f"127.0.{round_ + 2}.{i + 1}",
                "thu" if i % 2 else f"ai-do-{i}",
            )
            for i in range(guessers)
        ]
        statuses.update(await asyncio.gather(*attempts))
    elapsed = time.perf_counter() - started
    stop.set()
    await asyncio.gather(watcher, sampler)
    return {
        "seconds": round(elapsed, 2),
        "sign_in_statuses": dict(sorted(statuses.items())),
        "health": figures(health),
        "call_next": figures(calls),
        "peak_rss_mib": round(peak[0]),
    }


async def run(guessers: int, rounds: int, tickets: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="motcua-login-flood-") as tmp:
        data_dir = Path(tmp) / "data"
        site = Path(tmp) / "site.toml"
        site.write_text(site_toml(), encoding="utf-8")
        server = await start_server(motcua_command(), data_dir, site)
        try:
            kiosk = await kiosk_token(server)
            clerk = await clerk_token(server, "thu")
            async with Connection(HOST, server.port) as conn:
                for _ in range(tickets):
                    response = await conn.post_json("/api/tickets", {"service": "HT"}, token=kiosk)
                    if response.status != 201:
                        raise BenchError(f"issue answered {response.status}")
            quiet = await phase(server, clerk, guessers, 0)
            flood = await phase(server, clerk, guessers, rounds)
        finally:
            problems = await stop_server(server)
        if problems:
            raise BenchError("; ".join(problems))
    return {"guessers": guessers, "rounds": rounds, "quiet": quiet, "flood": flood}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--guessers", type=int, default=40, help="wrong passwords at once")
    parser.add_argument("--rounds", type=int, default=5, help="how many times in a row")
    parser.add_argument("--tickets", type=int, default=2000, help="tickets to call from")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    try:
        result = asyncio.run(run(args.guessers, args.rounds, args.tickets))
    except (BenchError, HttpError, OSError) as exc:
        print(f"login_flood: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{args.guessers} wrong passwords at once, {args.rounds} rounds")
    for name in ("quiet", "flood"):
        part = result[name]
        print(
            f"{name:5}: {part['seconds']} s; sign-in {part['sign_in_statuses']}; "
            f"health {part['health']}; call-next {part['call_next']}; "
            f"peak RSS {part['peak_rss_mib']} MiB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
