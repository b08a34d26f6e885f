"""The hub's store: the only part of `queue_hub` that touches PostgreSQL (psycopg 3, one
connection pool per process). Database failures leave it as `StoreUnavailable`.

Several hub processes share one database: what must not race (two shipments of one
centre, two processes migrating at start) is serialized by PostgreSQL's own locks.
"""

from __future__ import annotations

import contextlib
import json
import select
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

import psycopg
import psycopg_pool

from queue_core.protocol import Shipment
from queue_hub.errors import InvalidInput, StoreUnavailable, UnknownCentre
from queue_hub.projection import DailyTally, TallyKey
from queue_hub.store import ingest as _ingest
from queue_hub.store import reports as _reports
from queue_hub.store.records import Centre, Template, User
from queue_hub.store.schema import migrate

__all__ = ["Centre", "HubStore", "StoreUnavailable", "Template", "User", "connect"]


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except (psycopg.OperationalError, psycopg_pool.PoolTimeout) as exc:
        raise StoreUnavailable(
            "Cơ sở dữ liệu của trung tâm tỉnh không trả lời / the hub's database is unavailable"
        ) from exc


def _centre(row: tuple[Any, ...]) -> Centre:
    return Centre(*row)


_CENTRE_COLUMNS = "code, name, acknowledged_seq, site, last_shipped_at, last_event_at"


