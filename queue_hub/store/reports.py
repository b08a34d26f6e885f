"""What a province summary reads: the tallies of a range of days, added up in the
database per centre and grouping key, never a ticket (`queue_hub.projection`).

The rollups (table `rollup`, kept with `daily` in ingest's transaction) hold each
centre's whole months per grouping and its days' totals: a summary reads the rollups of
the months its range covers whole, and `daily` only for the days at either edge
(`by=day` reads the days' totals alone). `daily_tallies` reads every key's row of every
day: the reference the rollups are tested against."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import psycopg

from queue_hub.projection import MAX_SCORE, DailyTally

KEYS = {"centre": "null::text", "service": "service", "day": "day", "hour": "hour"}
"""The SQL of each grouping's key (`by=centre` groups by the centre alone)."""

_SUMS = (
    "sum(issued), sum(called), sum(served), sum(no_show), sum(cancelled), sum(expired),"
    " sum(within_target), sum(wait_sum_s), sum(service_sum_s), sum(service_n), "
    + ", ".join(f"sum(ratings[{i}])" for i in range(1, MAX_SCORE + 1))
)


def _where(centre: str | None) -> str:
    return "day between %s and %s" + (" and centre = %s" if centre is not None else "")


def _tally(row: Any) -> DailyTally:
    return DailyTally(
        issued=int(row[0]),
        called=int(row[1]),
        served=int(row[2]),
        no_show=int(row[3]),
        cancelled=int(row[4]),
        expired=int(row[5]),
        within_target=int(row[6]),
        wait_sum_s=float(row[7]),
        service_sum_s=float(row[8]),
        service_n=int(row[9]),
        ratings=[int(n) for n in row[10 : 10 + MAX_SCORE]],
    )


Found = tuple[list[tuple[str, Any, DailyTally]], dict[Any, dict[int, int]]]


def _sums(
    conn: psycopg.Connection, source: str, params: list[Any]
) -> list[tuple[str, Any, DailyTally]]:
    return [
        (row[0], row[1], _tally(row[2:]))
        for row in conn.execute(
            f"with src as ({source}) select centre, k, {_SUMS} from src group by 1, 2", params
        )
    ]


def _read(conn: psycopg.Connection, source: str, params: list[Any], by: str) -> Found:
    """Sums per (centre, key) and the waits' histogram per key of `source`, a query of
    rows (centre, k, the tally's columns, waits)."""
    found = _sums(conn, source, params)
    hist_key = "centre" if by == "centre" else "k"
    waits: dict[Any, dict[int, int]] = {}
    rows = conn.execute(
        f"with src as ({source}) select {hist_key}, w.key::int, sum(w.value::int)"
        " from src, jsonb_each_text(src.waits) as w group by 1, 2",
        params,
    )
    for k, bucket, count in rows:
        waits.setdefault(k, {})[int(bucket)] = int(count)
    return found, waits


_COLUMNS = (
    "issued, called, served, no_show, cancelled, expired, within_target, wait_sum_s,"
    " service_sum_s, service_n, ratings, waits"
)


def daily_tallies(
    conn: psycopg.Connection, first: date, last: date, centre: str | None, by: str
) -> Found:
    """(centre, key, tally) for every centre and key with a ticket issued in the range,
    the tallies without their waits; and the waits' histogram per key, every centre's
    together (the histogram is what costs: it is added up once per key, not per centre).
    From every key's row of every day."""
    params: list[Any] = [first, last] + ([centre] if centre is not None else [])
    source = f"select centre, {KEYS[by]} as k, {_COLUMNS} from daily where {_where(centre)}"
    return _read(conn, source, params, by)


def _whole_months(first: date, last: date) -> tuple[date, date] | None:
    """The first and last month (their first days) lying whole in [first, last]."""
    start = first if first.day == 1 else (first.replace(day=1) + timedelta(days=32)).replace(day=1)
    end = (last + timedelta(days=1)).replace(day=1)  # the month after the last whole one
    if start >= end:
        return None
    return start, (end - timedelta(days=1)).replace(day=1)


def tallies(
    conn: psycopg.Connection, first: date, last: date, centre: str | None, by: str
) -> Found:
    """As `daily_tallies`, from the rollups where they cover the range."""
    mine = " and centre = %s" if centre is not None else ""
    own: list[Any] = [centre] if centre is not None else []
    if by == "day":
        source = (
            f"select centre, period::text as k, {_COLUMNS} from rollup"
            f" where grouping = 'day' and period between %s and %s{mine}"
        )
        if centre is not None:
            return _keys(_read(conn, source, [first, last, *own], by), by)
        # The sums per centre (their rating scales differ), the waits per day: one
        # histogram of every centre's (`province_day_waits`).
        waits: dict[Any, dict[int, int]] = {}
        histograms = conn.execute(
            "select day::text, w.key::int, w.value::int"
            " from province_day_waits, jsonb_each_text(waits) as w where day between %s and %s",
            [first, last],
        )
        for k, bucket, count in histograms:
            waits.setdefault(k, {})[int(bucket)] = int(count)
        return _keys((_sums(conn, source, [first, last]), waits), by)
    months = _whole_months(first, last)
    if months is None:
        return daily_tallies(conn, first, last, centre, by)
    start, end = months
    after_end = (end + timedelta(days=32)).replace(day=1)
    # The edge days: by centre, their totals; otherwise every key's row of them.
    edges = (
        f"select centre, key as k, {_COLUMNS} from rollup where grouping = 'day' and"
        if by == "centre"
        else f"select centre, {KEYS[by]}::text as k, {_COLUMNS} from daily where"
    )
    column = "period" if by == "centre" else "day"
    source = (
        f"select centre, key as k, {_COLUMNS} from rollup"
        f" where grouping = %s and period between %s and %s{mine}"
        f" union all {edges} ({column} between %s and %s or {column} between %s and %s){mine}"
    )
    params = [by, start, end, *own, first, start - timedelta(days=1), after_end, last, *own]
    return _keys(_read(conn, source, params, by), by)


def _keys(found: Found, by: str) -> Found:
    """The keys as `daily_tallies` gives them (the rollups keep them as text)."""
    if by == "centre":
        return [(c, None, t) for c, _, t in found[0]], found[1]
    if by == "hour":
        return [(c, int(k), t) for c, k, t in found[0]], {int(k): h for k, h in found[1].items()}
    if by == "day":
        return [(c, date.fromisoformat(k), t) for c, k, t in found[0]], {
            date.fromisoformat(k): h for k, h in found[1].items()
        }
    return found
