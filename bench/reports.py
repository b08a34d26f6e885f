"""Benchmark: how long a report takes on a year of a busy centre.

It fills a fresh database through the store (the same `insert_ticket`, `update_tickets`
and `insert_rating` the server uses; one transaction per day) with `--days` past days of
at least `--per-day` tickets: a busy morning and a lunch dip, five services, six counters,
6 % no-shows, 2 % cancelled, waits and service times drawn log-normal, ratings skewed to
satisfied as real ones are (about 8 % more than `--per-day` on average: 365 days of 2,700
make over a million). Then it times, with a cold process cache each time:

- `keep`: the migration's backfill of the daily figures (m013 run again on the filled
  database: every closed day tallied from its tickets, once);
- `tickets_read`: reading every ticket of the range (`report_visits`), what a report did
  before the daily figures, for comparison;
- each grouping's summary (daily figures + today + labels), as
  `GET /api/reports/summary` runs it in its worker;
- `export`: the whole workbook (every grouping), as `GET /api/reports/export.xlsx` does;

for the last month and for the whole year, beside the database's size on disk. Then (unless
`--calls 0`) it starts `motcua serve` on that database and measures call-next latencies
(p50, p99) alone and while a supervisor downloads the whole range's workbook, again and
again, for as many calls (after one small report has started the server's report worker):
the hall must not be slowed much by a report.

Run: `.venv/bin/python bench/reports.py [--days 365] [--per-day 2700] [--json]`. It prints
figures and asserts nothing about them.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from queue_core.model import Ticket, TicketStatus
from queue_core.report import Grouping
from queue_server.auth import Role, add_device, add_user, issue_user_token
from queue_server.database import open_store
from queue_server.report_workbook import workbook
from queue_server.reports import read, summary
from queue_server.store import DATABASE_NAME, IssueRecord, Rating, Store, connect

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SERVICES = (
    ("TP", "1", 9.0, "Tư pháp – Hộ tịch"),
    ("DD", "2", 18.0, "Đất đai"),
    ("LD", "3", 8.0, "Lao động – Thương binh và Xã hội"),
    ("XD", "4", 14.0, "Xây dựng – Quản lý đô thị"),
    ("KQ", "5", 3.0, "Trả kết quả"),
)
SITE = (
    '[site]\nname = "Trung tâm Phục vụ hành chính công xã Hòa Bình"\n\n'
    + "".join(
        f'[[services]]\ncode = "{c}"\nname = "{name}"\nprefix = "{p}"\n\n'
        for c, p, _, name in SERVICES
    )
    + "".join(
        f'[[counters]]\nnumber = {n}\nname = "Quầy {n}"\n'
        f'services = ["{SERVICES[n % 5][0]}", "{SERVICES[(n + 1) % 5][0]}"]\n\n'
        for n in range(1, 7)
    )
)
CLERKS = {
    "lan": "Nguyễn Thị Lan",
    "hung": "Trần Văn Hùng",
    "mai": "Lê Thị Mai",
    "tuan": "Phạm Anh Tuấn",
    "hoa": "Đỗ Thị Hoa",
    "nam": "Vũ Hoàng Nam",
    "thu": "Bùi Minh Thu",
    "duc": "Hoàng Văn Đức",
}
USERNAMES = list(CLERKS)


def _issue_minute(rng: random.Random) -> float:
    """Minutes after 07:30: two thirds in the morning (peak ~ 09:00), the rest after 13:30."""
    if rng.random() < 0.66:
        return min(max(rng.gauss(90, 55), 0), 240)
    return 360 + min(max(rng.gauss(90, 60), 0), 210)


def fill(store: Store, days: int, per_day: int, seed: int) -> int:
    rng = random.Random(seed)
    last_day = date.today() - timedelta(days=1)
    count = 0
    next_id = store.last_ticket_id()
    for back in range(days, 0, -1):
        day = last_day - timedelta(days=back - 1)
        opening = datetime(day.year, day.month, day.day, 7, 30, tzinfo=ZONE)
        # At least `per_day`: a busy centre's quiet days are its floor, not its average.
        n = max(per_day, int(rng.gauss(per_day * 1.08, per_day / 20)))
        sequences = dict.fromkeys((s[0] for s in SERVICES), 0)
        with store.transaction():
            for issued_min in sorted(_issue_minute(rng) for _ in range(n)):
                code, prefix, mean_service, _ = rng.choice(SERVICES)
                sequences[code] += 1
                issued_at = opening + timedelta(minutes=issued_min)
                next_id += 1
                ticket = Ticket(
                    id=next_id,
                    number=f"{prefix}{sequences[code]:03d}",
                    service=code,
                    day=day,
                    sequence=sequences[code],
                    issued_at=issued_at.astimezone(UTC),
                    rank=next_id,
                    priority=rng.random() < 0.1,
                )
                store.insert_ticket(ticket, IssueRecord(ticket.id, code, "bench"))
                count += 1
                fate = rng.random()
                if fate < 0.02:
                    cancelled = ticket.replace(
                        status=TicketStatus.CANCELLED, finished_at=ticket.issued_at
                    )
                    store.update_tickets([cancelled])
                    continue
                called_at = ticket.issued_at + timedelta(minutes=rng.lognormvariate(2.4, 0.7))
                counter = rng.randint(1, 6)
                clerk = USERNAMES[(counter + day.toordinal()) % len(USERNAMES)]
                served = fate >= 0.08
                finished_at = called_at + timedelta(
                    minutes=rng.lognormvariate(math.log(mean_service), 0.5) if served else 2
                )
                done = ticket.replace(
                    status=TicketStatus.DONE if served else TicketStatus.NO_SHOW,
                    called_at=called_at,
                    finished_at=finished_at,
                    counter=counter,
                    clerk=clerk,
                )
                store.update_tickets([done])
                if served and rng.random() < 0.45:
                    score = rng.choices((1, 2, 3), weights=(3, 25, 72))[0]
                    store.insert_rating(
                        Rating(
                            ticket.id,
                            score,
                            3,
                            (),
                            None,
                            finished_at,
                            counter,
                            clerk,
                            code,
                            "rating",
                        )
                    )
    return count


def timed(work: Callable[[], object], runs: int = 3) -> float:
    """The best of `runs` wall times of `work`, in seconds."""
    best = math.inf
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def measure(data_dir: Path, name: str, days: tuple[date, date], now: datetime) -> dict[str, float]:
    """Timings of the reads, each summary and the workbook over `days`."""
    reader = connect(data_dir)
    first, last = days
    try:
        found = {f"{name}_tickets_read_s": timed(lambda: reader.report_visits(first, last), runs=1)}
        for by in Grouping:
            found[f"{name}_{by.value}_s"] = timed(
                lambda by=by: summary(read(reader, first, last, (by,)), by)  # type: ignore[misc]
            )
        found[f"{name}_export_s"] = timed(lambda: workbook(read(reader, first, last), now), runs=1)
    finally:
        reader.close()
    return {key: round(value, 3) for key, value in found.items()}


def fill_new(data_dir: Path, days: int, per_day: int, seed: int) -> float:
    """Seconds to fill a new database in `data_dir` with `days` of history."""
    (data_dir / "site.toml").write_text(SITE, encoding="utf-8")
    store = open_store(data_dir, data_dir / "site.toml")
    now = datetime.now(UTC)
    with store.transaction():
        for username, name in CLERKS.items():
            add_user(store, username, "x", Role.CLERK, name, now)
    start = time.perf_counter()
    fill(store, days, per_day, seed)
    fill_s = time.perf_counter() - start
    store.close()
    return fill_s


def backfill(data_dir: Path) -> float:
    """Seconds the migration m013 takes to keep the daily figures of the history it finds,
    run again as on a database that had none."""
    with sqlite3.connect(data_dir / DATABASE_NAME) as db:
        for table in ("daily_figures", "daily_figures_days", "daily_figures_seen"):
            db.execute(f"drop table if exists {table}")
        db.execute("delete from _sqlite_migrations where name = 'm013_daily_figures'")
    start = time.perf_counter()
    store = connect(data_dir)
    store.migrate()
    store.close()
    return time.perf_counter() - start


def daily_figures_mb(data_dir: Path) -> float:
    """What the daily figures take in the database (SQLite's dbstat)."""
    with sqlite3.connect(data_dir / DATABASE_NAME) as db:
        try:
            (size,) = db.execute(
                "select sum(pgsize) from dbstat where name like 'daily_figures%'"
            ).fetchone()
        except sqlite3.OperationalError:  # a SQLite built without dbstat
            return float("nan")
    return float(size or 0) / 1e6


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def hall_during_export(data_dir: Path, days: tuple[date, date], calls: int) -> dict[str, float]:
    """Call-next latencies of a real `motcua serve` on the filled database, alone and while
    a supervisor downloads the workbook of `days`."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' helpers
    from tests.helpers.server_process import serve

    store = connect(data_dir)
    now = datetime.now(UTC)
    with store.transaction():
        add_user(store, "giamsat", "x", Role.SUPERVISOR, "Giám sát", now)
        token, _ = issue_user_token(store, "giamsat", now, 3600)
        _, kiosk = add_device(store, "bench kiosk", Role.KIOSK, now)
    store.close()
    with serve(data_dir) as server, server.client(token) as staff, server.client(kiosk) as booth:

        def call_next(n: int) -> list[float]:
            found = []
            for _ in range(n):
                assert booth.post("/api/tickets", json={"service": "DD"}).status_code == 201
                start = time.perf_counter()
                answer = staff.post("/api/counters/1/call-next")
                found.append(time.perf_counter() - start)
                assert answer.status_code == 200, answer.text
            return found

        first, last = days
        with server.client(token, timeout=600) as reader:
            # The report worker is started by the first report of a server's life, and the
            # day before the calls' day is kept then too: a one-day summary does both, so
            # what follows measures reports, not a process starting.
            answer = reader.get(f"/api/reports/summary?from={last}&to={last}")
            assert answer.status_code == 200, answer.text
        call_next(20)  # warm up
        alone = call_next(calls)
        exported: list[float] = []
        stop = threading.Event()

        def export() -> None:
            # Whole-range workbooks back to back, for as long as the calls are measured.
            with server.client(token, timeout=600) as reader:
                while not stop.is_set():
                    start = time.perf_counter()
                    answer = reader.get(f"/api/reports/export.xlsx?from={first}&to={last}")
                    assert answer.status_code == 200, answer.text
                    exported.append(time.perf_counter() - start)

        worker = threading.Thread(target=export)
        worker.start()
        while not exported and worker.is_alive():  # from now on, one is always under way
            time.sleep(0.01)
        during = call_next(calls)
        stop.set()
        worker.join()
        server.stop_cleanly()  # its report worker leaves with it
    return {
        "call_p50_ms": _percentile(alone, 0.5) * 1000,
        "call_p99_ms": _percentile(alone, 0.99) * 1000,
        "exports_over_http": len(exported),
        "export_over_http_s": statistics.median(exported),
        "calls_during_exports": len(during),
        "call_during_export_p50_ms": _percentile(during, 0.5) * 1000,
        "call_during_export_p99_ms": _percentile(during, 0.99) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--per-day", type=int, default=2700)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--calls",
        type=int,
        default=200,
        help="call-next latencies measured on a real server, alone and during a whole-range "
        "export (0: skip)",
    )
    parser.add_argument(
        "--filled",
        type=Path,
        help="a folder to keep the filled database in and to reuse on the next run (the "
        "measurements run on a copy); without it, a temporary one",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="motcua-bench-reports-") as folder:
        data_dir = Path(folder) / "data"
        filled = args.filled or Path(folder) / "filled"
        fill_s = 0.0
        if not (filled / DATABASE_NAME).exists():
            filled.mkdir(parents=True, exist_ok=True)
            fill_s = fill_new(filled, args.days, args.per_day, args.seed)
        shutil.copytree(filled, data_dir)
        keep_s = backfill(data_dir)
        size_mb = sum(p.stat().st_size for p in data_dir.glob(DATABASE_NAME + "*")) / 1e6
        with sqlite3.connect(data_dir / DATABASE_NAME) as db:
            (tickets,) = db.execute("select count(*) from tickets").fetchone()
        now = datetime.now(UTC)
        results: dict[str, object] = {
            "days": args.days,
            "tickets": tickets,
            "fill_s": round(fill_s, 1),
            "keep_s": round(keep_s, 1),
            "database_mb": round(size_mb, 1),
            "daily_figures_mb": round(daily_figures_mb(data_dir), 1),
        }
        last = date.today() - timedelta(days=1)
        ranges = {
            "month": (last - timedelta(days=29), last),
            "year": (last - timedelta(days=args.days - 1), last),
        }
        for name, days in ranges.items():
            results.update(measure(data_dir, name, days, now))
        if args.calls:
            hall = hall_during_export(data_dir, ranges["year"], args.calls)
            results.update({key: round(value, 3) for key, value in hall.items()})
    if args.json:
        print(json.dumps(results))
    else:
        for key, value in results.items():
            print(f"{key:>22}  {value}")


if __name__ == "__main__":
    main()
