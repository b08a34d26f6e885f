"""The daily figures a report reads for the days that are over: kept right when a past day
changes (a late rating, the day change's expiry), tallied again when a target changes,
filled from history by the migration, and always the figures of the tickets themselves.

Tickets are written through the real store on a real SQLite file, each change with its
event, as the server writes them."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlite_utils import Database

from queue_core.model import Ticket, TicketStatus
from queue_core.report import Grouping, RangeTallies, Rules, Tally, WaitTotals, group, total
from queue_server.database import open_store
from queue_server.reports import ReportRunner
from queue_server.store import DATABASE_NAME, EventRecord, IssueRecord, Rating, Store, connect
from queue_server.store.sqlite.daily_figures import _add_row, _encode
from queue_server.store.sqlite.schema import migrations

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SITE = """
[site]
name = "Xã Hòa Bình"
rating_scale = 3

[[services]]
code = "TP"
name = "Tư pháp"
prefix = "1"
waiting_target_minutes = 20

[[services]]
code = "DD"
name = "Đất đai"
prefix = "2"
waiting_target_minutes = 15

[[counters]]
number = 1
services = ["TP", "DD"]

[[counters]]
number = 2
services = ["TP", "DD"]
"""
DAYS = [date(2026, 10, 5) + timedelta(days=n) for n in range(4)]
FIRST, LAST = date(2026, 10, 1), date(2026, 10, 31)


@dataclass
class Writer:
    """Writes tickets and their events as the server does."""

    store: Store
    rng: random.Random
    next_id: int = 0

    def _event(self, kind: str, at: datetime, ticket: Ticket) -> None:
        seq = self.store.last_seq() + 1
        self.store.append_events([EventRecord(seq, kind, at, "test", ticket.id, None, "{}")])

    def ticket(self, day: date, service: str, fate: TicketStatus) -> Ticket:
        self.next_id += 1
        issued = datetime(day.year, day.month, day.day, 8, tzinfo=ZONE) + timedelta(
            minutes=self.rng.uniform(0, 480)
        )
        ticket = Ticket(
            id=self.next_id,
            number=f"{1 if service == 'TP' else 2}{self.next_id:03d}",
            service=service,
            day=day,
            sequence=self.next_id,
            issued_at=issued.astimezone(UTC),
            rank=self.next_id,
        )
        with self.store.transaction():
            self.store.insert_ticket(ticket, IssueRecord(ticket.id, service, "kiosk"))
            self._event("ticket.issued", ticket.issued_at, ticket)
            if fate is TicketStatus.WAITING:
                return ticket
            called = ticket.issued_at + timedelta(seconds=self.rng.uniform(0, 3000))
            counter = self.rng.randint(1, 2)
            ticket = ticket.replace(
                status=fate,
                called_at=called,
                finished_at=called + timedelta(seconds=self.rng.uniform(60, 900)),
                counter=counter,
                clerk=f"clerk{counter}",
            )
            self.store.update_tickets([ticket])
            self._event("ticket.completed", called, ticket)
        return ticket

    def change(self, ticket: Ticket, kind: str = "ticket.expired") -> None:
        with self.store.transaction():
            self.store.update_tickets([ticket])
            self._event(kind, datetime.now(UTC), ticket)

    def rate(self, ticket: Ticket, score: int, *, event: bool = True) -> None:
        assert ticket.finished_at is not None
        with self.store.transaction():
            self.store.insert_rating(
                Rating(ticket.id, score, 3, (), None, ticket.finished_at, 1, None, "TP", None)
            )
            if event:
                self._event("ticket.rated", ticket.finished_at, ticket)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "site.toml").write_text(SITE, encoding="utf-8")
    return folder


@pytest.fixture
def writer(data_dir: Path) -> Iterator[Writer]:
    store = open_store(data_dir, data_dir / "site.toml")
    try:
        yield Writer(store, random.Random(14))
    finally:
        store.close()


def _history(writer: Writer, per_day: int = 30) -> list[Ticket]:
    fates = [TicketStatus.DONE] * 6 + [TicketStatus.NO_SHOW, TicketStatus.CANCELLED]
    made = []
    for day in DAYS:
        for _ in range(per_day):
            ticket = writer.ticket(day, writer.rng.choice(["TP", "DD"]), writer.rng.choice(fates))
            if ticket.status is TicketStatus.DONE and writer.rng.random() < 0.5:
                writer.rate(ticket, writer.rng.randint(1, 3))
            made.append(ticket)
    return made


def _rules(store: Store) -> Rules:
    site = store.site()
    assert site is not None
    return Rules.of(site)


def _report(data_dir: Path) -> RangeTallies:
    """A report's tallies, in a connection of its own as the report worker has."""
    store = connect(data_dir)
    try:
        return store.report_tallies(FIRST, LAST, list(Grouping), _rules(store))
    finally:
        store.close()


