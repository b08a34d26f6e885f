"""Soak: the hall's four apps as real processes through a compressed busy day.

What runs: a real `motcua serve` on 127.0.0.1 (the generated site of `issue.py`: four
services, counters 1–4 serving all of them) and, against it,

- the ticket kiosk: `motcua kiosk --server URL --token KIOSK` (tickets on screen);
- the rating tablet on counter 1: `motcua kiosk --mode rating --counter 1 …`;
- the counter client at counter 2: `motcua counter --server URL --counter 2`, signed in by
  `_counter_clerk.py`, which runs that same command and types a clerk's username and
  password into its sign-in page (an offscreen window takes no keys from outside);
- the wall board: `motcua display --server URL --token DISPLAY` (with its voice);

each with `QT_QPA_PLATFORM=offscreen` (or on the X display given by `--display`) and its
own `MOTCUA_HEARTBEAT` file, which the app's GUI thread rewrites every second.

The day: `--tickets-per-minute` tickets issued through the API at an even pace, and as
many calls: each issue is followed by one counter (1→4 in turn) completing its current
citizen and calling the next, so every app has something to show, say or ask about.
Counter 2's calls are made by the signed-in clerk through the API, which the desk follows.

Every `--sample` seconds: each app alive or not, its RSS (VmRSS of /proc/PID/status) and
its heartbeat: the longest stall the app measured on its own loop, and how old the last
beat is (a frozen app stops beating). At the end: each app's lifetime, RSS at start
(its first beat), end and highest, and longest stall; exit 1 if an app died, never beat,
or the server died.

Run: `.venv/bin/python bench/soak.py [--minutes 30] [--tickets-per-minute 20] [--json]`;
CI: `--minutes 0.5`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _http import Connection, HttpError
from issue import (
    CLERK_PASSWORD,
    COUNTERS,
    HOST,
    SERVICES,
    BenchError,
    Server,
    clerk_token,
    motcua_command,
    run_cli,
    site_toml,
    start_server,
    stop_server,
)

from queue_client.liveness import HEARTBEAT_ENV, Beat
from queue_server.database import open_store

TABLET_COUNTER = 1
DESK_COUNTER = 2
DESK_CLERK = "clerk2"
STARTUP_S = 60.0  # an app's first heartbeat, on a busy 2-core machine
STOP_S = 10.0
CLERK_SCRIPT = Path(__file__).with_name("_counter_clerk.py")
TIMELINE_POINTS = 11  # RSS at 0 %, 10 %, … 100 % of the run in the report


@dataclass
class Sample:
    at_s: float  # since the day started
    rss_kib: int
    beat_age_s: float | None  # how old the last heartbeat was when sampled
    stall_max_ms: float | None


@dataclass
class App:
    name: str
    argv: list[str]
    heartbeat: Path
    log: Path
    env: dict[str, str] = field(default_factory=dict)
    process: asyncio.subprocess.Process | None = None
    started: float = 0.0
    died_at: float | None = None
    samples: list[Sample] = field(default_factory=list)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(f"    | {line}" for line in text[-lines:])


def rss_kib(pid: int) -> int:
    """VmRSS from /proc/PID/status (0 when the process is gone)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# --- the hall -----------------------------------------------------------------------------


async def device_token(server: Server, name: str, kind: str) -> str:
    out = await run_cli(server, "device", "add", name, "--kind", kind)
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    if not lines:
        raise BenchError("`motcua device add` printed no token")
    return lines[-1]


