"""Daily figures: each closed day's report tallies, so that a report never rescans history.

For every site day before the newest day with a ticket (today, in a working hall), the
table `daily_figures` holds one row per grouping (service, counter, clerk, day, hour) and
key: the day's `queue_core.report.Tally` of that key, which merges exactly with other days'
(see `Tally`). A report of a range merges the stored rows of its closed days and tallies
the rest, today above all, from their tickets: a day or so of tickets.

Nothing is added to the hall's writes. A day is tallied once it is over, in the reports'
worker (by the first report that needs it, or by the hourly keep-up: the store's
`report_tallies` and `keep_daily_figures`) or by the migration for the history it finds,
and is kept
right by the event log: every change to a ticket or its rating appends an event naming the
ticket (ARCHITECTURE, rule 5), so a stored day is stale exactly when an event after the
last one checked (`daily_figures_seen`) names one of its tickets — a late rating, the day
change expiring what it left open, a supervisor's act. Such a day's rows are dropped and
tallied again from its tickets. A day is also tallied again when what its tallies were
judged by (`Rules.basis`: its services' targets, the site's timezone) has changed since.
Each check reads only the events since the previous one.

`refresh` reads in one snapshot; `mark_checked` and `write_days` then write what it found
in short transactions (a few days each), so the hall's writer never waits long for the
write lock, and only while no one else moved `daily_figures_seen` meanwhile.
"""

from __future__ import annotations

import json
import sys
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlite_utils import Database

from queue_core.report import Grouping, Key, Rules, Tally, Visit, WaitTotals, tally_every
from queue_core.site import site_from_data
from queue_server.store.sqlite import reports as _reports  # m012 first
from queue_server.store.sqlite.schema import migrations

COLUMNS = (
    "issued",
    "called",
    "served",
    "no_show",
    "cancelled",
    "expired",
    "within_target",
    "wait_us",
    "wait_max_us",
    "timed",
    "service_us",
)
# Ratings per score, 1 to 5 (a site's scale has 3 to 5 levels; `Tally.figures` puts a
# score above today's scale at its top level, so 5 holds any score above it as well).
RATED = tuple(f"rated_{score}" for score in range(1, 6))
NUMERIC_KEYS = (Grouping.COUNTER, Grouping.HOUR)
DAYS_PER_READ = 14  # tickets read at once when tallying many days: bounded memory
DAYS_PER_WRITE = 10  # days written per transaction: the write lock held a few ms
UNCHECKED_MAX = 20_000  # events left unchecked (about two busy days) before a report marks


@migrations()
def m013_daily_figures(db: Database) -> None:
    db.execute(
        "create table if not exists daily_figures ("
        " grouping text not null, day text not null, key text not null,"
        + "".join(
            f" {name} integer{'' if name == 'wait_max_us' else ' not null'}," for name in COLUMNS
        )
        + "".join(f" {name} integer not null," for name in RATED)
        + " waits_lo integer not null, waits_hi integer not null, waits blob not null,"
        " primary key (grouping, day, key)) without rowid"
    )
    # A day is stored when it has a row here (a day without tickets has none: nothing to
    # keep), with the basis its tallies were judged by.
    db.execute(
        "create table if not exists daily_figures_days ("
        " day text primary key, basis text not null) without rowid"
    )
    db.execute(
        "create table if not exists daily_figures_seen ("
        " id integer primary key check (id = 1), seq integer not null)"
    )
    db.execute("insert or ignore into daily_figures_seen (id, seq) values (1, 0)")
    rows = list(db.execute("select value from settings where key = 'site'"))
    if not rows:
        return  # a new database: no history yet
    rules = Rules.of(site_from_data(json.loads(rows[0][0])))
    found = refresh(db, rules)
    mark_checked(db, found)  # first: it drops the days the events name, every one here
    for days in tally_runs(db, found.to_tally, rules):
        write_days(db, days)


# --- a day's tallies ---------------------------------------------------------------------


@dataclass(slots=True)
class DayFigures:
    """The tallies of one day, every grouping, and what they were judged by."""

    basis: str
    tallies: dict[Grouping, dict[Key, Tally]]


def _basis(rules: Rules, services: Iterable[str]) -> str:
    return json.dumps(rules.basis(services), sort_keys=True, separators=(",", ":"))


