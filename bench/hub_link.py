"""Benchmark: call-next at a centre whose province hub is unreachable, beside one with no hub.

A commune centre's WAN often drops while its hall's LAN keeps working (#16): the hall must
then issue and call with no added latency. In one run, and in turns (A B C, then C B A…) so
that the machine's other work falls on every kind alike, it starts a real `motcua serve`:

- `no-hub`: no `--hub`;
- `closed`: `--hub` pointing at a loopback port nothing listens on (connections refused at
  once: the shipper backs off, 0.5 s, 1 s, 2 s … up to 60 s);
- `blackhole`: `--hub` pointing at a socket that listens but never accepts nor answers (the
  kernel completes the connection, the request goes out, no answer comes: each try waits for
  the hub timeout, 10 s).
- `catch-up`: the hub (`_ack_hub.py`, a stand-in that reads and acknowledges shipments in
  its own process) is down while the tickets are issued and comes up just before the calls
  (`MOTCUA_HUB_RETRY_MAX_S=1`): the centre ships its backlog, then a batch a second, while
  the clerks call — the cost of shipping itself.

Each server gets a kiosk and four clerks; N tickets are issued from C clients, then the four
clerks call until the queue is empty. It prints call-next's and issue's p50/p99 per kind, the
median over the rounds, and the ratio of each unreachable kind's call-next p99 to the no-hub
one (the issue's target: within 10 %). The clients are the lean ones of `issue.py`.

Run: `.venv/bin/python bench/hub_link.py [--tickets 2000] [--clients 8] [--rounds 3] [--json]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import shutil
import socket
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _http import Connection
from issue import (
    COUNTERS,
    HOST,
    BenchError,
    Phase,
    Server,
    _start,
    call_phase,
    clerk_token,
    free_port,
    issue_phase,
    kiosk_token,
    loop_factory,
    motcua_command,
    site_toml,
    stop_server,
)

KINDS = ("no-hub", "closed", "blackhole", "catch-up")
ACK_HUB = Path(__file__).with_name("_ack_hub.py")
HUB_TOKEN = "bench-hub-token-not-a-secret"


@dataclass
class Round:
    kind: str
    issue: Phase
    call: Phase
    # The hub link as /api/health told it after the phases: proof the hub was unreachable.
    link: str = "-"


def blackhole() -> socket.socket:
    """A socket that listens and never accepts: connections open, nothing ever answers."""
    sock = socket.socket()
    sock.bind((HOST, 0))
    sock.listen(4096)
    return sock


async def start_centre(
    command: list[str], data_dir: Path, site: Path, hub_url: str | None, settings: str = ""
) -> Server:
    port = free_port()
    argv = [
        *command,
        *("serve", "--data-dir", str(data_dir), "--host", HOST, "--port", str(port)),
        *("--site", str(site), "--log-level", "warning"),
    ]
    if hub_url is not None:
        env_file = data_dir.parent / f"{data_dir.name}.env"
        env_file.write_text(f"MOTCUA_HUB_TOKEN={HUB_TOKEN}\n{settings}", encoding="utf-8")
        argv += ["--hub", hub_url, "--env-file", str(env_file)]
    return await _start(argv, command, data_dir, port)


async def one_round(
    kind: str, command: list[str], workdir: Path, hub_urls: dict[str, str | None], args: Any
) -> Round:
    data_dir = workdir / f"{kind}-{len(list(workdir.glob(f'{kind}-*')))}"
    site = workdir / "site.toml"
    hub_url, settings = hub_urls[kind], ""
    if kind == "catch-up":
        # The hub comes up between the phases: a backlog to ship while clerks call.
        hub_port = free_port()
        hub_url, settings = f"http://{HOST}:{hub_port}", "MOTCUA_HUB_RETRY_MAX_S=1\n"
    server = await start_centre(command, data_dir, site, hub_url, settings)
    hub: Server | None = None
    try:
        kiosk = await kiosk_token(server)
        clerks = [await clerk_token(server, f"clerk{n}") for n in COUNTERS]
        issue, tickets = await issue_phase(
            server, kiosk, args.tickets, args.clients, args.phase_limit
        )
        if kind == "catch-up":
            ack_hub = [sys.executable, str(ACK_HUB), "--port", str(hub_port)]
            hub = await _start([*ack_hub, "--token", HUB_TOKEN], [], data_dir, hub_port)
        call, called = await call_phase(server, clerks, len(tickets), args.phase_limit, True)
        if len(called) != len(tickets):
            call.failures.append(f"{len(tickets)} issued, {len(called)} called")
        async with Connection(HOST, server.port) as conn:
            state = (await conn.get("/api/health")).json().get("hub")
            # After the timing: a catching-up centre gets a few seconds to finish (proof).
            for _ in range(100 if kind == "catch-up" else 0):
                if state["lag_events"] == 0:
                    break
                await asyncio.sleep(0.1)
                state = (await conn.get("/api/health")).json().get("hub")
        link = "-" if state is None else f"{state['state']}/{state['last_error']}"
        if state is not None and state["acknowledged_seq"] is not None:
            link += f" held {state['acknowledged_seq']}/{state['last_seq']}"
    finally:
        problems = await stop_server(server)
        if hub is not None:
            problems += await stop_server(hub)
    result = Round(kind, issue, call, link)
    result.call.failures += problems
    return result


def median_p99(rounds: list[Round], kind: str, phase: str) -> float:
    return statistics.median(getattr(r, phase).percentile_ms(99) for r in rounds if r.kind == kind)


def pooled_p99(rounds: list[Round], kind: str, phase: str) -> float:
    """The p99 of every request of `phase` over all rounds of `kind` together."""
    pooled = Phase(kind)
    for r in rounds:
        if r.kind == kind:
            pooled.latencies_ms += getattr(r, phase).latencies_ms
    return pooled.percentile_ms(99)


def render(rounds: list[Round], args: Any, loop: str) -> str:
    lines = [
        f"motcua hub link bench: {args.tickets} tickets, {args.clients} clients, "
        f"{args.rounds} rounds, loop {loop}",
        f"{'round':<6} {'kind':<10} {'issue p50':>9} {'issue p99':>9} "
        f"{'call p50':>9} {'call p99':>9} {'calls':>6} {'bad':>4}  hub link",
    ]
    for index, r in enumerate(rounds):
        lines.append(
            f"{index // len(KINDS) + 1:<6} {r.kind:<10} {r.issue.percentile_ms(50):>9.2f} "
            f"{r.issue.percentile_ms(99):>9.2f} {r.call.percentile_ms(50):>9.2f} "
            f"{r.call.percentile_ms(99):>9.2f} {r.call.ok:>6} {r.issue.bad + r.call.bad:>4}"
            f"  {r.link}"
        )
        lines += [f"  !!! {f}" for f in r.issue.failures + r.call.failures]
    base = median_p99(rounds, "no-hub", "call")
    for kind in KINDS:
        call = median_p99(rounds, kind, "call")
        lines.append(
            f"median {kind:<10} call-next p99 {call:.2f} ms"
            f" ({call / base:.2f} x no-hub), issue p99 {median_p99(rounds, kind, 'issue'):.2f} ms"
        )
    pooled_base = pooled_p99(rounds, "no-hub", "call")
    for kind in KINDS:
        pooled = pooled_p99(rounds, kind, "call")
        lines.append(
            f"pooled {kind:<10} call-next p99 {pooled:.2f} ms ({pooled / pooled_base:.2f} x no-hub)"
        )
    lines.append("FAILED" if failed(rounds) else "ok")
    return "\n".join(lines)


def failed(rounds: list[Round]) -> bool:
    return any(r.issue.bad or r.call.bad for r in rounds)


def as_json(rounds: list[Round]) -> str:
    base = median_p99(rounds, "no-hub", "call")
    return json.dumps(
        {
            "rounds": [
                {
                    "kind": r.kind,
                    "link": r.link,
                    "issue": r.issue.summary(),
                    "call_next": r.call.summary(),
                }
                for r in rounds
            ],
            **{
                kind.replace("-", "_"): {
                    "call_next_p99_ms": round(median_p99(rounds, kind, "call"), 2),
                    "issue_p99_ms": round(median_p99(rounds, kind, "issue"), 2),
                    "call_next_p99_ratio": round(median_p99(rounds, kind, "call") / base, 3),
                    "call_next_pooled_p99_ms": round(pooled_p99(rounds, kind, "call"), 2),
                }
                for kind in KINDS
            },
            "ok": not failed(rounds),
        }
    )


async def run(args: Any) -> list[Round]:
    command = shlex.split(args.motcua)
    workdir = Path(tempfile.mkdtemp(prefix="motcua-hub-link-"))
    hole = blackhole()
    closed = free_port()  # bound a moment, then released: nothing listens there
    hub_urls: dict[str, str | None] = {
        "no-hub": None,
        "closed": f"http://{HOST}:{closed}",
        "blackhole": f"http://{HOST}:{hole.getsockname()[1]}",
        "catch-up": None,  # a port of its own each round
    }
    rounds: list[Round] = []
    try:
        (workdir / "site.toml").write_text(site_toml(), encoding="utf-8")
        for index in range(args.rounds):
            order = KINDS if index % 2 == 0 else tuple(reversed(KINDS))
            for kind in order:
                rounds.append(await one_round(kind, command, workdir, hub_urls, args))
    finally:
        hole.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return rounds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tickets", type=int, default=2000, help="tickets per server (2000)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent kiosk clients (8)")
    parser.add_argument("--rounds", type=int, default=3, help="turns of the three kinds (3)")
    parser.add_argument("--phase-limit", type=float, default=300.0, help="seconds (300)")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    parser.add_argument("--motcua", default=shlex.join(motcua_command()))
    args = parser.parse_args(argv)
    if min(args.tickets, args.clients, args.rounds) < 1:
        parser.error("--tickets, --clients and --rounds must be at least 1")
    loop, factory = loop_factory()
    try:
        with asyncio.Runner(loop_factory=factory) as runner:
            rounds = runner.run(run(args))
    except BenchError as exc:
        print(f"!!! {exc}")
        return 1
    print(render(rounds, args, loop))
    if args.json:
        print(as_json(rounds))
    return 1 if failed(rounds) else 0


if __name__ == "__main__":
    sys.exit(main())