def app_env(workdir: Path, display: str | None, heartbeat: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    if display:
        env["DISPLAY"] = display
        env.pop("QT_QPA_PLATFORM", None)
    else:
        env["QT_QPA_PLATFORM"] = "offscreen"
    env[HEARTBEAT_ENV] = str(heartbeat)
    env["XDG_CONFIG_HOME"] = str(workdir / "config")  # the counter client's QSettings
    env["PYTHONUNBUFFERED"] = "1"
    return env


def make_apps(
    workdir: Path, command: list[str], url: str, tokens: dict[str, str], display: str | None
) -> list[App]:
    def app(name: str, argv: list[str], extra: dict[str, str] | None = None) -> App:
        beat = workdir / f"{name}.heartbeat"
        env = app_env(workdir, display, beat) | (extra or {})
        return App(name, argv, beat, workdir / f"{name}.log", env)

    pin = ("--admin-pin", "2468")
    return [
        app("kiosk", [*command, "kiosk", "--server", url, "--token", tokens["kiosk"], *pin]),
        app(
            "rating",
            [
                *command,
                *("kiosk", "--mode", "rating", "--counter", str(TABLET_COUNTER)),
                *("--server", url, "--token", tokens["rating"], *pin),
            ],
        ),
        app(
            "counter",
            [
                sys.executable,
                str(CLERK_SCRIPT),
                DESK_CLERK,
                "--",
                *("--server", url, "--counter", str(DESK_COUNTER)),
            ],
            {"MOTCUA_BENCH_PASSWORD": CLERK_PASSWORD},
        ),
        app("display", [*command, "display", "--server", url, "--token", tokens["display"]]),
    ]


async def start_app(app: App, day_start: float) -> None:
    with app.log.open("wb") as log:
        app.process = await asyncio.create_subprocess_exec(
            *app.argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
            env=app.env,
            start_new_session=True,  # a Ctrl-C on the bench is the bench's to handle
        )
    app.started = time.monotonic() - day_start


async def wait_first_beat(apps: list[App]) -> None:
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        waiting = [a for a in apps if a.alive() and Beat.read(a.heartbeat) is None]
        dead = [a for a in apps if not a.alive()]
        if dead:
            raise BenchError(
                "an app died while starting:\n"
                + "\n".join(f"  {a.name}:\n{a.log_tail()}" for a in dead)
            )
        if not waiting:
            return
        await asyncio.sleep(0.2)
    raise BenchError(
        f"no heartbeat within {STARTUP_S:.0f} s from: "
        + ", ".join(a.name for a in apps if Beat.read(a.heartbeat) is None)
    )


async def wait_desk_open(server: Server, token: str) -> None:
    """Until the counter client's clerk has opened counter 2 (through its own window)."""
    deadline = time.monotonic() + STARTUP_S
    async with Connection(HOST, server.port) as conn:
        while time.monotonic() < deadline:
            response = await conn.get(f"/api/counters/{DESK_COUNTER}", token=token)
            if response.status == 200 and response.json().get("state") == "open":
                return
            await asyncio.sleep(0.5)
    raise BenchError(f"counter {DESK_COUNTER} was never opened by the counter client")


async def stop_app(app: App) -> None:
    process = app.process
    if process is None or process.returncode is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), STOP_S)
    except TimeoutError:
        process.kill()
        await process.wait()


# --- the day ------------------------------------------------------------------------------


@dataclass
class Day:
    issued: int = 0
    calls: int = 0
    errors: list[str] = field(default_factory=list)


async def serve_one(conn: Connection, token: str, counter: int, current: dict[int, int]) -> bool:
    """Counter `counter` completes its citizen (if any) and calls the next; True if called."""
    if counter in current:
        path = f"/api/tickets/{current.pop(counter)}/complete"
        done = await conn.request("POST", path, token=token)
        if done.status != 200:
            raise BenchError(f"complete at {counter}: {done.status} {done.body[:120]!r}")
    response = await conn.request("POST", f"/api/counters/{counter}/call-next", token=token)
    if response.status == 200:
        current[counter] = int(response.json()["id"])
    elif response.status != 204:
        raise BenchError(f"call-next at {counter}: {response.status} {response.body[:120]!r}")
    return response.status == 200


async def run_day(
    server: Server,
    tokens: dict[str, str],
    clerks: dict[int, str],
    seconds: float,
    per_minute: float,
    day: Day,
) -> None:
    interval = 60.0 / per_minute
    current: dict[int, int] = {}
    async with Connection(HOST, server.port) as kiosk, Connection(HOST, server.port) as desk:
        start = time.monotonic()
        step = 0
        while time.monotonic() - start < seconds:
            service = SERVICES[step % len(SERVICES)]
            response = await kiosk.post_json(
                "/api/tickets", {"service": service}, token=tokens["kiosk"]
            )
            if response.status == 201:
                day.issued += 1
            else:
                day.errors.append(f"issue: {response.status} {response.body[:120]!r}")
            counter = COUNTERS[step % len(COUNTERS)]
            try:
                if await serve_one(desk, clerks[counter], counter, current):
                    day.calls += 1
            except BenchError as exc:
                day.errors.append(str(exc))
            step += 1
            await asyncio.sleep(max(0.0, step * interval - (time.monotonic() - start)))