def _from_tickets(data_dir: Path) -> dict[Grouping | None, object]:
    """The same figures counted from every ticket of the range."""
    store = connect(data_dir)
    try:
        rules = _rules(store)
        visits = store.report_visits(FIRST, LAST)
    finally:
        store.close()
    found: dict[Grouping | None, object] = {
        by: group(visits, by, targets_s=rules.target_s, scale=rules.scale, timezone=rules.timezone)
        for by in Grouping
    }
    found[None] = total(visits, targets_s=rules.target_s, scale=rules.scale)
    return found


def _figures(tallies: RangeTallies) -> dict[Grouping | None, object]:
    found: dict[Grouping | None, object] = {
        by: [(key, one.figures()) for key, one in sorted(keys.items())]
        for by, keys in tallies.groupings.items()
    }
    found[None] = tallies.total.figures()
    return found


def _stored_days(data_dir: Path) -> list[str]:
    with sqlite3.connect(data_dir / DATABASE_NAME) as db:
        return [day for (day,) in db.execute("select day from daily_figures_days order by day")]


def test_days_that_are_over_are_kept_and_read_with_the_figures_of_their_tickets(
    data_dir: Path, writer: Writer
) -> None:
    _history(writer)
    first = _report(data_dir)
    # The newest day (today, in a working hall) is counted from its tickets, never kept.
    assert _stored_days(data_dir) == [d.isoformat() for d in DAYS[:-1]]
    assert _figures(first) == _from_tickets(data_dir)
    assert _figures(_report(data_dir)) == _from_tickets(data_dir)  # now from the kept days


def test_a_change_without_its_event_is_not_seen_the_kept_figures_are_read(
    data_dir: Path, writer: Writer
) -> None:
    made = _history(writer)
    before = _report(data_dir)
    done = next(t for t in made if t.day == DAYS[0] and t.status is TicketStatus.NO_SHOW)
    with writer.store.transaction():
        writer.store.update_tickets([done.replace(status=TicketStatus.DONE)])
    assert _figures(_report(data_dir)) == _figures(before)
    assert _figures(_report(data_dir)) != _from_tickets(data_dir)


def test_a_late_rating_of_a_past_day_is_counted(data_dir: Path, writer: Writer) -> None:
    made = _history(writer)
    _report(data_dir)
    with sqlite3.connect(data_dir / DATABASE_NAME) as db:
        rated = {tid for (tid,) in db.execute("select ticket_id from ratings")}
    late = next(
        t for t in made if t.day == DAYS[0] and t.status is TicketStatus.DONE and t.id not in rated
    )
    before = _report(data_dir).groupings[Grouping.DAY][DAYS[0].isoformat()].figures()
    writer.rate(late, 1)
    after = _report(data_dir)
    assert _figures(after) == _from_tickets(data_dir)
    day = after.groupings[Grouping.DAY][DAYS[0].isoformat()].figures()
    assert day.ratings["1"] == before.ratings["1"] + 1
    assert DAYS[0].isoformat() in _stored_days(data_dir)  # tallied again, and kept


def test_a_day_the_day_change_expires_after_it_was_kept_is_counted_again(
    data_dir: Path, writer: Writer
) -> None:
    _history(writer)
    left = writer.ticket(DAYS[1], "TP", TicketStatus.WAITING)
    writer.ticket(DAYS[-1], "TP", TicketStatus.DONE)
    kept = _report(data_dir).groupings[Grouping.DAY][DAYS[1].isoformat()].figures()
    writer.change(left.replace(status=TicketStatus.EXPIRED, finished_at=left.issued_at))
    after = _report(data_dir)
    day = after.groupings[Grouping.DAY][DAYS[1].isoformat()].figures()
    assert (day.issued, day.expired) == (kept.issued - 1, kept.expired + 1)
    assert _figures(after) == _from_tickets(data_dir)


