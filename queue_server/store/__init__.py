"""The store: the one interface to the database, in the domain's types.

`Store` is what the server, the commands and the tools ask; it takes and returns
`queue_core` models, the records of `records.py` and timezone-aware datetimes, never rows,
SQL or timestamps as text. SQLite (`queue_server.store.sqlite`) is one implementation; the
contract suite in `tests/store/` is what any other must pass unchanged.

One store object per thread: the server's single writer holds one, the event loop another
for reads, and the admin commands their own. Every write runs inside `transaction()`.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from queue_core.alerts import Alert
from queue_core.model import Counter, Ticket
from queue_core.report import Grouping, RangeTallies, Rules, Visit
from queue_core.site import SiteConfig
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

__all__ = [
    "DATABASE_NAME",
    "AuditEntry",
    "Conflict",
    "CounterDay",
    "DatabaseUnusable",
    "Device",
    "EventRecord",
    "IssueRecord",
    "Rating",
    "Store",
    "StoreError",
    "Token",
    "TokenHolder",
    "User",
    "backup",
    "connect",
    "restore",
]

DATABASE_NAME = "motcua.db"
"""The database's file in the data directory (with its `-wal` and `-shm` companions)."""


class Store(Protocol):
    """The motcua database, as one connection sees it."""

    def migrate(self) -> None:
        """Bring the schema up to date (on every open; idempotent)."""

    def close(self) -> None: ...

    # --- transactions ----------------------------------------------------------------

    def transaction(self) -> AbstractContextManager[None]:
        """A write transaction holding the write lock from its start. Whatever fails, the
        body or the commit itself, nothing of it stays and the store can be used again."""

    def begin(self, *, wait: bool = True) -> bool:
        """Start `transaction()`'s write transaction by hand, for a writer that commits it
        elsewhere; `wait=False`: False at once, instead of waiting, while another writer
        holds the lock."""

    def commit(self) -> None:
        """Commit what `begin` started; whatever fails, nothing of it stays."""

    def abandon(self) -> None:
        """Roll back the open transaction, if any."""

    def read_transaction(self) -> AbstractContextManager[None]:
        """Several reads that see one consistent state."""

    def writes(self) -> int:
        """Rows this store object has written so far: a command that failed after
        writing any has left its transaction unfit to commit."""

    # --- site, counters --------------------------------------------------------------

    def site(self) -> SiteConfig | None: ...

    def save_site(self, site: SiteConfig) -> None:
        """Store the site and (re)create its services and counters, keeping each existing
        counter's live state; moves `site_revision`."""

    def record_audit(self, entries: Sequence[AuditEntry]) -> None:
        """Add `entries` to the audit log (in the transaction of the change they record)."""

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
        """The audit log's entries from `since` up to `until`, newest first, at most
        `limit` after skipping `offset`; only `actor`'s, only of `kind`, when given."""

    def audit_facets(self) -> tuple[list[str], list[str]]:
        """The actors and the kinds the audit log holds, sorted: a filter's choices."""

    def site_revision(self) -> int:
        """A number that changes whenever the site is saved (whichever process saved it):
        what a running server watches to take a change live."""

    def counters(self) -> list[Counter]:
        """Every counter, by number."""

    def counter(self, number: int) -> Counter:
        """Raises UnknownCounter."""

    def save_counter(self, counter: Counter, at: datetime | None) -> None: ...

    def early_closures(self, day: date) -> dict[str, datetime]:
        """The services whose issuing a supervisor closed early on `day`, and when."""

    def close_issuing(self, service: str, day: date, at: datetime, actor: str | None) -> None:
        """Keep `service`'s issuing closed for the rest of `day`."""

    def reopen_issuing(self, service: str, day: date) -> None: ...

    def counters_open_since_before(self, before: datetime) -> set[int]:
        """Counters not closed whose last change was before `before`."""

    # --- tickets ---------------------------------------------------------------------

    def ticket(self, ticket_id: int) -> Ticket:
        """Raises UnknownTicket."""

    def tickets_of_day(self, day: date) -> list[Ticket]:
        """Every ticket issued on `day`."""

    def issues_of_day(self, day: date) -> list[IssueRecord]:
        """How each ticket of `day` was issued."""

    def last_ticket_id(self) -> int:
        """The highest ticket id stored (0 when none): the next ticket takes the next."""

    def insert_ticket(self, ticket: Ticket, issue: IssueRecord) -> str:
        """Store a new ticket with its id (and its rank) as given; returns its follow code.
        The Idempotency-Key is kept, not checked: the writer answers a retry from the
        day's keys in memory (`issues_of_day` rebuilds them)."""

    def update_tickets(self, tickets: Sequence[Ticket]) -> None:
        """Store the changes to tickets already stored, in one statement."""

    def open_tickets_before(self, day: date) -> list[Ticket]:
        """Waiting or called tickets of days before `day`."""

    def tickets_by_number(self, number: str, day: date) -> list[Ticket]: ...

    def follow_code(self, ticket_id: int) -> str | None: ...

    def ticket_by_follow_code(self, code: str) -> Ticket | None: ...

    def counter_day(self, counter: int, day: date, clerk: str | None = None) -> CounterDay:
        """`day`'s figures of the tickets finished at `counter` (by `clerk` alone when
        given)."""

    def report_visits(self, first: date, last: date) -> list[Visit]:
        """Every ticket issued on the site's days `first` to `last` (both included), as
        reports count it: with its first call and its rating. Read through an index, in
        one consistent state."""

    def report_tallies(
        self, first: date, last: date, groupings: Sequence[Grouping], rules: Rules
    ) -> RangeTallies:
        """The tallies of `groupings` (and the total) over the site's days `first` to
        `last`, judged by `rules`, in one consistent state: the days that are over from the
        daily figures kept for them, the rest (today) from their tickets. Closed days found
        without figures, or with figures a later change made stale, are tallied from their
        tickets and kept for the next report. Call it outside a transaction."""

    def keep_daily_figures(self, rules: Rules) -> int:
        """Tally every day that is over and has no figures kept yet (or stale ones), and
        keep them; returns how many days were tallied. Call it outside a transaction."""

    # --- events ----------------------------------------------------------------------

    def last_seq(self) -> int:
        """The `seq` of the last event logged (0 when none)."""

    def append_events(self, events: Sequence[EventRecord]) -> None:
        """Log `events`, in one statement."""

    def events_after(
        self, seq: int, limit: int = 1000, until: int | None = None
    ) -> list[tuple[int, str, str]]:
        """(seq, type, JSON body) of the events after `seq` (up to `until`), oldest first."""

    def latest_calls(self, since: datetime, limit: int) -> list[str]:
        """JSON bodies of the newest calls and recalls (`ticket.called`, `ticket.recalled`)
        at or after `since`, newest first."""

    # --- ratings ---------------------------------------------------------------------

    def rating_exists(self, ticket_id: int) -> bool: ...

    def rating_score(self, ticket_id: int) -> int | None: ...

    def insert_rating(self, rating: Rating) -> None: ...

    # --- users, devices, tokens --------------------------------------------------------

    def user(self, username: str) -> User | None: ...

    def users(self) -> list[User]: ...

    def insert_user(self, user: User) -> None:
        """Raises Conflict when the username is taken."""

    def set_user_disabled(self, username: str, disabled: bool) -> bool:
        """False when there is no such user."""

    def set_user_role(self, username: str, role: str) -> bool:
        """False when there is no such user; moves `auth_revision` (tokens carry roles)."""

    def set_user_password(self, username: str, password_hash: str, must_change: bool) -> bool:
        """A new password (its hash), to be changed at the next sign-in when `must_change`;
        False when there is no such user."""

    def device(self, device_id: int) -> Device | None: ...

    def device_by_name(self, name: str) -> Device | None: ...

    def devices(self) -> list[Device]: ...

    def insert_device(self, device: Device) -> int:
        """Store a new device; returns its id. Raises Conflict when the name is taken."""

    def set_device_revoked(self, device_id: int, at: datetime | None) -> None: ...

    def record_heartbeat(
        self,
        device_id: int,
        at: datetime,
        printer: str | None,
        detail: str | None,
        version: str | None,
    ) -> None:
        """The device was heard from at `at`; the reported fields that are not None."""

    # --- alerts -----------------------------------------------------------------------

    def active_alerts(self) -> list[Alert]:
        """The alerts raised and not cleared, oldest first, with their ids."""

    def insert_alert(self, alert: Alert, at: datetime) -> int:
        """Keep `alert` (its `id` ignored), raised at `at`; returns its new id, never one
        given before."""

    def clear_alert(self, alert_id: int, at: datetime) -> None:
        """The alert `alert_id` cleared at `at` (no change when it already was)."""

    def token_holder(self, token_hash: str) -> TokenHolder | None:
        """Who holds a token that is not revoked, of an enabled user or a device in
        service, with its expiry (the caller compares it with its clock); else None."""

    def auth_revision(self) -> int:
        """A number that changes whenever a token, a user's access or a device's changes
        (whichever process changed it): what a cache of tokens checks to stay true."""

    def insert_token(self, token: Token) -> None: ...

    def revoke_tokens(self, kind: TokenKind, subject: str, at: datetime) -> int: ...

    def revoke_token(self, token_hash: str, at: datetime) -> int: ...