async def sample(apps: list[App], every: float, day_start: float, stop: asyncio.Event) -> None:
    while not stop.is_set():
        now = time.monotonic() - day_start
        wall = time.time()
        for app in apps:
            if not app.alive():
                if app.died_at is None:
                    app.died_at = now
                continue
            beat = Beat.read(app.heartbeat)
            app.samples.append(
                Sample(
                    now,
                    rss_kib(app.pid),
                    None if beat is None else max(0.0, wall - beat.at),
                    None if beat is None else beat.stall_max_ms,
                )
            )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


# --- report ---------------------------------------------------------------------------------


@dataclass
class Report:
    minutes: float
    per_minute: float
    apps: list[App] = field(default_factory=list)
    day: Day = field(default_factory=Day)
    server_rss: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def failed(self) -> bool:
        return bool(self.problems)


def app_summary(app: App, wall_s: float) -> dict[str, Any]:
    rss = [s.rss_kib for s in app.samples if s.rss_kib]
    ages = [s.beat_age_s for s in app.samples if s.beat_age_s is not None]
    stalls = [s.stall_max_ms for s in app.samples if s.stall_max_ms is not None]
    end = app.died_at if app.died_at is not None else wall_s
    return {
        "app": app.name,
        "pid": app.process.pid if app.process else None,
        "survived": app.died_at is None,
        "lived_s": round(end - app.started, 1),
        "exit_code": app.process.returncode if app.process and app.died_at is not None else None,
        "rss_start_mib": round(rss[0] / 1024, 1) if rss else None,
        "rss_end_mib": round(rss[-1] / 1024, 1) if rss else None,
        "rss_max_mib": round(max(rss) / 1024, 1) if rss else None,
        # The app's own measure (a late tick) and ours (an old beat, minus its 1 s period).
        "stall_max_ms": round(max(stalls), 1) if stalls else None,
        "beat_age_max_s": round(max(ages), 2) if ages else None,
        "samples": len(app.samples),
    }


def timeline(values: list[int]) -> list[int]:
    """`TIMELINE_POINTS` values spread evenly over `values` (first and last included)."""
    if not values:
        return []
    last = len(values) - 1
    return [values[round(i * last / (TIMELINE_POINTS - 1))] for i in range(TIMELINE_POINTS)]