def test_a_changed_target_judges_every_kept_day_again(data_dir: Path, writer: Writer) -> None:
    _history(writer)
    before = _report(data_dir)
    tighter = SITE.replace("waiting_target_minutes = 20", "waiting_target_minutes = 5")
    (data_dir / "site.toml").write_text(tighter, encoding="utf-8")
    open_store(data_dir, data_dir / "site.toml").close()
    after = _report(data_dir)
    assert after.total.figures().within_target_pct != before.total.figures().within_target_pct
    assert _figures(after) == _from_tickets(data_dir)


def test_the_migration_keeps_the_history_it_finds(data_dir: Path, writer: Writer) -> None:
    _history(writer)
    writer.store.close()
    with sqlite3.connect(data_dir / DATABASE_NAME) as db:
        for table in ("daily_figures", "daily_figures_days", "daily_figures_seen"):
            db.execute(f"drop table {table}")
        db.execute("delete from _sqlite_migrations where name = 'm013_daily_figures'")
    store = connect(data_dir)
    try:
        store.migrate()
    finally:
        store.close()
    assert _stored_days(data_dir) == [d.isoformat() for d in DAYS[:-1]]
    assert _figures(_report(data_dir)) == _from_tickets(data_dir)
    writer.store = connect(data_dir)  # for the fixture to close


def test_keeping_up_tallies_the_closed_days_once(data_dir: Path, writer: Writer) -> None:
    _history(writer)
    store = connect(data_dir)
    try:
        rules = _rules(store)
        assert store.keep_daily_figures(rules) == len(DAYS) - 1
        assert store.keep_daily_figures(rules) == 0
    finally:
        store.close()
    assert _figures(_report(data_dir)) == _from_tickets(data_dir)


def test_a_new_database_migrates_with_no_history(tmp_path: Path) -> None:
    db = Database(tmp_path / "new.db")
    migrations.apply(db)
    assert db.execute("select seq from daily_figures_seen").fetchall() == [(0,)]
    assert db.execute("select count(*) from daily_figures").fetchall() == [(0,)]


def test_the_server_keeps_the_days_that_are_over_in_its_report_worker(
    data_dir: Path, writer: Writer
) -> None:
    _history(writer)
    runner = ReportRunner(data_dir)

    async def kept() -> list[str]:
        task = asyncio.create_task(runner.keep_up(after_s=0, every_s=3600))
        try:
            for _ in range(1200):  # a minute at most, for a worker on a loaded machine
                if _stored_days(data_dir) or task.done():
                    break
                await asyncio.sleep(0.05)
        finally:
            task.cancel()
        return _stored_days(data_dir)

    try:
        assert asyncio.run(kept()) == [d.isoformat() for d in DAYS[:-1]]
    finally:
        runner.close()


def test_a_report_with_nothing_to_keep_writes_nothing(data_dir: Path, writer: Writer) -> None:
    _history(writer)
    _report(data_dir)  # keeps the days that are over
    writer.ticket(DAYS[-1], "TP", TicketStatus.DONE)  # today goes on: events of today only
    store = connect(data_dir)
    statements: list[str] = []
    try:
        store.db.conn.set_trace_callback(statements.append)  # type: ignore[attr-defined]
        store.report_tallies(FIRST, LAST, list(Grouping), _rules(store))
    finally:
        store.close()
    writes = ("insert", "update", "delete", "begin immediate")
    assert statements
    assert not [sql for sql in statements if sql.lower().startswith(writes)]


def test_a_kept_tally_of_many_waits_reads_back_whole() -> None:
    big = Tally(3, called=70_001, kept_waits=[WaitTotals(-1, [5, 70_000, 70_001])])
    small = Tally(3, called=3, kept_waits=[WaitTotals(2, [1, 3])])
    for one in (big, small, Tally(3)):
        row = _encode(one)
        back = Tally(3)
        _add_row(back, row)
        kept, read = one.wait_totals(), back.wait_totals()
        assert (kept is None) == (read is None)
        if kept is not None and read is not None:
            assert (read.lo, list(read.totals)) == (kept.lo, list(kept.totals))
        assert back.figures() == one.figures()
