"""The SQLite store: the only place that touches the database (see `queue_server.store`).

One `SqliteStore` per thread (sqlite connections are not shared across threads): the
server's single writer thread holds one, the event loop another for reads, and
the admin commands their own. WAL lets readers run beside the writer; every write
goes through `transaction()` (BEGIN IMMEDIATE … COMMIT), durable with
`synchronous=FULL`.
"""

from __future__ import annotations

import functools
import hmac
import json
import logging
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlite_utils import Database

from queue_core.alerts import Alert, AlertKind
from queue_core.errors import UnknownCounter, UnknownTicket
from queue_core.model import CallMode, Counter, CounterState, Ticket, TicketStatus
from queue_core.report import Grouping, RangeTallies, Rules, Tally, Visit
from queue_core.site import SiteConfig, site_from_data
from queue_server.store import DATABASE_NAME
from queue_server.store.errors import Conflict, DatabaseUnusable, StoreError
from queue_server.store.records import (
    AuditEntry,
    CounterDay,
    Device,
    EventRecord,
    IssueRecord,
    Rating,
    Token,
    TokenHolder,
    TokenKind,
    User,
)
from queue_server.store.sqlite import alerts as _migrations  # noqa: F401  (m004–m011)
from queue_server.store.sqlite import daily_figures as _daily  # m012, m013
from queue_server.store.sqlite import follow_codes
from queue_server.store.sqlite import password_change as _password_change  # noqa: F401  (m014)
from queue_server.store.sqlite import reports as _reports
from queue_server.store.sqlite import supervision as _supervision  # noqa: F401  (m015)
from queue_server.store.sqlite.hot_path import CALL_TYPES
from queue_server.store.sqlite.integrity import check_database_file
from queue_server.store.sqlite.schema import migrations

__all__ = ["SqliteStore", "check_database_file"]

log = logging.getLogger(__name__)

# How long a connection waits for another process's write lock (an admin command, the
# server) rather than fail.
BUSY_TIMEOUT_MS = 10_000


class _Translated:
    """sqlite3's errors as the store's: a constraint is a `Conflict`, anything else a
    `StoreError`. A class rather than a generator `contextmanager`, which costs about
    a microsecond more on each of the three statements of every ticket and call."""

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, _: object
    ) -> None:
        if isinstance(exc, sqlite3.IntegrityError):
            raise Conflict(str(exc)) from exc
        if isinstance(exc, sqlite3.Error):
            raise StoreError(str(exc)) from exc


_TRANSLATED = _Translated()


def _translated() -> _Translated:
    return _TRANSLATED


def _iso(at: datetime | None) -> str | None:
    """Stored in UTC, so that text order is time order (issue #12: a token's expiry
    compared as text must not mix offsets)."""
    if at is None:
        return None
    if at.tzinfo is UTC:  # the clock's own times: no conversion to make
        return at.isoformat()
    if at.tzinfo is None:
        raise TypeError(f"a stored time must be timezone-aware, not {at!r}")
    return at.astimezone(UTC).isoformat()


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text is not None else None


# The columns a ticket's change writes (its id, number, day and issue never change).
_UPDATED = (
    "service",
    "rank",
    "status",
    "called_at",
    "finished_at",
    "counter",
    "clerk",
    "target_counter",
    "recalls",
    "walk_in",
)


@functools.lru_cache(maxsize=64)
def _update_tickets_sql(count: int) -> str:
    """`count` tickets' changes in one statement (built once per count: the string took
    longer to build than a call's other Python work on the store)."""
    row = "(" + ", ".join("?" * (len(_UPDATED) + 1)) + ")"
    columns = ", ".join(f"{name} = v.column{i}" for i, name in enumerate(_UPDATED, start=2))
    # The first call stays once set: `called_at` is the last one (store.sqlite.reports).
    first_call = _UPDATED.index("called_at") + 2
    columns += f", first_called_at = coalesce(first_called_at, v.column{first_call})"
    return (
        f"update tickets set {columns} from (values {', '.join([row] * count)})"
        " as v where tickets.id = v.column1"
    )


@functools.lru_cache(maxsize=64)
def _append_events_sql(count: int) -> str:
    rows = ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * count)
    return f"insert into events (seq, type, at, actor, ticket_id, counter, body) values {rows}"