def _mib(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def render(report: Report) -> str:
    day = report.day
    lines = [
        f"soak: {report.minutes:g} min of wall time, {report.per_minute:g} tickets/min "
        f"({day.issued} issued, {day.calls} called, {len(day.errors)} errors); "
        f"{report.wall_s:.0f} s from first app start to the end",
        "",
        f"{'app':<8} {'survived':>8} {'lived s':>8} {'RSS start':>10} {'RSS end':>8} "
        f"{'RSS max':>8} {'stall ms':>9} {'beat age s':>10}",
    ]
    for app in report.apps:
        s = app_summary(app, report.wall_s)
        survived = "yes" if s["survived"] else f"NO ({s['exit_code']})"
        lines.append(
            f"{s['app']:<8} {survived:>8} {s['lived_s']:>8.0f} {_mib(s['rss_start_mib']):>10} "
            f"{_mib(s['rss_end_mib']):>8} {_mib(s['rss_max_mib']):>8} "
            f"{_mib(s['stall_max_ms']):>9} {_mib(s['beat_age_max_s']):>10}"
        )
    lines.append("RSS in MiB; start = the first sample after the app's first heartbeat")
    lines.append("")
    lines.append(f"RSS over time, MiB, every {100 // (TIMELINE_POINTS - 1)} % of the run:")
    series = [(app.name, [x.rss_kib for x in app.samples if x.rss_kib]) for app in report.apps]
    for name, values in [*series, ("server", report.server_rss)]:
        points = " ".join(f"{kib / 1024:6.1f}" for kib in timeline(values))
        lines.append(f"  {name:<8} {points}")
    for problem in report.problems:
        lines.append(f"!!! {problem}")
    for error in day.errors[:10]:
        lines.append(f"day: {error}")
    return "\n".join(lines)


# --- main -----------------------------------------------------------------------------------


async def sample_server(server: Server, every: float, out: list[int], stop: asyncio.Event) -> None:
    assert server.process is not None
    while not stop.is_set():
        out.append(rss_kib(server.process.pid))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


async def run(report: Report, args: argparse.Namespace) -> None:
    command = motcua_command()
    workdir = Path(tempfile.mkdtemp(prefix="motcua-soak-"))
    server: Server | None = None
    try:
        site = workdir / "site.toml"
        site.write_text(site_toml(), encoding="utf-8")
        data_dir = workdir / "data"
        # `serve --site` makes a new database from the bundled sample: make it from ours.
        open_store(data_dir, site).close()
        server = await start_server(command, data_dir, site)
        url = f"http://{HOST}:{server.port}"
        tokens = {
            "kiosk": await device_token(server, "soak-kiosk", "kiosk"),
            "rating": await device_token(server, "soak-rating", "rating"),
            "display": await device_token(server, "soak-display", "display"),
        }
        clerks = {n: await clerk_token(server, f"clerk{n}") for n in COUNTERS}
        async with Connection(HOST, server.port) as conn:
            for n in COUNTERS:
                if n != DESK_COUNTER:  # that one is opened by the counter client's clerk
                    opened = await conn.post_json(
                        f"/api/counters/{n}/open", {"force": False}, token=clerks[n]
                    )
                    if opened.status != 200:
                        raise BenchError(f"open counter {n}: {opened.status} {opened.body!r}")

        report.apps = make_apps(workdir, command, url, tokens, args.display)
        day_start = time.monotonic()
        for app in report.apps:
            await start_app(app, day_start)
        await wait_first_beat(report.apps)
        await wait_desk_open(server, clerks[DESK_COUNTER])

        stop = asyncio.Event()
        samplers = [
            asyncio.create_task(sample(report.apps, args.sample, day_start, stop)),
            asyncio.create_task(sample_server(server, args.sample, report.server_rss, stop)),
        ]
        try:
            await run_day(
                server, tokens, clerks, args.minutes * 60, args.tickets_per_minute, report.day
            )
        finally:
            stop.set()
            await asyncio.gather(*samplers)
        report.wall_s = time.monotonic() - day_start
        for app in report.apps:
            if app.died_at is not None or not app.alive():
                report.problems.append(
                    f"{app.name} died after {app_summary(app, report.wall_s)['lived_s']} s "
                    f"(exit {app.process.returncode if app.process else '?'}):\n{app.log_tail()}"
                )
            elif not app.samples or app.samples[-1].beat_age_s is None:
                report.problems.append(f"{app.name} never wrote a heartbeat")
        if server.process.returncode is not None:
            report.problems.append(f"the server died (exit {server.process.returncode})")
    except (BenchError, HttpError, OSError) as exc:
        report.problems.append(str(exc) if isinstance(exc, BenchError) else repr(exc))
    finally:
        await asyncio.gather(*(stop_app(app) for app in report.apps))
        if server is not None:
            report.problems += await stop_server(server)
        if args.keep:
            print(f"kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="wall time of the day")
    parser.add_argument(
        "--tickets-per-minute",
        type=float,
        default=20.0,
        help="tickets issued (and calls made) per minute of wall time",
    )
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between samples")
    parser.add_argument("--display", help="an X display (e.g. :1) instead of offscreen")
    parser.add_argument("--keep", action="store_true", help="keep the work directory and logs")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report = Report(args.minutes, args.tickets_per_minute)
    try:
        asyncio.run(run(report, args))
    except KeyboardInterrupt:
        report.problems.append("interrupted")
    print(render(report))
    if args.json:
        print(
            json.dumps(
                {
                    "minutes": report.minutes,
                    "tickets_per_minute": report.per_minute,
                    "issued": report.day.issued,
                    "calls": report.day.calls,
                    "apps": [
                        app_summary(a, report.wall_s)
                        | {"rss_mib": [round(x.rss_kib / 1024, 1) for x in a.samples]}
                        for a in report.apps
                    ],
                    "problems": report.problems,
                }
            )
        )
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
