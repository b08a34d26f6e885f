"""The hub's tables, built by numbered migrations recorded in `schema_migrations`.

Several hub processes may start at once on one database: each takes a transaction-level
advisory lock before looking at what is applied, so one migrates and the others, once it
has committed, find nothing left to do.
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg

Migration = Callable[[psycopg.Connection], None]

MIGRATION_LOCK = 0x6D6F7463  # "motc": the advisory lock's key, any constant of our own


def m001_centres_events_users(conn: psycopg.Connection) -> None:
    conn.execute(
        """
        create table centres (
            code text primary key,
            name text not null,
            token_hash text not null unique,
            created_at timestamptz not null,
            acknowledged_seq bigint not null default 0,
            site jsonb,
            site_at timestamptz,
            last_shipped_at timestamptz,
            last_event_at timestamptz
        );
        create table events (
            centre text not null references centres(code),
            seq bigint not null,
            type text not null,
            at timestamptz not null,
            body text not null,
            received_at timestamptz not null default now(),
            primary key (centre, seq)
        );
        create table users (
            username text primary key,
            display_name text not null,
            password_hash text not null,
            disabled boolean not null default false,
            created_at timestamptz not null
        );
        create table tokens (
            hash text primary key,
            username text not null references users(username),
            created_at timestamptz not null,
            expires_at timestamptz not null
        );
        """
    )


def m002_visits_and_daily_tallies(conn: psycopg.Connection) -> None:
    # One row per ticket (its state, from its events), and per centre × day × service ×
    # hour of issue the figures that merge exactly (queue_hub.projection.DailyTally).
    conn.execute(
        """
        create table visits (
            centre text not null references centres(code),
            ticket_id bigint not null,
            service text not null,
            status text not null,
            day date not null,
            hour smallint not null,
            issued_at timestamptz not null,
            first_called_at timestamptz,
            called_at timestamptz,
            finished_at timestamptz,
            counter integer,
            rating smallint,
            walk_in boolean not null,
            within_target boolean,
            primary key (centre, ticket_id)
        );
        create index visits_waiting on visits (centre, day) where status in ('waiting', 'called');
        create table daily (
            centre text not null references centres(code),
            day date not null,
            service text not null,
            hour smallint not null,
            issued integer not null default 0,
            called integer not null default 0,
            served integer not null default 0,
            no_show integer not null default 0,
            cancelled integer not null default 0,
            expired integer not null default 0,
            within_target integer not null default 0,
            wait_sum_s double precision not null default 0,
            service_sum_s double precision not null default 0,
            service_n integer not null default 0,
            ratings integer[] not null default '{0,0,0,0,0}',
            waits jsonb not null default '{}',
            primary key (day, centre, service, hour)
        );
        """
    )


def m003_templates(conn: psycopg.Connection) -> None:
    conn.execute(
        """
        create table templates (
            name text primary key,
            version integer not null,
            body text not null,
            updated_at timestamptz not null
        );
        """
    )


def m004_alerts(conn: psycopg.Connection) -> None:
    # A centre's active alerts, from its alert.raised and alert.cleared events.
    conn.execute(
        """
        create table alerts (
            centre text not null references centres(code),
            id bigint not null,
            body jsonb not null,
            primary key (centre, id)
        );
        """
    )


_ROLLUP_OF_DAILY = """
    lateral (values ('centre', date_trunc('month', d.day)::date, ''),
            ('service', date_trunc('month', d.day)::date, d.service),
            ('hour', date_trunc('month', d.day)::date, d.hour::text),
            ('day', d.day, '')) as r(grouping, period, key)
"""


def m005_rollups(conn: psycopg.Connection) -> None:
    # What a summary reads (`queue_hub.store.reports`): per centre, the daily tallies
    # added up by month for `by=centre|service|hour` and by day for `by=day`, kept in the
    # same transaction as `daily` (`queue_hub.store.ingest.add_tallies`). A year is then
    # about 1,200 rows per grouping and centre instead of a million keys' rows.
    conn.execute(
        """
        create table rollup (
            grouping text not null,
            period date not null,
            centre text not null references centres(code),
            key text not null,
            issued integer not null default 0,
            called integer not null default 0,
            served integer not null default 0,
            no_show integer not null default 0,
            cancelled integer not null default 0,
            expired integer not null default 0,
            within_target integer not null default 0,
            wait_sum_s double precision not null default 0,
            service_sum_s double precision not null default 0,
            service_n integer not null default 0,
            ratings integer[] not null default '{0,0,0,0,0}',
            waits jsonb not null default '{}',
            primary key (grouping, period, centre, key)
        )
        """
    )
    # The history already held, rolled up once.
    conn.execute(
        f"""
        insert into rollup
        select s.*, coalesce(w.waits, '{{}}') from (
            select r.grouping, r.period, d.centre, r.key, sum(issued), sum(called),
                sum(served), sum(no_show), sum(cancelled), sum(expired), sum(within_target),
                sum(wait_sum_s), sum(service_sum_s), sum(service_n),
                array[sum(ratings[1]), sum(ratings[2]), sum(ratings[3]), sum(ratings[4]),
                      sum(ratings[5])]::integer[]
            from daily as d, {_ROLLUP_OF_DAILY}
            group by 1, 2, 3, 4
        ) as s left join (
            select grouping, period, centre, key, jsonb_object_agg(bucket, n) as waits from (
                select r.grouping, r.period, d.centre, r.key, w.key as bucket,
                    sum(w.value::int) as n
                from daily as d, {_ROLLUP_OF_DAILY}, jsonb_each_text(d.waits) as w
                group by 1, 2, 3, 4, 5 having sum(w.value::int) <> 0
            ) as b group by 1, 2, 3, 4
        ) as w using (grouping, period, centre, key)
        """
    )


def m006_province_day_waits(conn: psycopg.Connection) -> None:
    # Every centre's waits of a day in one histogram, for `by=day` across the province: a
    # year is 365 histograms instead of one per centre and day. Rows are updated by every
    # centre's ingest, in day order, so two ingests wait for each other only on a shared
    # day and never deadlock.
    conn.execute(
        """
        create table province_day_waits (
            day date primary key,
            waits jsonb not null default '{}'
        );
        insert into province_day_waits
        select day, jsonb_object_agg(bucket, n) from (
            select r.period as day, w.key as bucket, sum(w.value::int) as n
            from rollup as r, jsonb_each_text(r.waits) as w
            where r.grouping = 'day'
            group by 1, 2 having sum(w.value::int) <> 0
        ) as b group by 1;
        """
    )


MIGRATIONS: tuple[Migration, ...] = (
    m001_centres_events_users,
    m002_visits_and_daily_tallies,
    m003_templates,
    m004_alerts,
    m005_rollups,
    m006_province_day_waits,
)


def migrate(conn: psycopg.Connection) -> list[str]:
    """Apply what is missing, in order, in one transaction; returns the names applied."""
    applied: list[str] = []
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
        conn.execute(
            "create table if not exists schema_migrations"
            " (name text primary key, applied_at timestamptz not null default now())"
        )
        done = {row[0] for row in conn.execute("select name from schema_migrations")}
        for migration in MIGRATIONS:
            if migration.__name__ in done:
                continue
            migration(conn)
            conn.execute("insert into schema_migrations (name) values (%s)", [migration.__name__])
            applied.append(migration.__name__)
    return applied