class SqliteStore:
    """One connection to the motcua database in `data_dir`; a `queue_server.store.Store`."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / DATABASE_NAME
        self._waits = True  # whether BEGIN waits for another connection's lock (`begin`)
        with self._damage_told(), _translated():
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            try:
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")
                conn.execute("PRAGMA foreign_keys = ON")
            except sqlite3.Error:
                conn.close()  # not a database: nothing to keep open
                raise
            self.db = Database(conn, execute_plugins=False)

    @contextmanager
    def _damage_told(self) -> Iterator[None]:
        """A file SQLite finds not to be a database, or corrupt, is `DatabaseUnusable`."""
        try:
            yield
        except StoreError as exc:
            cause = exc.__cause__
            if getattr(cause, "sqlite_errorname", None) in ("SQLITE_NOTADB", "SQLITE_CORRUPT"):
                raise DatabaseUnusable(
                    self.path, f"dữ liệu bị hỏng: {exc} / its content is damaged: {exc}"
                ) from exc
            raise

    def migrate(self) -> None:
        with self._damage_told(), _translated():
            migrations.apply(self.db)

    def close(self) -> None:
        self.db.close()

    # --- transactions ------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE … COMMIT: takes the write lock up front, so a read-modify-write
        inside can never be interleaved by another writer.

        Whatever fails, the body or the COMMIT itself (disk full, SQLITE_BUSY), the
        connection leaves with no transaction open: a COMMIT that fails keeps the
        transaction open, and every later BEGIN would fail until a restart (issue #12).
        """
        self.begin()
        try:
            yield
        except BaseException:
            self.abandon()
            raise
        self.commit()

    def begin(self, *, wait: bool = True) -> bool:
        """BEGIN IMMEDIATE. With `wait=False`, False at once instead of waiting (up to the
        busy timeout) while another connection holds the write lock: the writer's event
        loop must never wait for another process."""
        conn = self.db.conn
        with _translated():
            if wait != self._waits:
                # Only when it changes: the writer's loop begins batch after batch without
                # waiting, and a PRAGMA pair around each BEGIN was two statements more
                # per batch (issue #15).
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS if wait else 0}")
                self._waits = wait
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if wait or exc.sqlite_errorcode not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                    raise
                return False
        return True

    def commit(self) -> None:
        """COMMIT; whatever fails, nothing of the transaction stays and the connection has
        no transaction open."""
        try:
            with _translated():
                self.db.conn.execute("COMMIT")
        except BaseException:
            self.abandon()
            raise

    def abandon(self) -> None:
        """Roll back whatever is open; the caller's error, not this one, is what counts."""
        if not self.db.conn.in_transaction:
            return  # SQLite already rolled it back (e.g. SQLITE_FULL)
        try:
            self.db.conn.execute("ROLLBACK")
        except sqlite3.Error:
            log.exception(
                "ROLLBACK failed after an error; the connection may stay in a transaction"
            )

    def writes(self) -> int:
        return self.db.conn.total_changes

    @contextmanager
    def read_transaction(self) -> Iterator[None]:
        """Several reads that see one consistent state (a WAL snapshot)."""
        if self.db.conn.in_transaction:
            yield
            return
        with _translated():
            self.db.execute("BEGIN")
        try:
            yield
        finally:
            self.db.rollback()

    # --- site ---------------------------------------------------------------------------

    def site(self) -> SiteConfig | None:
        with _translated():
            rows = list(self.db.query("select value from settings where key = 'site'"))
        return site_from_data(json.loads(rows[0]["value"])) if rows else None

    def save_site(self, site: SiteConfig) -> None:
        """Store the site and (re)create its services and counters. Inside a transaction."""
        with _translated():
            self.db.table("settings").upsert(
                {"key": "site", "value": site.model_dump_json()}, pk="key"
            )
            self._bump("site_revision")
            for position, service in enumerate(site.services):
                self.db.table("services").upsert(
                    {
                        "code": service.code,
                        "name": service.name,
                        "prefix": service.prefix,
                        "digits": service.digits,
                        "position": position,
                    },
                    pk="code",
                )
            existing = {row["number"]: row for row in self.db.table("counters").rows}
            for counter in site.counters_domain():
                if counter.number in existing:
                    old = self._counter(existing[counter.number])
                    counter = counter.replace(
                        state=old.state,
                        clerk=old.clerk,
                        current_ticket_id=old.current_ticket_id,
                        pause_reason=old.pause_reason,
                        priority_streak=old.priority_streak,
                        helps=old.helps,
                        helps_on=old.helps_on,
                    )
                self.save_counter(counter, None)

    # --- counters ------------------------------------------------------------------------

    @staticmethod
    def _counter(row: dict[str, Any]) -> Counter:
        return Counter(
            number=row["number"],
            name=row["name"],
            services=tuple(json.loads(row["services"])),
            call_mode=CallMode(row["call_mode"]),
            state=CounterState(row["state"]),
            clerk=row["clerk"],
            current_ticket_id=row["current_ticket_id"],
            pause_reason=row["pause_reason"],
            priority_streak=row["priority_streak"],
            retired=bool(row["retired"]),
            helps=row["helps"],
            helps_on=date.fromisoformat(row["helps_on"]) if row["helps_on"] else None,
        )

    def counters(self) -> list[Counter]:
        with _translated():
            return [
                self._counter(r) for r in self.db.query("select * from counters order by number")
            ]

    def counter(self, number: int) -> Counter:
        with _translated():
            rows = list(self.db.query("select * from counters where number = ?", [number]))
        if not rows:
            raise UnknownCounter(number)
        return self._counter(rows[0])

    def save_counter(self, counter: Counter, at: datetime | None) -> None:
        with _translated():
            self.db.execute(
                "insert or replace into counters (number, name, services, call_mode, state, clerk,"
                " current_ticket_id, pause_reason, priority_streak, updated_at, retired,"
                " helps, helps_on) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    counter.number,
                    counter.name,
                    json.dumps(list(counter.services)),
                    counter.call_mode.value,
                    counter.state.value,
                    counter.clerk,
                    counter.current_ticket_id,
                    counter.pause_reason,
                    counter.priority_streak,
                    _iso(at),
                    int(counter.retired),
                    counter.helps,
                    counter.helps_on.isoformat() if counter.helps_on else None,
                ],
            )

    def early_closures(self, day: date) -> dict[str, datetime]:
        with _translated():
            rows = self.db.execute(
                "select service, closed_at from early_closures where day = ?", [day.isoformat()]
            ).fetchall()
        return {service: datetime.fromisoformat(at) for service, at in rows}

    def close_issuing(self, service: str, day: date, at: datetime, actor: str | None) -> None:
        with _translated():
            self.db.execute(
                "insert or replace into early_closures (service, day, closed_at, actor)"
                " values (?, ?, ?, ?)",
                [service, day.isoformat(), _iso(at), actor],
            )

    def reopen_issuing(self, service: str, day: date) -> None:
        with _translated():
            self.db.execute(
                "delete from early_closures where service = ? and day = ?",
                [service, day.isoformat()],
            )

    def counters_open_since_before(self, before: datetime) -> set[int]:
        """Counters not closed whose last change was before `before` (a past day's)."""
        with _translated():
            rows = self.db.execute(
                "select number from counters where state != 'closed'"
                " and (updated_at is null or updated_at < ?)",
                [_iso(before)],
            ).fetchall()
        return {int(number) for (number,) in rows}

    # --- tickets -------------------------------------------------------------------------

    @staticmethod
    def _ticket(row: dict[str, Any] | sqlite3.Row) -> Ticket:
        return Ticket(
            id=row["id"],
            number=row["number"],
            service=row["service"],
            day=date.fromisoformat(row["day"]),
            sequence=row["sequence"],
            issued_at=datetime.fromisoformat(row["issued_at"]),
            rank=row["rank"],
            priority=bool(row["priority"]),
            status=TicketStatus(row["status"]),
            called_at=_dt(row["called_at"]),
            finished_at=_dt(row["finished_at"]),
            counter=row["counter"],
            clerk=row["clerk"],
            target_counter=row["target_counter"],
            recalls=row["recalls"] or 0,
            walk_in=bool(row["walk_in"]),
        )

    def ticket(self, ticket_id: int) -> Ticket:
        with _translated():
            rows = list(self.db.query("select * from tickets where id = ?", [ticket_id]))
        if not rows:
            raise UnknownTicket(ticket_id)
        return self._ticket(rows[0])

    def tickets_of_day(self, day: date) -> list[Ticket]:
        with _translated():
            rows = self.db.query("select * from tickets where day = ?", [day.isoformat()])
            return [self._ticket(row) for row in rows]

    def issues_of_day(self, day: date) -> list[IssueRecord]:
        with _translated():
            rows = self.db.execute(
                "select id, issued_service, issued_by, idempotency_key from tickets where day = ?",
                [day.isoformat()],
            ).fetchall()
        return [IssueRecord(int(i), str(s), by, key) for i, s, by, key in rows]

    def last_ticket_id(self) -> int:
        with _translated():
            return int(self.db.execute("select coalesce(max(id), 0) from tickets").fetchone()[0])

    def insert_ticket(self, ticket: Ticket, issue: IssueRecord) -> str:
        """One statement; returns the ticket's follow code (`follow_codes.new_code`)."""
        code = follow_codes.new_code(ticket.id)
        while code.isdigit():  # an all-digit code would read as an old numeric `/t/{id}`
            code = follow_codes.new_code(ticket.id)
        with _translated():
            self.db.execute(
                "insert into tickets (id, number, service, issued_service, day,"
                " sequence, rank, priority, status, issued_at, called_at, finished_at,"
                " counter, clerk, target_counter, recalls, walk_in, issued_by,"
                " idempotency_key, follow_code, first_called_at)"
                " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    ticket.id,
                    ticket.number,
                    ticket.service,
                    issue.issued_service,
                    ticket.day.isoformat(),
                    ticket.sequence,
                    ticket.rank,
                    int(ticket.priority),
                    ticket.status.value,
                    _iso(ticket.issued_at),
                    _iso(ticket.called_at),
                    _iso(ticket.finished_at),
                    ticket.counter,
                    ticket.clerk,
                    ticket.target_counter,
                    ticket.recalls,
                    int(ticket.walk_in),
                    issue.issued_by,
                    issue.idempotency_key,
                    code,
                    _iso(ticket.called_at),  # a walk-in is called as it is issued
                ],
            )
        return code

    def update_tickets(self, tickets: Sequence[Ticket]) -> None:
        """One UPDATE … FROM (VALUES …), however many tickets (a call-next changes two)."""
        if not tickets:
            return
        params: list[object] = []
        for t in tickets:
            params += [
                t.id,
                t.service,
                t.rank,
                t.status.value,
                _iso(t.called_at),
                _iso(t.finished_at),
                t.counter,
                t.clerk,
                t.target_counter,
                t.recalls,
                int(t.walk_in),
            ]
        with _translated():
            self.db.execute(_update_tickets_sql(len(tickets)), params)

    def open_tickets_before(self, day: date) -> list[Ticket]:
        """Waiting or called tickets of days before `day`: the day change expires them."""
        with _translated():
            rows = self.db.query(
                "select * from tickets where status in ('waiting', 'called') and day < ?",
                [day.isoformat()],
            )
            return [self._ticket(r) for r in rows]

    # --- events --------------------------------------------------------------------------

    def last_seq(self) -> int:
        with _translated():
            return int(self.db.execute("select coalesce(max(seq), 0) from events").fetchone()[0])

    def append_events(self, events: Sequence[EventRecord]) -> None:
        if not events:
            return
        params: list[object] = []
        for e in events:
            params += [e.seq, e.type, _iso(e.at), e.actor, e.ticket_id, e.counter, e.body]
        with _translated():
            self.db.execute(_append_events_sql(len(events)), params)

    def events_after(
        self, seq: int, limit: int = 1000, until: int | None = None
    ) -> list[tuple[int, str, str]]:
        """(seq, type, JSON body) of the events after `seq` (up to `until`), oldest first."""
        with _translated():
            return [
                (int(s), str(t), str(b))
                for s, t, b in self.db.execute(
                    "select seq, type, body from events where seq > ? and seq <= ?"
                    " order by seq limit ?",
                    [seq, until if until is not None else 2**63 - 1, limit],
                ).fetchall()
            ]

    def latest_calls(self, since: datetime, limit: int) -> list[str]:
        with _translated():
            return [
                str(body)
                for (body,) in self.db.execute(
                    # The types as the partial index `events_calls` names them (m020).
                    f"select body from events where {CALL_TYPES} and at >= ?"
                    " order by seq desc limit ?",
                    [_iso(since), limit],
                ).fetchall()
            ]

    # --- ratings -------------------------------------------------------------------------

    def rating_exists(self, ticket_id: int) -> bool:
        with _translated():
            return (
                self.db.execute("select 1 from ratings where ticket_id = ?", [ticket_id]).fetchone()
                is not None
            )

    def insert_rating(self, rating: Rating) -> None:
        with _translated():
            self.db.execute(
                "insert into ratings (ticket_id, score, scale, reasons, comment, rated_at,"
                " counter, clerk, service, device) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    rating.ticket_id,
                    rating.score,
                    rating.scale,
                    json.dumps(
                        {"reasons": list(rating.reasons)}, ensure_ascii=False, separators=(",", ":")
                    ),
                    rating.comment,
                    _iso(rating.rated_at),
                    rating.counter,
                    rating.clerk,
                    rating.service,
                    rating.device,
                ],
            )

    # --- users, devices, tokens -------------------------------------------------------------

    @staticmethod
    def _user(row: dict[str, Any]) -> User:
        return User(
            username=row["username"],
            display_name=row["display_name"] or row["username"],
            role=row["role"],
            password_hash=row["password_hash"],
            disabled=bool(row["disabled"]),
            created_at=datetime.fromisoformat(row["created_at"]),
            must_change_password=bool(row["must_change_password"]),
        )

    def user(self, username: str) -> User | None:
        row = self._one("select * from users where username = ?", [username])
        return self._user(row) if row is not None else None

    def users(self) -> list[User]:
        with _translated():
            return [self._user(r) for r in self.db.query("select * from users order by username")]

    def insert_user(self, user: User) -> None:
        with _translated():
            self.db.execute(
                "insert into users (username, display_name, role, password_hash, disabled,"
                " created_at) values (?, ?, ?, ?, ?, ?)",
                [
                    user.username,
                    user.display_name,
                    user.role,
                    user.password_hash,
                    int(user.disabled),
                    _iso(user.created_at),
                ],
            )

    def set_user_disabled(self, username: str, disabled: bool) -> bool:
        with _translated():
            self._auth_changed()
            return (
                self.db.execute(
                    "update users set disabled = ? where username = ?", [int(disabled), username]
                ).rowcount
                > 0
            )

    def set_user_role(self, username: str, role: str) -> bool:
        with _translated():
            self._auth_changed()
            return (
                self.db.execute(
                    "update users set role = ? where username = ?", [role, username]
                ).rowcount
                > 0
            )

    def set_user_password(self, username: str, password_hash: str, must_change: bool) -> bool:
        with _translated():
            self._auth_changed()
            return (
                self.db.execute(
                    "update users set password_hash = ?, must_change_password = ?"
                    " where username = ?",
                    [password_hash, int(must_change), username],
                ).rowcount
                > 0
            )

    def _one(self, sql: str, params: list[object]) -> dict[str, Any] | None:
        with _translated():
            rows = list(self.db.query(sql, params))
        return rows[0] if rows else None

    @staticmethod
    def _device(row: dict[str, Any]) -> Device:
        return Device(
            id=row["id"],
            name=row["name"],
            kind=row["kind"],
            created_at=datetime.fromisoformat(row["created_at"]),
            counter=row["counter"],
            revoked_at=_dt(row["revoked_at"]),
            last_seen_at=_dt(row["last_seen_at"]),
            printer=row["printer"],
            detail=row["detail"],
            version=row["version"],
        )

    def device(self, device_id: int) -> Device | None:
        row = self._one("select * from devices where id = ?", [device_id])
        return self._device(row) if row is not None else None

    def device_by_name(self, name: str) -> Device | None:
        row = self._one("select * from devices where name = ?", [name])
        return self._device(row) if row is not None else None

    def devices(self) -> list[Device]:
        with _translated():
            return [self._device(r) for r in self.db.query("select * from devices order by id")]

    def insert_device(self, device: Device) -> int:
        with _translated():
            cursor = self.db.execute(
                "insert into devices (name, kind, created_at, counter, revoked_at, last_seen_at,"
                " printer, detail, version) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    device.name,
                    device.kind,
                    _iso(device.created_at),
                    device.counter,
                    _iso(device.revoked_at),
                    _iso(device.last_seen_at),
                    device.printer,
                    device.detail,
                    device.version,
                ],
            )
        return int(cursor.lastrowid or 0)

    def set_device_revoked(self, device_id: int, at: datetime | None) -> None:
        with _translated():
            self._auth_changed()
            self.db.execute("update devices set revoked_at = ? where id = ?", [_iso(at), device_id])

    def record_heartbeat(
        self,
        device_id: int,
        at: datetime,
        printer: str | None,
        detail: str | None,
        version: str | None,
    ) -> None:
        with _translated():
            self.db.execute(
                "update devices set last_seen_at = ?, printer = coalesce(?, printer),"
                " detail = coalesce(?, detail), version = coalesce(?, version) where id = ?",
                [_iso(at), printer, detail, version, device_id],
            )

    # --- alerts ---------------------------------------------------------------------------

    def active_alerts(self) -> list[Alert]:
        with _translated():
            rows = self.db.execute(
                "select id, kind, subject, message, since from alerts"
                " where cleared_at is null order by id"
            ).fetchall()
        return [
            Alert(
                id=alert_id,
                kind=cast(AlertKind, kind),  # stored from an AlertKind
                subject=subject,
                message=message,
                since=datetime.fromisoformat(since),
            )
            for alert_id, kind, subject, message, since in rows
        ]

    def insert_alert(self, alert: Alert, at: datetime) -> int:
        with _translated():
            cursor = self.db.execute(
                "insert into alerts (kind, subject, message, since, raised_at)"
                " values (?, ?, ?, ?, ?)",
                [alert.kind, alert.subject, alert.message, _iso(alert.since), _iso(at)],
            )
        return int(cursor.lastrowid or 0)

    def clear_alert(self, alert_id: int, at: datetime) -> None:
        with _translated():
            self.db.execute(
                "update alerts set cleared_at = ? where id = ? and cleared_at is null",
                [_iso(at), alert_id],
            )

    def token_holder(self, token_hash: str) -> TokenHolder | None:
        with _translated():
            row = self.db.execute(
                "select t.kind, t.subject, coalesce(u.role, d.kind),"
                " coalesce(nullif(u.display_name, ''), u.username, d.name), d.counter,"
                " t.expires_at"
                " from tokens t"
                " left join users u on t.kind = 'user' and u.username = t.subject"
                " and u.disabled = 0"
                " left join devices d on t.kind = 'device' and d.id = t.subject"
                " and d.revoked_at is null"
                " where t.hash = ? and t.revoked_at is null",
                [token_hash],
            ).fetchone()
        if row is None or row[2] is None:
            return None
        kind, subject, role, name, counter, expires_at = row
        return TokenHolder(
            kind="user" if kind == "user" else "device",
            subject=str(subject),
            role=str(role),
            display_name=str(name),
            counter=None if counter is None else int(counter),
            expires_at=_dt(expires_at),
        )

    def site_revision(self) -> int:
        return self._revision("site_revision")

    def record_audit(self, entries: Sequence[AuditEntry]) -> None:
        with _translated():
            for e in entries:
                self.db.execute(
                    "insert into audit (at, actor, source, change_id, kind, subject, setting,"
                    " before, after, description) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        _iso(e.at),
                        e.actor,
                        e.source,
                        e.change_id,
                        e.kind,
                        e.subject,
                        e.setting,
                        json.dumps(e.before, ensure_ascii=False),
                        json.dumps(e.after, ensure_ascii=False),
                        e.description,
                    ],
                )

    def audit(
        self,
        since: datetime,
        until: datetime,
        limit: int,
        *,
        actor: str | None = None,
        kind: str | None = None,
        offset: int = 0,
    ) -> list[AuditEntry]:
        where, params = ["at >= ?", "at <= ?"], [_iso(since), _iso(until)]
        if actor:
            where.append("actor = ?")
            params.append(actor)
        if kind:
            where.append("kind = ?")
            params.append(kind)
        with _translated():
            rows = self.db.query(
                f"select * from audit where {' and '.join(where)}"
                " order by at desc, id desc limit ? offset ?",
                [*params, limit, offset],
            )
            return [
                AuditEntry(
                    at=datetime.fromisoformat(r["at"]),
                    actor=r["actor"],
                    source=r["source"],
                    change_id=r["change_id"],
                    kind=r["kind"],
                    subject=r["subject"],
                    setting=r["setting"],
                    before=json.loads(r["before"]),
                    after=json.loads(r["after"]),
                    description=r["description"],
                )
                for r in rows
            ]

    def audit_facets(self) -> tuple[list[str], list[str]]:
        with _translated():
            actors = [r[0] for r in self.db.execute("select distinct actor from audit order by 1")]
            kinds = [r[0] for r in self.db.execute("select distinct kind from audit order by 1")]
        return actors, kinds

    def auth_revision(self) -> int:
        return self._revision("auth_revision")

    def _revision(self, key: str) -> int:
        with _translated():
            row = self.db.execute("select value from settings where key = ?", [key]).fetchone()
        return int(row[0]) if row else 0

    def _bump(self, key: str) -> None:
        self.db.execute(
            "insert into settings (key, value) values (?, '1')"
            " on conflict (key) do update set value = cast(value as integer) + 1",
            [key],
        )

    def _auth_changed(self) -> None:
        """Bump the revision every cache of tokens watches (see `auth_revision`)."""
        self._bump("auth_revision")

    def insert_token(self, token: Token) -> None:
        with _translated():
            self._auth_changed()
            self.db.execute(
                "insert into tokens (hash, kind, subject, created_at, expires_at, revoked_at)"
                " values (?, ?, ?, ?, ?, null)",
                [
                    token.hash,
                    token.kind,
                    token.subject,
                    _iso(token.created_at),
                    _iso(token.expires_at),
                ],
            )

    def revoke_tokens(self, kind: TokenKind, subject: str, at: datetime) -> int:
        with _translated():
            self._auth_changed()
            return self.db.execute(
                "update tokens set revoked_at = ?"
                " where kind = ? and subject = ? and revoked_at is null",
                [_iso(at), kind, subject],
            ).rowcount

    def revoke_token(self, token_hash: str, at: datetime) -> int:
        """Revoke one token (a sign-out), leaving its holder's others alone."""
        with _translated():
            self._auth_changed()
            return self.db.execute(
                "update tokens set revoked_at = ? where hash = ? and revoked_at is null",
                [_iso(at), token_hash],
            ).rowcount

    # --- a counter's day, for the clerk's desk ------------------------------------------

    def counter_day(self, counter: int, day: date, clerk: str | None = None) -> CounterDay:
        """Ticket counts by status, the mean service time, and (score, scale) of the
        ratings of `day`'s tickets finished at `counter` (by `clerk` alone when given)."""
        where, params = "t.day = ? and t.counter = ?", [day.isoformat(), counter]
        if clerk is not None:
            where += " and t.clerk = ?"
            params.append(clerk)
        with _translated(), self.read_transaction():
            counts = {
                str(status): int(n)
                for status, n in self.db.execute(
                    f"select t.status, count(*) from tickets t where {where} group by t.status",
                    params,
                ).fetchall()
            }
            mean = self.db.execute(
                "select avg((julianday(t.finished_at) - julianday(t.called_at)) * 86400.0)"
                f" from tickets t where {where} and t.status = 'done'",
                params,
            ).fetchone()[0]
            ratings = [
                (int(score), int(size))
                for score, size in self.db.execute(
                    "select r.score, r.scale from ratings r join tickets t on t.id = r.ticket_id"
                    f" where {where}",
                    params,
                ).fetchall()
            ]
        return CounterDay(counts, float(mean) if mean is not None else None, ratings)

    # --- reports ----------------------------------------------------------------------------

    def report_visits(self, first: date, last: date) -> list[Visit]:
        with _translated(), self.read_transaction():
            return _reports.visits(self.db, first, last)

    def report_tallies(
        self, first: date, last: date, groupings: Sequence[Grouping], rules: Rules
    ) -> RangeTallies:
        wanted = [*dict.fromkeys([*groupings, Grouping.DAY])]
        with _translated(), self.read_transaction():
            found = _daily.refresh(self.db, rules, first, last)
            stored = _daily.stored_tallies(self.db, found.stored, wanted, rules.scale)
            held = set(found.stored)
            live = [first + timedelta(days=n) for n in range((last - first).days + 1)]
            tallied: dict[date, _daily.DayFigures] = {}
            for days in _daily.tally_runs(self.db, [d for d in live if d not in held], rules):
                tallied.update(days)
        parts = {by: {key: [one] for key, one in stored[by].items()} for by in wanted}
        for figures in tallied.values():
            for by in wanted:
                for key, one in figures.tallies[by].items():
                    parts[by].setdefault(key, []).append(one)
        merged = {
            by: {key: Tally.merged(ones, rules.scale) for key, ones in parts[by].items()}
            for by in wanted
        }
        total = Tally.merged(merged[Grouping.DAY].values(), rules.scale)
        closed = {d: f for d, f in tallied.items() if found.newest and d < found.newest}
        self._keep(found, closed)
        return RangeTallies({by: merged[by] for by in groupings}, total)

    def keep_daily_figures(self, rules: Rules) -> int:
        with _translated(), self.read_transaction():
            found = _daily.refresh(self.db, rules)
        kept = 0
        for days in self._tallied(found, rules):
            kept += len(days)
        return kept

    def _tallied(
        self, found: _daily.Refresh, rules: Rules
    ) -> Iterator[dict[date, _daily.DayFigures]]:
        # Reading a few days' tickets at a time, each in a snapshot of its own: a day that
        # changes meanwhile has an event after `found.last_seq`, and is tallied again later.
        if not self._keep(found, {}, mark=True):
            return
        for run in _daily.runs(found.to_tally):
            with _translated(), self.read_transaction():
                days = next(_daily.tally_runs(self.db, run, rules))
            if not self._keep(found, days, checked=True):
                return
            yield days

    def _keep(
        self,
        found: _daily.Refresh,
        days: dict[date, _daily.DayFigures],
        checked: bool = False,
        mark: bool = False,
    ) -> bool:
        """Save what `found` says and the closed `days` tallied from the same state, a few
        days per transaction; False when a later check got there first. A store that cannot
        write them (busy, read-only) still answers the report: they are tallied next time.

        The events `found` checked are marked checked when there is something to save,
        when `mark` says so (keeping up does), or when many are waiting: a report with
        nothing to save writes nothing, so it never waits for the hall's writer."""
        if self.db.conn.in_transaction:
            return False
        try:
            with _translated():
                return self._write_kept(found, days, checked, mark)
        except StoreError:
            log.warning(
                "the daily figures were not saved; the next report tallies them again",
                exc_info=True,
            )
            return False

    def _write_kept(
        self,
        found: _daily.Refresh,
        days: dict[date, _daily.DayFigures],
        checked: bool,
        mark: bool,
    ) -> bool:
        if not checked and found.last_seq != found.seen:
            unchecked = found.last_seq - found.seen
            if not (mark or found.stale or days or unchecked > _daily.UNCHECKED_MAX):
                return True
            with self.transaction():
                if not _daily.mark_checked(self.db, found):
                    return False
        ordered = sorted(days.items())
        for start in range(0, len(ordered), _daily.DAYS_PER_WRITE):
            with self.transaction():
                if not _daily.still_checked(self.db, found):
                    return False
                _daily.write_days(self.db, dict(ordered[start : start + _daily.DAYS_PER_WRITE]))
        return True

    # --- a ticket by its printed number, for the kiosk's "rate my visit" --------------------

    def tickets_by_number(self, number: str, day: date) -> list[Ticket]:
        """`day`'s tickets printed with `number` (prefixes are distinct: one at most)."""
        with _translated():
            rows = self.db.query(
                "select * from tickets where day = ? and number = ? order by id",
                [day.isoformat(), number],
            )
            return [self._ticket(r) for r in rows]

    # --- follow codes: the unguessable handle of a ticket's QR code and follow page ----------

    def follow_code(self, ticket_id: int) -> str | None:
        with _translated():
            row = self.db.execute(
                "select follow_code from tickets where id = ?", [ticket_id]
            ).fetchone()
        return str(row[0]) if row and row[0] is not None else None

    def ticket_by_follow_code(self, code: str) -> Ticket | None:
        ticket_id = follow_codes.ticket_id_of(code)
        with _translated():
            if ticket_id is not None:
                rows = list(self.db.query("select * from tickets where id = ?", [ticket_id]))
            else:  # drawn whole: its partial index (m018) repeats the length condition
                rows = list(
                    self.db.query(
                        "select * from tickets where follow_code = ?"
                        f" and length(follow_code) = {follow_codes.DRAWN_LENGTH}",
                        [code],
                    )
                )
        stored = rows[0]["follow_code"] if rows else None
        if stored is None or not hmac.compare_digest(stored.encode(), code.encode()):
            return None
        return self._ticket(rows[0])

    def rating_score(self, ticket_id: int) -> int | None:
        """The score ticket `ticket_id` was rated with, or None while it is unrated."""
        with _translated():
            row = self.db.execute(
                "select score from ratings where ticket_id = ?", [ticket_id]
            ).fetchone()
        return int(row[0]) if row else None
