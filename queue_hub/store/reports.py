"""What a province summary reads: the daily tallies of a range of days, added up in the
database per centre and grouping key, never a ticket (`queue_hub.projection`)."""

from __future__ import annotations

from collections.abc import Iterator
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
) -> Iterator[tuple[str, Any, DailyTally]]:
    """(centre, key, tally) for every centre and key with a ticket issued in the range."""
    key = KEYS[by]
    params: list[Any] = [first, last] + ([centre] if centre is not None else [])
    found: dict[tuple[str, Any], DailyTally] = {}
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
        found[(row[0], row[1])] = tally
    waits = conn.execute(
        f"select centre, {key} as k, w.key::int, sum(w.value::int)"
        f" from daily, jsonb_each_text(waits) as w where {_where(centre)} group by 1, 2, 3",
        params,
    )
    for centre_code, k, bucket, count in waits:
        found[(centre_code, k)].waits[int(bucket)] = int(count)
    for (centre_code, k), tally in found.items():
        yield centre_code, k, tally
