"""The rollups a summary reads (whole months per centre, days' totals) give figures
identical to the day-by-day merge of every key's row, on random tallies over random
ranges, and the migrations' rollups of a history already held are the same."""

from __future__ import annotations

import random
from datetime import date, timedelta

import psycopg

from queue_hub.projection import DailyTally, wait_bucket
from queue_hub.reports import summary
from queue_hub.store import HubStore
from queue_hub.store.schema import migrate
from tests.hub.centre_log import add_centre

FIRST = date(2025, 11, 20)
DAYS = 100
BY = ("centre", "service", "day", "hour")


def _random_changes(rng: random.Random) -> dict[tuple[date, str, int], DailyTally]:
    changes: dict[tuple[date, str, int], DailyTally] = {}
    for _ in range(rng.randrange(20, 60)):
        key = (FIRST + timedelta(days=rng.randrange(DAYS)), rng.choice("ABC"), rng.randrange(7, 17))
        tally = changes.setdefault(key, DailyTally())
        for _ in range(rng.randrange(1, 6)):
            wait_s = rng.randrange(0, 3600)  # whole seconds: the sums are exact in any order
            tally.issued += 1
            tally.called += 1
            tally.wait_sum_s += wait_s
            tally.within_target += wait_s <= 1200
            tally.waits[wait_bucket(wait_s)] = tally.waits.get(wait_bucket(wait_s), 0) + 1
            if rng.random() < 0.7:
                tally.served += 1
                tally.service_sum_s += rng.randrange(60, 900)
                tally.service_n += 1
            else:
                tally.no_show += 1
            tally.ratings[rng.randrange(5)] += rng.random() < 0.5
    return changes


def _undo(
    changes: dict[tuple[date, str, int], DailyTally],
) -> dict[tuple[date, str, int], DailyTally]:
    """Some of `changes` taken back, as an ingest's differences do."""
    undone: dict[tuple[date, str, int], DailyTally] = {}
    for key, tally in list(changes.items())[::3]:
        minus = DailyTally()
        minus.merge(tally)
        minus.issued, minus.called, minus.served = -tally.issued, -tally.called, -tally.served
        minus.no_show, minus.within_target = -tally.no_show, -tally.within_target
        minus.wait_sum_s, minus.service_sum_s = -tally.wait_sum_s, -tally.service_sum_s
        minus.service_n = -tally.service_n
        minus.ratings = [-n for n in tally.ratings]
        minus.waits = {b: -n for b, n in tally.waits.items()}
        undone[key] = minus
    return undone


def _ranges(rng: random.Random) -> list[tuple[date, date]]:
    ranges = [(FIRST, FIRST + timedelta(days=DAYS - 1)), (date(2025, 12, 1), date(2026, 1, 31))]
    for _ in range(8):
        a, b = sorted(rng.sample(range(-3, DAYS + 3), 2))
        ranges.append((FIRST + timedelta(days=a), FIRST + timedelta(days=b)))
    return ranges


def _same_figures(store: HubStore, rng: random.Random) -> None:
    for first, last in _ranges(rng):
        for centre in ("all", "C1"):
            for by in BY:
                args = (store, first.isoformat(), last.isoformat(), centre, by)
                assert summary(*args) == summary(*args, rollups=False), (first, last, centre, by)


def test_the_rollups_give_the_day_by_day_figures(hub_store: HubStore) -> None:
    rng = random.Random(16)
    for code in ("C1", "C2", "C3"):
        add_centre(hub_store, code)
        for _ in range(3):
            changes = _random_changes(rng)
            hub_store.add_tallies(code, changes)
            hub_store.add_tallies(code, _undo(changes))
    _same_figures(hub_store, rng)


def test_the_migration_rolls_up_the_history_held(hub_store: HubStore, database_url: str) -> None:
    rng = random.Random(61)
    for code in ("C1", "C2"):
        add_centre(hub_store, code)
        hub_store.add_tallies(code, _random_changes(rng))
    with psycopg.connect(database_url) as conn:
        kept = conn.execute("select * from rollup order by 1, 2, 3, 4").fetchall()
        days = conn.execute("select * from province_day_waits order by 1").fetchall()
        conn.execute("drop table rollup, province_day_waits")
        conn.execute(
            "delete from schema_migrations where name = any(%s)",
            [["m005_rollups", "m006_province_day_waits"]],
        )
        conn.commit()
        assert migrate(conn) == ["m005_rollups", "m006_province_day_waits"]
        assert conn.execute("select * from rollup order by 1, 2, 3, 4").fetchall() == kept
        assert conn.execute("select * from province_day_waits order by 1").fetchall() == days
    _same_figures(hub_store, rng)