def connect(data_dir: Path, *, check_file: bool = False) -> Store:
    """The store of the data directory `data_dir` (SQLite, in `DATABASE_NAME`), not yet
    migrated; a new database is made only where the directory holds none.

    `check_file` first reads the file's header, which SQLite would not refuse when the file
    is empty or truncated. Only a process's first opening may do it: closing any descriptor
    of the file drops the POSIX locks of every SQLite connection the process already holds
    on it.

    Raises:
        DatabaseUnusable: the database is empty, truncated or damaged.
    """
    from queue_server.store.sqlite import SqliteStore, check_database_file

    if check_file:
        check_database_file(data_dir / DATABASE_NAME)
    return SqliteStore(data_dir)


def backup(data_dir: Path, destination: Path) -> int:
    """Copy the database of `data_dir` to the file `destination`, consistent even while a
    server writes to it; returns the copy's size in bytes.

    Raises:
        DatabaseUnusable: there is no database, or not a whole one.
        StoreError: the copy could not be made; `destination` is left as it was.
    """
    from queue_server.store.sqlite.backup import backup as sqlite_backup

    return sqlite_backup(data_dir / DATABASE_NAME, destination)


def restore(data_dir: Path, backup_file: Path, now: datetime) -> Path | None:
    """Put `backup_file` in place of the database of `data_dir`, whose server is stopped
    (the caller holds its lock); returns where the replaced database was kept aside.

    Raises:
        DatabaseUnusable: `backup_file` is not a sound motcua database.
        StoreError: it could not be put in place; the database is as it was.
    """
    from queue_server.store.sqlite.backup import restore as sqlite_restore

    return sqlite_restore(backup_file, data_dir / DATABASE_NAME, now)
