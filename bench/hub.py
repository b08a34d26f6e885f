"""Benchmark: a province hub taking 100 centres' busy days, and a year's summary.

It starts its own PostgreSQL (as the tests do, `tests/hub/postgres.py`) unless given
`--database`, and two `motcua hub serve` processes on it, then:

1. `ingest`: `--centres` simulated centres (default 100) each ship a busy day of about
   `--per-day` tickets (issued, called, completed, a third rated: some 3.4 events per
   ticket) to the hub at once, in batches of 500 as a centre's shipper does, alternating
   between the two processes. It reports the events/s ingested, each shipment's time
   (p50, p99) and the lag: from the moment all the days were ready until the hub held the
   last event of every centre.
2. `year`: it fills the daily tallies directly (`HubStore.add_tallies`, one transaction per
   centre) for a year of the same 100 centres, then times the province summary
   (`GET /api/hub/reports/summary`, through a hub process) over the whole year for every
   grouping, for all centres and for one (read from the rollups); then, in the same run,
   the same summary for all centres through `queue_hub.reports.summary(..., rollups=False)`
   in this process (every key's row of every day: how the hub read before the rollups).

Run: `.venv/bin/python bench/hub.py [--centres 100] [--per-day 400] [--json]`. It prints
figures and asserts nothing about them.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from queue_core.clock import SystemClock  # noqa: E402
from queue_hub.auth import hash_password, hash_token, new_token  # noqa: E402
from queue_hub.projection import DailyTally, wait_bucket  # noqa: E402
from queue_hub.reports import summary  # noqa: E402
from queue_hub.store import HubStore, User, connect  # noqa: E402
from tests.helpers.server_process import running  # noqa: E402
from tests.hub.centre_log import MORNING, CentreLog  # noqa: E402
from tests.hub.postgres import PostgresServer, binaries  # noqa: E402

SERVICES = ("TP", "DD", "LD", "XD")
BATCH = 500
PASSWORD = "mật khẩu tỉnh"


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def busy_day(seed: int, tickets: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    log = CentreLog()
    at = MORNING
    for n in range(1, tickets + 1):
        at += timedelta(seconds=rng.expovariate(tickets / (8 * 3600)))
        log.visit(n, rng.choice(SERVICES), at, rng.lognormvariate(2.3, 0.6), rng.uniform(3, 15))
        if rng.random() < 0.35:
            log.rate(n, rng.choice([1, 2, 3, 3, 3, 3]), at + timedelta(minutes=40))
    return log.events


def ingest(urls: list[str], tokens: dict[str, str], per_day: int) -> dict[str, Any]:
    days = {code: busy_day(n, per_day) for n, code in enumerate(sorted(tokens))}
    total = sum(len(events) for events in days.values())
    times: list[float] = []
    lock = threading.Lock()

    def ship(n_code: tuple[int, str]) -> None:
        n, code = n_code
        events = days[code]
        headers = {"Authorization": f"Bearer {tokens[code]}"}
        clients = [httpx.Client(base_url=url, headers=headers, timeout=120) for url in urls]
        try:
            for start in range(0, len(events), BATCH):
                body = {"after_seq": start, "events": events[start : start + BATCH]}
                began = time.perf_counter()
                answer = clients[(n + start // BATCH) % len(clients)].post(
                    "/api/hub/events", json=body
                )
                took = time.perf_counter() - began
                answer.raise_for_status()
                with lock:
                    times.append(took)
        finally:
            for client in clients:
                client.close()

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        list(pool.map(ship, enumerate(sorted(tokens))))
    lag = time.perf_counter() - began
    return {
        "centres": len(tokens),
        "events": total,
        "events_per_s": round(total / lag),
        "lag_s": round(lag, 1),
        "shipment_p50_ms": round(_pct(times, 0.5) * 1000),
        "shipment_p99_ms": round(_pct(times, 0.99) * 1000),
        "shipments": len(times),
    }


def fill_year(store: HubStore, codes: list[str], last: date, per_day: int) -> int:
    """A year of daily tallies per centre, as ingest would have left them."""
    rows = 0
    for n, code in enumerate(codes):
        rng = random.Random(1000 + n)
        changes: dict[tuple[date, str, int], DailyTally] = {}
        for offset in range(365):
            day = last - timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            for hour in range(7, 17):
                for service in SERVICES:
                    tally = DailyTally()
                    for _ in range(max(0, int(rng.gauss(per_day / 40, 3)))):
                        wait_s = rng.lognormvariate(6.5, 0.6)
                        tally.issued += 1
                        tally.called += 1
                        tally.served += 1
                        tally.wait_sum_s += wait_s
                        tally.within_target += wait_s <= 1200
                        tally.service_sum_s += rng.uniform(180, 900)
                        tally.service_n += 1
                        bucket = wait_bucket(wait_s)
                        tally.waits[bucket] = tally.waits.get(bucket, 0) + 1
                        if rng.random() < 0.35:
                            tally.ratings[rng.choice([0, 1, 2, 2, 2])] += 1
                    if tally.issued:
                        changes[(day, service, hour)] = tally
        store.add_tallies(code, changes)
        rows += len(changes)
    return rows


def year(url: str, staff: str, last: date, one: str) -> dict[str, float]:
    first = (last - timedelta(days=364)).isoformat()
    timings: dict[str, float] = {}
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {staff}"}, timeout=600) as c:
        for centre in ("all", one):
            for by in ("centre", "service", "day", "hour"):
                params = {"from": first, "to": last.isoformat(), "by": by, "centre": centre}
                began = time.perf_counter()
                c.get("/api/hub/reports/summary", params=params).raise_for_status()
                timings[f"{'all' if centre == 'all' else 'one'}_{by}_s"] = round(
                    time.perf_counter() - began, 2
                )
    return timings


def day_by_day(store: HubStore, last: date) -> dict[str, float]:
    """The province summary without the rollups, for comparison in the same run."""
    first = (last - timedelta(days=364)).isoformat()
    timings: dict[str, float] = {}
    for by in ("centre", "service", "day", "hour"):
        began = time.perf_counter()
        summary(store, first, last.isoformat(), "all", by, rollups=False)
        timings[f"all_{by}_s"] = round(time.perf_counter() - began, 2)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="postgresql://… (default: a server of our own)")
    parser.add_argument("--centres", type=int, default=100)
    parser.add_argument("--per-day", type=int, default=400)
    parser.add_argument("--no-year", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    server = None
    url = args.database
    if url is None:
        found = binaries()
        if found is None:
            sys.exit("PostgreSQL is not installed: give --database")
        server = PostgresServer.start(found)
        url = server.url()
    work = Path(tempfile.mkdtemp(prefix="motcua-bench-hub-"))
    figures: dict[str, Any] = {}
    try:
        store = connect(url)
        codes = [f"XA-{n:03d}" for n in range(1, args.centres + 1)]
        tokens = {}
        for code in codes:
            tokens[code] = new_token()
            store.add_centre(code, f"Xã {code}", hash_token(tokens[code]), SystemClock().now())
        store.add_user(User("bench", "Bench", hash_password(PASSWORD), False), SystemClock().now())
        serve = ["hub", "serve", "--database", url, "--host", "127.0.0.1", "--port", "0"]
        with running(serve, work / "one") as one, running(serve, work / "two") as two:
            figures["ingest"] = ingest([one.url, two.url], tokens, args.per_day)
            print("ingest:", json.dumps(figures["ingest"]), flush=True)
            if not args.no_year:
                last = datetime.now(UTC).date() - timedelta(days=2)
                began = time.perf_counter()
                rows = fill_year(store, codes, last, args.per_day)
                figures["year_fill"] = {
                    "daily_rows": rows,
                    "fill_s": round(time.perf_counter() - began, 1),
                }
                print("year fill:", json.dumps(figures["year_fill"]), flush=True)
                with httpx.Client(base_url=one.url) as c:
                    signed = c.post(
                        "/api/auth/token", data={"username": "bench", "password": PASSWORD}
                    )
                staff = signed.json()["access_token"]
                figures["year_summary"] = year(one.url, staff, last, codes[0])
                print("year summary:", json.dumps(figures["year_summary"]), flush=True)
                figures["year_day_by_day"] = day_by_day(store, last)
                print("year day by day:", json.dumps(figures["year_day_by_day"]), flush=True)
            one.stop_cleanly()
            two.stop_cleanly()
        store.close()
    finally:
        if server is not None:
            server.stop()
        subprocess.run(["rm", "-rf", str(work)], check=False)
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