def tally_days(visits: Sequence[Visit], rules: Rules) -> dict[date, DayFigures]:
    """Each day's tallies of `visits`, every grouping."""
    by_day: dict[date, list[Visit]] = {}
    for visit in visits:
        by_day.setdefault(visit.day, []).append(visit)
    return {
        day: DayFigures(
            _basis(rules, {visit.service for visit in of_day}),
            tally_every(
                of_day,
                list(Grouping),
                targets_s=rules.target_s,
                scale=rules.scale,
                timezone=rules.timezone,
            ),
        )
        for day, of_day in by_day.items()
    }


def _encode(one: Tally) -> list[object]:
    kept = one.wait_totals()
    # Two bytes a tenth while a day's group has fewer than 65,536 waits (always, in a
    # centre), four beyond: the blob's length over the tenths it covers says which.
    values = kept.totals if kept is not None else []
    totals = array("H" if not values or values[-1] < 2**16 else "I", values)
    if sys.byteorder == "big":  # stored little-endian, whatever machine reads it
        totals.byteswap()
    rated = [0] * len(RATED)
    for score, count in one.ratings.items():
        rated[min(max(score, 1), len(RATED)) - 1] += count
    lo, hi = (kept.lo, kept.hi) if kept is not None else (0, -1)
    return [*(getattr(one, name) for name in COLUMNS), *rated, lo, hi, totals.tobytes()]


def _add_row(into: Tally, row: Sequence[Any]) -> None:
    """Add to `into` the tally of a row's columns `COLUMNS`, `RATED`, waits_lo, waits_hi,
    waits."""
    (
        issued,
        called,
        served,
        no_show,
        cancelled,
        expired,
        within_target,
        wait_us,
        wait_max_us,
        timed,
        service_us,
        *rated,
        lo,
        hi,
        blob,
    ) = row
    into.issued += issued
    into.called += called
    into.served += served
    into.no_show += no_show
    into.cancelled += cancelled
    into.expired += expired
    into.within_target += within_target
    into.wait_us += wait_us
    if wait_max_us is not None and (into.wait_max_us is None or wait_max_us > into.wait_max_us):
        into.wait_max_us = wait_max_us
    into.timed += timed
    into.service_us += service_us
    ratings = into.ratings
    for score, count in enumerate(rated, start=1):
        if count:
            ratings[score] = ratings.get(score, 0) + count
    if blob:
        # Read as stored: no list of a day's counts is made, p90 looks up what it needs.
        totals = array("H" if len(blob) == 2 * (hi - lo + 1) else "I")
        totals.frombytes(blob)
        if sys.byteorder == "big":
            totals.byteswap()
        into.kept_waits.append(WaitTotals(lo, totals))


# --- what a range needs, from one snapshot -----------------------------------------------


@dataclass(slots=True)
class Refresh:
    """What one snapshot of the database says of the daily figures of a range."""

    seen: int  # events checked through, as stored
    last_seq: int  # the snapshot's last event: checked through it now
    newest: date | None  # the newest day with a ticket: not over, never stored
    stale: set[date]  # stored days (of any range) an event since `seen` changed
    stored: list[date]  # stored days of the range whose figures hold
    to_tally: list[date]  # closed days of the range to tally from their tickets


def refresh(
    db: Database, rules: Rules, first: date | None = None, last: date | None = None
) -> Refresh:
    """Which stored days of `first`…`last` (all of history, without them) hold, and which
    closed days are to be tallied from their tickets. Call it inside one read transaction,
    with whatever reads the days it names."""
    seen = int(db.execute("select seq from daily_figures_seen where id = 1").fetchone()[0])
    last_seq = int(db.execute("select coalesce(max(seq), 0) from events").fetchone()[0])
    newest_text = db.execute("select max(day) from tickets").fetchone()[0]
    if newest_text is None:
        return Refresh(seen, last_seq, None, set(), [], [])
    newest = date.fromisoformat(newest_text)
    # Through primary keys: the events since the last check (seq), each one's ticket (id),
    # and whether that ticket's day is stored (day): today's events name no stored day.
    stale = {
        date.fromisoformat(day)
        for (day,) in db.execute(
            "select distinct t.day from events e join tickets t on t.id = e.ticket_id"
            " join daily_figures_days d on d.day = t.day where e.seq > ? and e.seq <= ?",
            [seen, last_seq],
        )
    }
    sql, params = "select day, basis from daily_figures_days where day < ?", [newest_text]
    if first is not None and last is not None:
        sql += " and day >= ? and day <= ?"
        params += [first.isoformat(), last.isoformat()]
    stored = [
        day
        for day, basis in (
            (date.fromisoformat(day), basis) for day, basis in db.execute(sql, params)
        )
        if day not in stale and basis == _basis(rules, json.loads(basis)["targets_s"])
    ]
    if first is None or last is None:
        # All of history: the days with tickets, through the (day, …) index.
        closed = [
            date.fromisoformat(day)
            for (day,) in db.execute(
                "select distinct day from tickets where day < ? order by day", [newest_text]
            )
        ]
    else:
        closed = _days(first, min(last, newest - timedelta(days=1)))
    held = set(stored)
    return Refresh(
        seen, last_seq, newest, stale, sorted(stored), [d for d in closed if d not in held]
    )