class HubStore:
    """Every read and write of the hub, each in its own transaction."""

    def __init__(self, pool: psycopg_pool.ConnectionPool, url: str) -> None:
        self._pool = pool
        self._url = url

    def close(self) -> None:
        self._pool.close()

    # --- centres and their shipments -----------------------------------------------------

    def add_centre(self, code: str, name: str, token_hash: str, now: datetime) -> None:
        with _translated(), self._pool.connection() as conn:
            try:
                conn.execute(
                    "insert into centres (code, name, token_hash, created_at)"
                    " values (%s, %s, %s, %s)",
                    [code, name, token_hash, now],
                )
            except psycopg.errors.UniqueViolation as exc:
                raise InvalidInput(f"Đã có trạm {code} / centre {code} exists") from exc

    def centre_by_token(self, token_hash: str) -> Centre | None:
        with _translated(), self._pool.connection() as conn:
            row = conn.execute(
                f"select {_CENTRE_COLUMNS} from centres where token_hash = %s", [token_hash]
            ).fetchone()
        return _centre(row) if row else None

    def centre(self, code: str) -> Centre:
        with _translated(), self._pool.connection() as conn:
            row = conn.execute(
                f"select {_CENTRE_COLUMNS} from centres where code = %s", [code]
            ).fetchone()
        if row is None:
            raise UnknownCentre(f"Không có trạm {code} / no centre {code}")
        return _centre(row)

    def centres(self) -> list[Centre]:
        with _translated(), self._pool.connection() as conn:
            rows = conn.execute(f"select {_CENTRE_COLUMNS} from centres order by code")
            return [_centre(row) for row in rows]

    def ingest(self, centre: str, shipment: Shipment, now: datetime) -> int:
        """Store a shipment exactly once; the highest seq now held (see `store.ingest`)."""
        with _translated(), self._pool.connection() as conn:
            return _ingest.ingest(conn, centre, shipment, now)

    def event_count(self, centre: str) -> int:
        with _translated(), self._pool.connection() as conn:
            row = conn.execute("select count(*) from events where centre = %s", [centre])
            return int(row.fetchone()[0])  # type: ignore[index]

    def waiting(self, today: date) -> dict[str, tuple[int, datetime | None]]:
        """Per centre: tickets waiting now and when the longest-waiting one was issued."""
        with _translated(), self._pool.connection() as conn:
            rows = conn.execute(
                "select centre, count(*), min(issued_at) from visits"
                " where status = 'waiting' and day >= %s group by centre",
                [today],
            )
            return {code: (int(n), oldest) for code, n, oldest in rows}

    def today(self, first: date, last: date) -> dict[tuple[str, date], tuple[int, int, list[int]]]:
        """Per centre and day in [first, last]: issued, served, ratings per score."""
        ratings = ", ".join(f"sum(ratings[{i}])" for i in range(1, 6))
        with _translated(), self._pool.connection() as conn:
            rows = conn.execute(
                f"select centre, day, sum(issued), sum(served), {ratings} from daily"
                " where day between %s and %s group by centre, day",
                [first, last],
            )
            return {
                (row[0], row[1]): (int(row[2]), int(row[3]), [int(n) for n in row[4:]])
                for row in rows
            }

    def active_alerts(self) -> dict[str, list[dict[str, Any]]]:
        with _translated(), self._pool.connection() as conn:
            found: dict[str, list[dict[str, Any]]] = {}
            for centre, body in conn.execute("select centre, body from alerts order by centre, id"):
                found.setdefault(centre, []).append(body)
            return found

    def add_tallies(self, centre: str, changes: dict[TallyKey, DailyTally]) -> None:
        with _translated(), self._pool.connection() as conn, conn.cursor() as cur:
            _ingest.add_tallies(cur, centre, changes)

    # --- reports -----------------------------------------------------------------------

    def tallies(
        self, first: date, last: date, centre: str | None, by: str, *, rollups: bool = True
    ) -> tuple[list[tuple[str, Any, DailyTally]], dict[Any, dict[int, int]]]:
        """See `store.reports.tallies` (`daily_tallies` without `rollups`: every key's row
        of every day); one snapshot of the database for both parts."""
        read = _reports.tallies if rollups else _reports.daily_tallies
        with _translated(), self._pool.connection() as conn, conn.transaction():
            conn.execute("set transaction isolation level repeatable read read only")
            return read(conn, first, last, centre, by)

    # --- province staff ------------------------------------------------------------------

    def add_user(self, user: User, now: datetime) -> None:
        with _translated(), self._pool.connection() as conn:
            try:
                conn.execute(
                    "insert into users (username, display_name, password_hash, disabled,"
                    " created_at) values (%s, %s, %s, %s, %s)",
                    [user.username, user.display_name, user.password_hash, user.disabled, now],
                )
            except psycopg.errors.UniqueViolation as exc:
                raise InvalidInput(
                    f"Đã có tài khoản {user.username} / user {user.username} exists"
                ) from exc

    def user(self, username: str) -> User | None:
        with _translated(), self._pool.connection() as conn:
            row = conn.execute(
                "select username, display_name, password_hash, disabled from users"
                " where username = %s",
                [username],
            ).fetchone()
        return User(*row) if row else None

    def insert_token(
        self, token_hash: str, username: str, now: datetime, expires: datetime
    ) -> None:
        with _translated(), self._pool.connection() as conn:
            conn.execute(
                "insert into tokens (hash, username, created_at, expires_at)"
                " values (%s, %s, %s, %s)",
                [token_hash, username, now, expires],
            )

    def token_user(self, token_hash: str, now: datetime) -> User | None:
        with _translated(), self._pool.connection() as conn:
            row = conn.execute(
                "select u.username, u.display_name, u.password_hash, u.disabled from tokens t"
                " join users u on u.username = t.username"
                " where t.hash = %s and t.expires_at > %s and not u.disabled",
                [token_hash, now],
            ).fetchone()
        return User(*row) if row else None

    # --- site templates ------------------------------------------------------------------

    def put_template(self, name: str, body: str, now: datetime) -> int:
        """Store a template's new text; returns its version (1, then one more each time)."""
        with _translated(), self._pool.connection() as conn:
            row = conn.execute(
                "insert into templates as t (name, version, body, updated_at)"
                " values (%s, 1, %s, %s) on conflict (name) do update set"
                " version = t.version + 1, body = excluded.body, updated_at = excluded.updated_at"
                " returning version",
                [name, body, now],
            ).fetchone()
        assert row is not None
        return int(row[0])

    def template(self, name: str) -> Template | None:
        with _translated(), self._pool.connection() as conn:
            row = conn.execute(
                "select name, version, body, updated_at from templates where name = %s", [name]
            ).fetchone()
        return Template(*row) if row else None

    # --- health and live views -----------------------------------------------------------

    def ping(self) -> None:
        with _translated(), self._pool.connection() as conn:
            conn.execute("select 1")

    def listen(self, on_notice: Callable[[dict[str, Any]], None], stop: Callable[[], bool]) -> None:
        """Call `on_notice` with each ingest's notice, from every hub process, until `stop()`
        (checked five times a second). Runs in the caller's thread, on a connection of
        its own (a listening connection cannot go back to the pool)."""
        with _translated(), psycopg.connect(self._url, autocommit=True) as conn:
            conn.execute(f"listen {_ingest.CHANNEL}")
            while not stop():
                ready, _, _ = select.select([conn.fileno()], [], [], 0.2)
                if not ready:
                    continue
                for notice in conn.notifies(timeout=0, stop_after=0):
                    with contextlib.suppress(ValueError):
                        on_notice(json.loads(notice.payload))


def connect(url: str, *, min_size: int = 1, max_size: int = 8) -> HubStore:
    """The store of the database at `url`, migrated.

    Raises:
        StoreUnavailable: the database cannot be reached.
    """
    with _translated():
        pool = psycopg_pool.ConnectionPool(
            url, min_size=min_size, max_size=max_size, open=False, timeout=10.0
        )
        try:
            pool.open(wait=True, timeout=10.0)
            with pool.connection() as conn:
                migrate(conn)
        except BaseException:
            pool.close()
            raise
    return HubStore(pool, url)
