"""The store: the one interface to the database, in the domain's types.

`Store` is what the server, the commands and the tools ask; it takes and returns
`queue_core` models, the records of `records.py` and timezone-aware datetimes, never rows,
SQL or timestamps as text. SQLite (`queue_server.store.sqlite`) is one implementation; the
contract suite in `tests/store/` is what any other must pass unchanged.

One store object per thread: the server's single writer holds one, the event loop another
for reads, and the admin commands their own. Every write runs inside `transaction()`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from queue_core.dispatch import Line
from queue_core.model import Counter, Ticket
from queue_core.site import SiteConfig
from queue_server.store.errors import Conflict, DatabaseUnusable, StoreError, TransactionLost
from queue_server.store.records import (
    CounterDay,
    Device,
    Rating,
    Token,
    TokenHolder,
    TokenKind,
    User,
)

__all__ = [
    "DATABASE_NAME",
    "Conflict",
    "CounterDay",
    "DatabaseUnusable",
    "Device",
    "Rating",
    "Store",
    "StoreError",
    "Token",
    "TokenHolder",
    "TransactionLost",
    "User",
    "connect",
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

    def read_transaction(self) -> AbstractContextManager[None]:
        """Several reads that see one consistent state."""

    def savepoint(self) -> AbstractContextManager[None]:
        """A step inside `transaction()` that can fail alone; `TransactionLost` when the
        failure took the whole transaction with it."""

    # --- site, counters --------------------------------------------------------------

    def site(self) -> SiteConfig | None: ...

    def save_site(self, site: SiteConfig) -> None:
        """Store the site and (re)create its services and counters, keeping each existing
        counter's live state."""

    def counters(self) -> list[Counter]:
        """Every counter, by number."""

    def counter(self, number: int) -> Counter:
        """Raises UnknownCounter."""

    def save_counter(self, counter: Counter, at: datetime | None) -> None: ...

    def counters_open_since_before(self, before: datetime) -> set[int]:
        """Counters not closed whose last change was before `before`."""

    # --- tickets ---------------------------------------------------------------------

    def ticket(self, ticket_id: int) -> Ticket:
        """Raises UnknownTicket."""

    def ticket_by_key(self, issued_by: str, idempotency_key: str) -> tuple[Ticket, str] | None:
        """The ticket `issued_by` issued under `idempotency_key`, with the service it was
        issued for."""

    def waiting(
        self, services: tuple[str, ...] | None = None, counter: int | None = None
    ) -> list[Ticket]:
        """Waiting tickets of `services` (all when None) plus those sent to `counter`, by
        rank."""

    def line_heads(self, lines: Iterable[Line]) -> list[Ticket]:
        """The first waiting ticket of each of `lines` that has one."""

    def waiting_for(self, counters: Sequence[Counter]) -> list[Ticket]:
        """Every waiting ticket one of `counters` may call, by rank."""

    def waiting_counts(self) -> dict[str, int]:
        """Waiting tickets per service, those sent to one counter apart."""

    def recent_service_s(self, service: str, day: date, limit: int) -> list[float]:
        """Call-to-completion seconds of `service`'s latest `limit` completions of `day`
        (walk-ins apart), newest first."""

    def last_sequence(self, service: str, day: date) -> int: ...

    def insert_ticket(
        self, ticket: Ticket, issued_by: str | None, idempotency_key: str | None
    ) -> Ticket:
        """Store a new ticket; returns it with its id (and rank: its id)."""

    def update_ticket(self, ticket: Ticket) -> None: ...

    def open_tickets_before(self, day: date) -> list[Ticket]:
        """Waiting or called tickets of days before `day`."""

    def tickets_by_number(self, number: str, day: date) -> list[Ticket]: ...

    def assign_follow_code(self, ticket_id: int) -> str:
        """Give the ticket a new random follow code and return it."""

    def follow_code(self, ticket_id: int) -> str | None: ...

    def ticket_by_follow_code(self, code: str) -> Ticket | None: ...

    def counter_day(self, counter: int, day: date, clerk: str | None = None) -> CounterDay:
        """`day`'s figures of the tickets finished at `counter` (by `clerk` alone when
        given)."""

    # --- events ----------------------------------------------------------------------

    def next_seq(self) -> int: ...

    def last_seq(self) -> int: ...

    def append_event(
        self,
        seq: int,
        type_: str,
        at: datetime,
        actor: str | None,
        ticket_id: int | None,
        counter: int | None,
        body: str,
    ) -> None: ...

    def events_after(
        self, seq: int, limit: int = 1000, until: int | None = None
    ) -> list[tuple[int, str, str]]:
        """(seq, type, JSON body) of the events after `seq` (up to `until`), oldest first."""

    def latest_events(self, types: tuple[str, ...], since: datetime, limit: int) -> list[str]:
        """JSON bodies of the newest events of `types` at or after `since`, newest first."""

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

    def token_holder(self, token_hash: str, now: datetime) -> TokenHolder | None:
        """Who holds a valid token (unexpired, unrevoked, of an enabled user or a device
        in service), or None."""

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
