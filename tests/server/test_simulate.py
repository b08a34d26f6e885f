"""`motcua simulate`: past days written through the store, as the server would have.

The command runs as a real process on a real data directory; the figures it must hold
are read back from the database it wrote.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from random import Random

import pytest

from queue_core.model import TicketStatus
from queue_core.numbering import local_day
from queue_core.protocol import CounterUpdated, parse_event
from queue_core.site import parse_site
from queue_server.simulate import default_clerks, generate_day, working_days
from queue_server.store import DATABASE_NAME
from tests.helpers.server_process import motcua, serve
from tests.server.conftest import SITE

pytestmark = pytest.mark.slow

DAYS, PER_DAY = 14, 120


@pytest.fixture(scope="module")
def site_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("site") / "site.toml"
    path.write_text(SITE, encoding="utf-8")
    return path


def simulate(data_dir: Path, site_file: Path, *extra: str) -> None:
    result = motcua(
        "simulate",
        "--data-dir",
        str(data_dir),
        "--days",
        str(DAYS),
        "--per-day",
        str(PER_DAY),
        "--site",
        str(site_file),
        *extra,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory, site_file: Path) -> Path:
    data_dir = tmp_path_factory.mktemp("simulated") / "data"
    simulate(data_dir, site_file, "--seed", "7")
    return data_dir


def rows(data_dir: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(data_dir / DATABASE_NAME) as db:
        return db.execute(sql).fetchall()


def expected_days() -> list[date]:
    from queue_core.clock import SystemClock

    site = parse_site(SITE)
    today = local_day(SystemClock().now(), site.site.timezone)
    return working_days(today - timedelta(days=1), DAYS, site)


def test_the_past_working_days_are_filled_and_today_is_not(simulated: Path) -> None:
    days = [
        date.fromisoformat(str(d))
        for (d,) in rows(simulated, "select distinct day from tickets order by day")
    ]
    assert days == expected_days()
    assert all(day.weekday() < 5 for day in days)
    assert len(days) == 10  # 14 days hold two weekends
    per_day = [int(str(n)) for (n,) in rows(simulated, "select count(*) from tickets group by day")]
    assert all(0.7 * PER_DAY <= n <= 1.3 * PER_DAY for n in per_day), per_day


def test_every_ticket_ended_its_day_and_the_shares_look_like_a_hall(simulated: Path) -> None:
    statuses = Counter(
        {
            str(s): int(str(n))
            for s, n in rows(simulated, "select status, count(*) from tickets group by status")
        }
    )
    total = sum(statuses.values())
    # Nothing is left waiting or at a counter: the server's day change has nothing to do.
    assert set(statuses) <= {"done", "no_show", "expired"}
    assert 0.02 <= statuses["no_show"] / total <= 0.09, statuses
    assert statuses["done"] / total >= 0.8, statuses
    ((priority,),) = rows(simulated, "select avg(priority) from tickets")
    assert 0.03 <= float(str(priority)) <= 0.15
    ratings = rows(
        simulated, "select r.score, t.status from ratings r join tickets t on t.id = r.ticket_id"
    )
    assert {str(status) for _, status in ratings} == {"done"}
    assert 0.3 <= len(ratings) / statuses["done"] <= 0.5
    scores = Counter(int(str(score)) for score, _ in ratings)
    assert set(scores) <= {1, 2, 3}  # the site's 3-level scale
    assert scores[3] > scores[2] > scores[1] > 0  # most satisfied, a few not
    # Busier in the morning than at lunch.
    by_hour = Counter(
        int(str(h))
        for (h,) in rows(simulated, "select strftime('%H', issued_at, '+7 hours') from tickets")
    )
    assert by_hour[9] > 3 * by_hour[12]
    # Services take different times: the clerks' mean per service differs.
    means = rows(
        simulated,
        "select service, avg((julianday(finished_at) - julianday(called_at)) * 86400)"
        " from tickets where status = 'done' group by service",
    )
    assert len(means) == 2


def test_the_events_are_the_servers_own_and_tell_each_tickets_story(simulated: Path) -> None:
    events = rows(simulated, "select seq, type, at, ticket_id, body from events order by seq")
    seqs = [int(str(seq)) for seq, *_ in events]
    assert seqs == list(range(1, len(seqs) + 1))
    ats = [str(at) for _, _, at, _, _ in events]
    assert ats == sorted(ats)  # seq order is time order
    last: dict[int, str] = {}
    kinds: Counter[str] = Counter()
    for _, type_, _, ticket_id, body in events:
        event = parse_event(str(body))
        assert event.type == type_
        assert event.model_dump_json() == body  # exactly what the server would send
        kinds[event.type] += 1
        if ticket_id is not None:
            assert not isinstance(event, CounterUpdated)
            assert event.ticket.id == ticket_id
            last[int(str(ticket_id))] = str(body)
    ((tickets,),) = rows(simulated, "select count(*) from tickets")
    assert kinds["ticket.issued"] == tickets
    assert kinds["ticket.no_show"] == kinds["ticket.recalled"] > 0
    assert kinds["ticket.transferred"] > 0
    assert kinds["counter.updated"] == 2 * 3 * 10  # each counter opened and closed each day
    # The last ticket event (but a rating) shows the ticket as its row holds it.
    for ticket_id, status in rows(simulated, "select id, status from tickets where id % 37 = 0"):
        event = parse_event(last[int(str(ticket_id))])
        assert not isinstance(event, CounterUpdated)
        assert event.ticket.status == TicketStatus(str(status))


def test_the_same_seed_writes_the_same_days(
    simulated: Path, site_file: Path, tmp_path: Path
) -> None:
    again, other = tmp_path / "again", tmp_path / "other"
    simulate(again, site_file, "--seed", "7")
    simulate(other, site_file, "--seed", "8")
    # Everything but the follow codes, drawn at random as the server draws them.
    query = (
        "select id, number, service, issued_service, day, sequence, rank, priority, status,"
        " issued_at, called_at, finished_at, counter, clerk, target_counter, recalls, walk_in"
        " from tickets order by id"
    )
    assert rows(again, query) == rows(simulated, query)
    events = "select seq, type, at, actor, ticket_id, counter, body from events order by seq"
    assert rows(again, events) == rows(simulated, events)
    assert rows(again, "select * from ratings order by ticket_id") == rows(
        simulated, "select * from ratings order by ticket_id"
    )
    assert rows(other, query) != rows(simulated, query)


def test_a_day_is_a_function_of_its_seed() -> None:
    site = parse_site(SITE)
    clerks = default_clerks(site, [])
    day = date(2026, 11, 23)
    first = generate_day(site, day, 200, Random(3), clerks)
    second = generate_day(site, day, 200, Random(3), clerks)
    assert first == second
    assert generate_day(site, day, 200, Random(4), clerks) != first


def test_refused_while_a_server_holds_the_directory(site_file: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with serve(data_dir, site_file):
        result = motcua("simulate", "--data-dir", str(data_dir), "--days", "3", "--per-day", "10")
        assert result.returncode == 2, result
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, lines
        assert "in use by another motcua server" in lines[0]
    assert rows(data_dir, "select count(*) from tickets") == [(0,)]


def test_a_server_starts_on_the_result_and_serves_today(simulated: Path, tmp_path: Path) -> None:
    added = motcua("device", "add", "kiosk-1", "--kind", "kiosk", "--data-dir", str(simulated))
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip().splitlines()[-1]
    with serve(simulated) as server, server.client(token) as client:
        issued = client.post("/api/tickets", json={"service": "TP"})
        assert issued.status_code == 201, issued.text
        # Today's numbering starts afresh; yesterday's queue is not today's.
        assert issued.json()["number"] == "1001"
        services = {s["code"]: s for s in client.get("/api/services").json()}
        assert services["TP"]["waiting"] == 1
        assert services["TP"]["issued_today"] == 1
        waiting = client.get("/api/tickets").json()
        assert [t["id"] for t in waiting] == [issued.json()["id"]]
        server.stop_cleanly()


def test_today_so_far_for_the_benches(tmp_path: Path) -> None:
    from queue_core.clock import SystemClock
    from queue_server.database import open_store
    from queue_server.simulate import generate_today, write_day

    site_file = tmp_path / "site.toml"
    site_file.write_text(SITE, encoding="utf-8")
    store = open_store(tmp_path / "data", site_file)
    try:
        site = store.site()
        assert site is not None
        now = SystemClock().now()
        write_day(store, site, generate_today(site, now, 30, 12, default_clerks(site, [])))
    finally:
        store.close()
    today = local_day(now, site.site.timezone).isoformat()
    data_dir = tmp_path / "data"
    assert rows(data_dir, "select distinct day from tickets") == [(today,)]
    statuses = dict(rows(data_dir, "select status, count(*) from tickets group by status"))
    assert statuses == {"done": 30, "waiting": 12}
    ((latest,),) = rows(data_dir, "select max(issued_at) from tickets")
    assert str(latest) < now.isoformat()
    for (body,) in rows(data_dir, "select body from events"):
        assert parse_event(str(body)).model_dump_json() == body


def test_retired_services_and_counters_stay_quiet_and_each_clerk_keeps_one_counter() -> None:
    from queue_server.simulate import Clerk

    text = (
        SITE.replace(
            'code = "DD"\nname = "Đất đai"\nprefix = "2"',
            'code = "DD"\nname = "Đất đai"\nprefix = "2"\nretired = true',
        )
        .replace(
            'number = 3\nname = "Quầy 3"\nservices = ["DD"]',
            'number = 3\nname = "Quầy 3"\nservices = ["DD"]\nretired = true',
        )
        .replace('services = ["TP", "DD"]', 'services = ["TP"]')
    )
    site = parse_site(text)
    clerks = default_clerks(site, [Clerk("lan", "Nguyễn Thị Lan")])
    assert sorted(clerks) == [1, 2]
    assert [c.username for c in clerks.values()] == ["lan", "canbo2"]
    day = generate_day(site, date(2026, 11, 23), 150, Random(5), clerks)
    assert {v.issued.service for v in day.visits} == {"TP"}
    assert {s.counter for s in day.steps} <= {1, 2, None}
