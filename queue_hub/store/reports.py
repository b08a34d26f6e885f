"""What a province summary reads: the daily tallies of a range of days, added up in the
database per centre and grouping key, never a ticket (`queue_hub.projection`)."""

from __future__ import annotations

from datetime import date
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


def tallies(
    conn: psycopg.Connection, first: date, last: date, centre: str | None, by: str
) -> tuple[list[tuple[str, Any, DailyTally]], dict[Any, dict[int, int]]]:
    """(centre, key, tally) for every centre and key with a ticket issued in the range,
    the tallies without their waits; and the waits' histogram per key, every centre's
    together (the histogram is what costs: it is added up once per key, not per centre)."""
    key = KEYS[by]
    params: list[Any] = [first, last] + ([centre] if centre is not None else [])
    found: list[tuple[str, Any, DailyTally]] = []
    sums = conn.execute(
        f"select centre, {key} as k, {_SUMS} from daily where {_where(centre)} group by 1, 2",
        params,
    )
    for row in sums:
        tally = DailyTally(
            issued=int(row[2]),
            called=int(row[3]),
            served=int(row[4]),
            no_show=int(row[5]),
            cancelled=int(row[6]),
            expired=int(row[7]),
            within_target=int(row[8]),
            wait_sum_s=float(row[9]),
            service_sum_s=float(row[10]),
            service_n=int(row[11]),
            ratings=[int(n) for n in row[12 : 12 + MAX_SCORE]],
        )
        found.append((row[0], row[1], tally))
    hist_key = "centre" if by == "centre" else key
    waits: dict[Any, dict[int, int]] = {}
    rows = conn.execute(
        f"select {hist_key} as k, w.key::int, sum(w.value::int)"
        f" from daily, jsonb_each_text(waits) as w where {_where(centre)} group by 1, 2",
        params,
    )
    for k, bucket, count in rows:
        waits.setdefault(k, {})[int(bucket)] = int(count)
    return found, waits
