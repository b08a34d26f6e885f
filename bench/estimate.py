"""Benchmark: how far the printed wait estimate is from the real wait, before and after.

It plays whole days at a generated commune centre through the server's own code, in
process: `QueueService` over the single `Writer` on a real SQLite file in a temporary
directory, with a `FrozenClock` moved from event to event (the path every API request
takes, without HTTP). A day has a busy morning, a lunch dip (clerks stop at 11:45 and
come back at 13:30), a calmer afternoon, five services whose real service times differ
from their configured averages (log-normal), six counters serving one to three services
each, 10 % priority tickets and 6 % no-shows (two minutes of recalls, then "vắng mặt").

For every ticket it records, at the moment of issue, the estimate the server printed
(`estimated_wait_minutes` of the issue's answer) and what the previous estimator would
have printed on the same state (kept below: the day's mean service time from the first
completion, times the tickets of the same queue issued earlier, no priority, no blend,
no floor), then the real wait until its first call. It prints, per seed, the median
absolute error in minutes of each, and two hybrids that tell the two changes apart:
the old people-ahead with the new typical time, and the new people-ahead with the
day's mean.

Run: `.venv/bin/python bench/estimate.py [--seeds 1 2 3 4 5] [--json]`. It prints figures and
asserts nothing about them; it exits 1 only if the simulation itself goes wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import itertools
import json
import math
import random
import statistics
import sys
import tempfile
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from queue_core.clock import FrozenClock
from queue_core.estimate import (
    RECENT_COMPLETIONS,
    estimated_wait_s,
    serving_capacity,
    typical_service_s,
)
from queue_core.model import Counter, CounterState
from queue_core.protocol import IssueRequest
from queue_server.auth import Principal
from queue_server.database import open_store
from queue_server.roles import Role
from queue_server.service import QueueService

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = datetime(2026, 11, 23, tzinfo=TIMEZONE)  # a Monday


@dataclass(frozen=True)
class ServiceSpec:
    code: str
    name: str
    configured_minutes: float  # what the admin wrote in the site file
    median_minutes: float  # what a case really takes: log-normal around this
    spread: float  # sigma of the log
    share: float  # of the day's arrivals


SERVICES = (
    ServiceSpec("TP", "Tư pháp – Hộ tịch", 8, 5.5, 0.6, 0.30),
    ServiceSpec("DD", "Đất đai", 15, 16, 0.5, 0.20),
    ServiceSpec("LD", "Lao động – Thương binh và Xã hội", 10, 7, 0.6, 0.15),
    ServiceSpec("XD", "Xây dựng – Quản lý đô thị", 12, 13, 0.5, 0.10),
    ServiceSpec("KQ", "Trả kết quả", 5, 2.5, 0.5, 0.25),
)
COUNTERS = {
    1: ("DD",),
    2: ("DD", "XD"),
    3: ("TP",),
    4: ("TP", "LD"),
    5: ("KQ", "TP"),
    6: ("LD", "KQ", "XD"),
}
# Arrivals an hour, by local time of day: the morning rush, the lunch dip, the afternoon.
ARRIVALS_PER_HOUR = (
    ("07:30", "08:00", 30),
    ("08:00", "10:00", 70),
    ("10:00", "11:30", 40),
    ("11:30", "13:30", 6),
    ("13:30", "15:30", 35),
    ("15:30", "17:00", 20),
)
# Clerks' hours: they finish the morning's citizens until 11:45 and stop at 17:15.
SHIFTS = (("07:30", "11:45"), ("13:30", "17:15"))
PRIORITY_SHARE = 0.10
NO_SHOW_SHARE = 0.06
NO_SHOW_RECALLS = timedelta(minutes=2)
IDLE_POLL = timedelta(seconds=20)

SITE = "\n".join(
    [
        "[site]",
        'name = "Trung tâm Phục vụ hành chính công xã Thử Nghiệm"',
        "priority_ratio = 3",
        *(
            f'[[services]]\ncode = "{s.code}"\nname = "{s.name}"\nprefix = "{i + 1}"\n'
            f"average_service_minutes = {s.configured_minutes}"
            for i, s in enumerate(SERVICES)
        ),
        *(
            f"[[counters]]\nnumber = {n}\nservices = {json.dumps(list(codes))}"
            for n, codes in COUNTERS.items()
        ),
    ]
)

KIOSK = Principal("device", "1", Role.KIOSK, "Kiosk")


def clerk(counter: int) -> Principal:
    return Principal("user", f"clerk{counter}", Role.CLERK, f"Cán bộ {counter}")


def at(hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return DAY.replace(hour=hours, minute=minutes).astimezone(UTC)


# --- the estimator before issue #12, kept here to compare on the same traffic -------------


def old_estimate_minutes(
    ahead: int, observed_s: float | None, configured_s: float, serving: int
) -> int:
    """The day's mean (from the first completion on) × the same queue's earlier tickets."""
    if ahead == 0:
        return 0
    average = observed_s if observed_s is not None else configured_s
    return math.ceil(math.ceil(ahead * average / max(serving, 1)) / 60)


def new_time_minutes(
    ahead: int, recent_s: Sequence[float], configured_s: float, capacity: float
) -> int:
    """The new typical time and capacity, for any people-ahead figure."""
    if ahead == 0:
        return 0
    typical = typical_service_s(recent_s, configured_s)
    return math.ceil(estimated_wait_s(ahead, typical, capacity) / 60)


# --- one simulated day ------------------------------------------------------------------


@dataclass
class Record:
    service: str
    priority: bool
    issued_at: datetime
    printed: int  # minutes: what the server printed
    old: int  # what the old estimator would have printed
    old_ahead_new_time: int
    new_ahead_old_time: int
    called_at: datetime | None = None


@dataclass
class Hall:
    """What the simulation itself knows, to replay the old estimator without the server."""

    waiting: dict[int, tuple[str, bool]] = field(default_factory=dict)  # id -> (service, priority)
    durations: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    recent: dict[str, deque[float]] = field(
        default_factory=lambda: defaultdict(lambda: deque(maxlen=RECENT_COMPLETIONS))
    )


def arrivals(rng: random.Random) -> list[tuple[datetime, str, bool]]:
    out = []
    codes = [s.code for s in SERVICES]
    weights = [s.share for s in SERVICES]
    for start, end, per_hour in ARRIVALS_PER_HOUR:
        t, stop = at(start), at(end)
        while True:
            t += timedelta(hours=rng.expovariate(per_hour))
            if t >= stop:
                break
            out.append((t, rng.choices(codes, weights)[0], rng.random() < PRIORITY_SHARE))
    return out


async def run_day(seed: int, data_dir: Path) -> list[Record]:
    rng = random.Random(seed)
    specs = {s.code: s for s in SERVICES}
    site_file = data_dir / "site.toml"
    data_dir.mkdir(parents=True)
    site_file.write_text(SITE, encoding="utf-8")
    reader = open_store(data_dir, site_file)
    site = reader.site()
    assert site is not None
    clock = FrozenClock(at("07:00"))
    queue = QueueService.with_writer(site, reader, clock, lambda: open_store(data_dir))
    writer = queue.writer
    writer.start()
    records: dict[int, Record] = {}
    hall = Hall()
    # At each counter: (ticket id, service, called at, no-show) of the citizen there.
    current: dict[int, tuple[int, str, datetime, bool] | None] = dict.fromkeys(COUNTERS)
    order = itertools.count()
    events: list[tuple[datetime, int, str, object]] = []
    for when, code, priority in arrivals(rng):
        heapq.heappush(events, (when, next(order), "arrive", (code, priority)))
    for number in COUNTERS:
        start = at("07:30") + timedelta(seconds=rng.uniform(0, 600))
        heapq.heappush(events, (start, next(order), "free", number))

    def finish(number: int, now: datetime) -> None:
        held = current[number]
        if held is not None and not held[3]:
            seconds = (now - held[2]).total_seconds()
            hall.durations[held[1]].append(seconds)
            hall.recent[held[1]].append(seconds)
        current[number] = None

    try:
        while events:
            now, _, kind, data = heapq.heappop(events)
            clock.set(now)
            if kind == "arrive":
                code, priority = data  # type: ignore[misc]
                states = {c.number: c.state for c in queue.counters()}
                serving_all = [n for n, codes in COUNTERS.items() if code in codes]
                open_serving = [n for n in serving_all if states[n] is CounterState.OPEN]
                serving = len(open_serving) or len(serving_all)
                capacity = serving_capacity(
                    code,
                    [Counter(n, "", codes, state=states[n]) for n, codes in COUNTERS.items()],
                )
                ticket = await queue.issue(
                    IssueRequest(service=code, priority=priority), KIOSK, None
                )
                configured_s = specs[code].configured_minutes * 60
                old_ahead = sum(1 for (c, _p) in hall.waiting.values() if c == code)
                day_mean = statistics.fmean(hall.durations[code]) if hall.durations[code] else None
                records[ticket.id] = Record(
                    service=code,
                    priority=priority,
                    issued_at=now,
                    printed=ticket.estimated_wait_minutes,
                    old=old_estimate_minutes(old_ahead, day_mean, configured_s, serving),
                    old_ahead_new_time=new_time_minutes(
                        old_ahead, hall.recent[code], configured_s, capacity
                    ),
                    new_ahead_old_time=old_estimate_minutes(
                        ticket.waiting_ahead, day_mean, configured_s, serving
                    ),
                )
                hall.waiting[ticket.id] = (code, priority)
            elif kind == "free":
                number = data
                assert isinstance(number, int)
                shift = next((s for s in SHIFTS if at(s[0]) <= now < at(s[1])), None)
                if shift is None:
                    held = current[number]
                    finish(number, now)
                    if held is not None and not held[3]:
                        await queue.complete(held[0], clerk(number))
                    later = [at(s[0]) for s in SHIFTS if at(s[0]) > now]
                    if later:
                        heapq.heappush(events, (later[0], next(order), "free", number))
                    continue
                finish(number, now)
                called = await queue.call_next(number, clerk(number))
                if called is None:
                    heapq.heappush(events, (now + IDLE_POLL, next(order), "free", number))
                    continue
                record = records[called.id]
                if record.called_at is None:
                    record.called_at = now
                hall.waiting.pop(called.id, None)
                no_show = rng.random() < NO_SHOW_SHARE
                current[number] = (called.id, called.service, now, no_show)
                if no_show:
                    heapq.heappush(events, (now + NO_SHOW_RECALLS, next(order), "no_show", number))
                else:
                    spec = specs[called.service]
                    minutes = spec.median_minutes * math.exp(rng.gauss(0, spec.spread))
                    heapq.heappush(
                        events, (now + timedelta(minutes=minutes), next(order), "free", number)
                    )
            else:  # a no-show after the recalls: mark it, then call the next at once
                number = data
                assert isinstance(number, int)
                held = current[number]
                assert held is not None
                await queue.no_show(held[0], clerk(number))
                current[number] = None
                heapq.heappush(events, (now, next(order), "free", number))
    finally:
        writer.stop()
        reader.close()
    return list(records.values())


# --- figures ------------------------------------------------------------------------------


def errors(records: list[Record], attribute: str) -> list[float]:
    return [
        getattr(r, attribute) - (r.called_at - r.issued_at).total_seconds() / 60
        for r in records
        if r.called_at is not None
    ]


def summary(records: list[Record]) -> dict[str, object]:
    called = [r for r in records if r.called_at is not None]
    row: dict[str, object] = {"tickets": len(records), "called": len(called)}
    waits = [(r.called_at - r.issued_at).total_seconds() / 60 for r in called]  # type: ignore[operator]
    row["wait_median_min"] = round(statistics.median(waits), 1)
    for name in ("old", "printed", "old_ahead_new_time", "new_ahead_old_time"):
        err = errors(records, name)
        row[f"{name}_mae"] = round(statistics.median(abs(e) for e in err), 1)
        row[f"{name}_bias"] = round(statistics.median(err), 1)
    early = [r for r in records if r.issued_at < at("09:00")]
    for name in ("old", "printed"):
        urgent = errors([r for r in records if r.priority], name)
        row[f"{name}_mae_priority"] = round(statistics.median(abs(e) for e in urgent), 1)
        row[f"{name}_mae_before_9"] = round(
            statistics.median(abs(e) for e in errors(early, name)), 1
        )
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--json", action="store_true", help="also one JSON line per seed")
    args = parser.parse_args(argv)
    every: list[Record] = []
    header = (
        f"{'seed':>5} {'tickets':>7} {'called':>6} {'wait p50':>8} | {'OLD':>5} {'NEW':>5} |"
        f" {'old ahead,':>10} {'new ahead,':>10} | {'priority':>11} | {'before 9:00':>11} |"
        f" {'bias (signed)':>13}\n"
        f"{'':>30} | {'':>5} {'':>5} | {'new time':>10} {'old time':>10} |"
        f" {'OLD':>5} {'NEW':>5} | {'OLD':>5} {'NEW':>5} | {'OLD':>6} {'NEW':>6}"
    )
    print("median absolute error of the printed estimate against the real wait, minutes")
    print(header)
    rows = []
    for seed in args.seeds:
        with tempfile.TemporaryDirectory(prefix="motcua-estimate-") as tmp:
            records = asyncio.run(run_day(seed, Path(tmp) / "data"))
        every += records
        rows.append(("seed", seed, summary(records)))
    rows.append(("all", "all", summary(every)))
    for _, label, row in rows:
        print(
            f"{label!s:>5} {row['tickets']:>7} {row['called']:>6} {row['wait_median_min']:>8} |"
            f" {row['old_mae']:>5} {row['printed_mae']:>5} |"
            f" {row['old_ahead_new_time_mae']:>10} {row['new_ahead_old_time_mae']:>10} |"
            f" {row['old_mae_priority']:>5} {row['printed_mae_priority']:>5} |"
            f" {row['old_mae_before_9']:>5} {row['printed_mae_before_9']:>5} |"
            f" {row['old_bias']:>6} {row['printed_bias']:>6}"
        )
        if args.json:
            print(json.dumps({"seed": label, **row}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
