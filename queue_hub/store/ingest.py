"""Taking a centre's shipment: its events exactly once, and the projections they move, in
one transaction.

The centre's row is locked first (`for update`), so two hub processes given the same
shipment at once take turns: the second finds the events held and skips them. An event
is stored at most once anyway (primary key (centre, seq), `on conflict do nothing`).
`pg_notify` tells every hub process listening (`queue_hub.live`) once the transaction
commits, never before.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from queue_core.model import TicketStatus
from queue_core.protocol import Shipment
from queue_hub.errors import Hole, UnknownCentre
from queue_hub.projection import (
    DailyTally,
    SiteFacts,
    TallyKey,
    VisitState,
    apply,
    differences,
    ticket_of,
)

CHANNEL = "hub_events"

_VISIT_COLUMNS = (
    "ticket_id, service, status, day, hour, issued_at, first_called_at, called_at,"
    " finished_at, counter, rating, walk_in, within_target"
)


def _state(row: tuple[Any, ...]) -> VisitState:
    (ticket_id, service, status, day, hour, issued_at, first_called_at, called_at) = row[:8]
    (finished_at, counter, rating, walk_in, within_target) = row[8:]
    return VisitState(
        ticket_id=ticket_id,
        service=service,
        status=TicketStatus(status),
        day=day,
        hour=hour,
        issued_at=issued_at,
        first_called_at=first_called_at,
        called_at=called_at,
        finished_at=finished_at,
        counter=counter,
        rating=rating,
        walk_in=walk_in,
        within_target=within_target,
    )


def _row(centre: str, s: VisitState) -> tuple[Any, ...]:
    return (
        centre, s.ticket_id, s.service, s.status.value, s.day, s.hour, s.issued_at,
        s.first_called_at, s.called_at, s.finished_at, s.counter, s.rating, s.walk_in,
        s.within_target,
    )  # fmt: skip


def ingest(conn: psycopg.Connection, centre: str, shipment: Shipment, now: datetime) -> int:
    """Store `shipment` for `centre`; returns the highest seq now held.

    Raises:
        UnknownCentre: no such centre.
        Hole: `after_seq` lies above what the hub holds.
    """
    with conn.transaction():
        row = conn.execute(
            "select acknowledged_seq, site from centres where code = %s for update", [centre]
        ).fetchone()
        if row is None:
            raise UnknownCentre(f"Không có trạm {centre} / no centre {centre}")
        held, site = int(row[0]), row[1]
        if shipment.after_seq > held:
            raise Hole(centre, held)
        if shipment.site is not None:
            site = shipment.site.model_dump(mode="json")
            conn.execute(
                "update centres set site = %s, site_at = %s where code = %s",
                [Jsonb(site), now, centre],
            )
        fresh = [event for event in shipment.events if event.seq > held]
        if fresh:
            with conn.cursor() as cur:
                cur.executemany(
                    "insert into events (centre, seq, type, at, body) values (%s, %s, %s, %s, %s)"
                    " on conflict do nothing",
                    [(centre, e.seq, e.type, e.at, e.body) for e in fresh],
                )
            _project(conn, centre, fresh, SiteFacts.of(site))
            _alerts(conn, centre, fresh)
            held = fresh[-1].seq
            conn.execute(
                "update centres set acknowledged_seq = greatest(acknowledged_seq, %s),"
                " last_shipped_at = %s,"
                " last_event_at = %s where code = %s",
                [held, now, fresh[-1].at, centre],
            )
            conn.execute("select pg_notify(%s, %s)", [CHANNEL, json.dumps({"centre": centre})])
        else:
            conn.execute("update centres set last_shipped_at = %s where code = %s", [now, centre])
    return held


def _alerts(conn: psycopg.Connection, centre: str, events: list[Any]) -> None:
    for event in events:
        if event.type not in ("alert.raised", "alert.cleared"):
            continue
        try:
            alert = json.loads(event.body).get("alert")
        except (ValueError, AttributeError):
            continue
        if not isinstance(alert, dict) or not isinstance(alert.get("id"), int):
            continue
        if event.type == "alert.raised":
            conn.execute(
                "insert into alerts (centre, id, body) values (%s, %s, %s)"
                " on conflict (centre, id) do update set body = excluded.body",
                [centre, alert["id"], Jsonb(alert)],
            )
        else:
            conn.execute("delete from alerts where centre = %s and id = %s", [centre, alert["id"]])


def _project(conn: psycopg.Connection, centre: str, events: list[Any], site: SiteFacts) -> None:
    tickets: list[tuple[str, datetime, dict[str, Any], int | None]] = []
    for event in events:
        if not event.type.startswith("ticket."):
            continue
        try:
            found = ticket_of(event.body)
        except ValueError:
            continue  # a body that is not JSON counts for nothing, and is still kept
        if found is not None:
            tickets.append((event.type, event.at, *found))
    if not tickets:
        return
    ids = sorted({int(ticket["id"]) for _, _, ticket, _ in tickets})
    before = {
        state.ticket_id: state
        for state in map(
            _state,
            conn.execute(
                f"select {_VISIT_COLUMNS} from visits where centre = %s and ticket_id = any(%s)",
                [centre, ids],
            ),
        )
    }
    after = dict(before)
    for event_type, at, ticket, score in tickets:
        ticket_id = int(ticket["id"])
        new = apply(after.get(ticket_id), event_type, at, ticket, score, site)
        if new is not None:
            after[ticket_id] = new
    changed = [state for ticket_id, state in after.items() if before.get(ticket_id) != state]
    if not changed:
        return
    with conn.cursor() as cur:
        cur.executemany(
            f"insert into visits (centre, {_VISIT_COLUMNS})"
            " values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " on conflict (centre, ticket_id) do update set status = excluded.status,"
            " first_called_at = excluded.first_called_at, called_at = excluded.called_at,"
            " finished_at = excluded.finished_at, counter = excluded.counter,"
            " rating = excluded.rating, within_target = excluded.within_target",
            [_row(centre, state) for state in changed],
        )
        add_tallies(cur, centre, differences(before, after))


_FIGURES = (
    "issued, called, served, no_show, cancelled, expired, within_target, wait_sum_s,"
    " service_sum_s, service_n, ratings, waits"
)
_ADDED_SUMS = (
    " issued = d.issued + excluded.issued, called = d.called + excluded.called,"
    " served = d.served + excluded.served, no_show = d.no_show + excluded.no_show,"
    " cancelled = d.cancelled + excluded.cancelled, expired = d.expired + excluded.expired,"
    " within_target = d.within_target + excluded.within_target,"
    " wait_sum_s = d.wait_sum_s + excluded.wait_sum_s,"
    " service_sum_s = d.service_sum_s + excluded.service_sum_s,"
    " service_n = d.service_n + excluded.service_n,"
    " ratings = array(select a + b from unnest(d.ratings, excluded.ratings)"
    "   with ordinality as r(a, b, i) order by i),"
)
_WAITS_ADDED = (
    " waits = (select coalesce(jsonb_object_agg(k, n), '{}') from ("
    "   select k, sum(v::int) as n from ("
    "     select * from jsonb_each_text(d.waits) union all"
    "     select * from jsonb_each_text(excluded.waits)) as both_(k, v)"
    "   group by k having sum(v::int) <> 0) as merged)"
)
_ADDED = _ADDED_SUMS + _WAITS_ADDED


def _figures(t: DailyTally) -> tuple[Any, ...]:
    return (
        t.issued,
        t.called,
        t.served,
        t.no_show,
        t.cancelled,
        t.expired,
        t.within_target,
        t.wait_sum_s,
        t.service_sum_s,
        t.service_n,
        t.ratings,
        Jsonb({str(k): n for k, n in t.waits.items() if n}),
    )


RollupKey = tuple[str, date, str]  # the grouping, its period (a month or a day), the key


def rollups(changes: dict[TallyKey, DailyTally]) -> dict[RollupKey, DailyTally]:
    """The rollups' changes (`rollup` table) for the daily tallies' `changes`."""
    found: dict[RollupKey, DailyTally] = {}
    for (day, service, hour), tally in changes.items():
        month = day.replace(day=1)
        for key in (
            ("centre", month, ""),
            ("service", month, service),
            ("hour", month, str(hour)),
            ("day", day, ""),
        ):
            found.setdefault(key, DailyTally()).merge(tally)
    return found


def add_tallies(cur: psycopg.Cursor[Any], centre: str, changes: dict[TallyKey, DailyTally]) -> None:
    """Add `changes` to the daily tallies and to their rollups, in the caller's
    transaction (also how the benchmark fills a year)."""
    if not changes:
        return
    cur.executemany(
        f"insert into daily as d (centre, day, service, hour, {_FIGURES}) values"
        f" (%s, %s, %s, %s, {', '.join(['%s'] * 12)})"
        f" on conflict (day, centre, service, hour) do update set {_ADDED}",
        [(centre, *key, *_figures(t)) for key, t in sorted(changes.items())],
    )
    cur.executemany(
        f"insert into rollup as d (grouping, period, centre, key, {_FIGURES}) values"
        f" (%s, %s, %s, %s, {', '.join(['%s'] * 12)})"
        f" on conflict (grouping, period, centre, key) do update set {_ADDED}",
        [
            (grouping, period, centre, key, *_figures(t))
            for (grouping, period, key), t in sorted(rollups(changes).items())
        ],
    )
    days: dict[date, dict[int, int]] = {}
    for (day, _, _), tally in changes.items():
        waits = days.setdefault(day, {})
        for bucket, n in tally.waits.items():
            waits[bucket] = waits.get(bucket, 0) + n
    cur.executemany(
        "insert into province_day_waits as d (day, waits) values (%s, %s)"
        f" on conflict (day) do update set {_WAITS_ADDED}",
        [
            (day, Jsonb({str(k): n for k, n in waits.items() if n}))
            for day, waits in sorted(days.items())
            if any(waits.values())
        ],
    )