def tally_runs(
    db: Database, days: Sequence[date], rules: Rules
) -> Iterator[dict[date, DayFigures]]:
    """The tallies of `days` (ascending) from their tickets, a few days at a time."""
    for run in runs(days):
        yield tally_days(_reports.visits(db, run[0], run[-1]), rules)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def runs(days: Iterable[date]) -> Iterator[list[date]]:
    """`days` (ascending) in runs of consecutive days, at most `DAYS_PER_READ` each."""
    run: list[date] = []
    for day in days:
        if run and (day - run[-1] != timedelta(days=1) or len(run) == DAYS_PER_READ):
            yield run
            run = []
        run.append(day)
    if run:
        yield run


def stored_tallies(
    db: Database, days: Iterable[date], groupings: Iterable[Grouping], scale: int
) -> dict[Grouping, dict[Key, Tally]]:
    """The stored tallies of `days` merged, per grouping and key."""
    wanted = sorted(days)
    found: dict[Grouping, dict[Key, Tally]] = {}
    keep = {day.isoformat() for day in wanted}
    columns = ", ".join([*COLUMNS, *RATED, "waits_lo", "waits_hi", "waits"])
    for by in groupings:
        keys: dict[Key, Tally] = {}
        found[by] = keys
        if not wanted:
            continue
        numeric = by in NUMERIC_KEYS
        for day, key, *row in db.execute(
            f"select day, key, {columns} from daily_figures"
            " where grouping = ? and day >= ? and day <= ?",
            [by.value, wanted[0].isoformat(), wanted[-1].isoformat()],
        ):
            if day in keep:
                name = int(key) if numeric else str(key)
                into = keys.get(name)
                if into is None:
                    into = keys[name] = Tally(scale)
                _add_row(into, row)
    return found


# --- keeping them ------------------------------------------------------------------------


def write_days(db: Database, days: dict[date, DayFigures]) -> None:
    """Store `days`' figures in place of any they had. Call it inside a write transaction."""
    marks = "(" + ", ".join(["?"] * (3 + len(COLUMNS) + len(RATED) + 3)) + ")"
    for day, figures in sorted(days.items()):
        _drop(db, day)
        for by, tallies in figures.tallies.items():
            for key, one in tallies.items():
                db.execute(
                    f"insert into daily_figures values {marks}",
                    [by.value, day.isoformat(), str(key), *_encode(one)],
                )
        db.execute(
            "insert into daily_figures_days (day, basis) values (?, ?)",
            [day.isoformat(), figures.basis],
        )


def _drop(db: Database, day: date) -> None:
    for by in Grouping:
        db.execute(
            "delete from daily_figures where grouping = ? and day = ?", [by.value, day.isoformat()]
        )
    db.execute("delete from daily_figures_days where day = ?", [day.isoformat()])


def mark_checked(db: Database, found: Refresh) -> bool:
    """Drop the figures of the days `found` stale and mark the events checked through
    `found.last_seq`, unless someone else did since `found` was read: then nothing (and
    False). Call it inside a write transaction."""
    seq = int(db.execute("select seq from daily_figures_seen where id = 1").fetchone()[0])
    if seq != found.seen:
        return False
    for day in sorted(found.stale):
        _drop(db, day)
    db.execute("update daily_figures_seen set seq = ? where id = 1", [found.last_seq])
    return True


def still_checked(db: Database, found: Refresh) -> bool:
    """Whether the events are still marked checked through `found.last_seq` (no later
    check may have dropped a day that `found`'s tallies would bring back)."""
    seq = int(db.execute("select seq from daily_figures_seen where id = 1").fetchone()[0])
    return seq == found.last_seq
