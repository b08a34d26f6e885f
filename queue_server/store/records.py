"""What the store keeps besides the queue's own domain types: accounts, devices, tokens,
ratings. Plain frozen values with timezone-aware datetimes, whatever the backend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

TokenKind = Literal["user", "device"]


@dataclass(frozen=True, slots=True)
class User:
    """A staff account."""

    username: str
    display_name: str
    role: str  # a `queue_server.roles.Role` value
    password_hash: str
    disabled: bool
    created_at: datetime
    must_change_password: bool = False  # reset by an administrator: a new one at sign-in


@dataclass(frozen=True, slots=True)
class Device:
    """A registered kiosk, board, counter keypad or rating tablet."""

    id: int  # 0 for one not stored yet: the store assigns it
    name: str
    kind: str  # a device `Role` value
    created_at: datetime
    counter: int | None = None  # the counter it is bound to, if any
    revoked_at: datetime | None = None
    last_seen_at: datetime | None = None
    printer: str | None = None
    detail: str | None = None
    version: str | None = None


@dataclass(frozen=True, slots=True)
class Token:
    """A token as stored: only its hash; the token itself is never kept."""

    hash: str
    kind: TokenKind
    subject: str  # a username, or a device's id
    created_at: datetime
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TokenHolder:
    """Who holds a valid token."""

    kind: TokenKind
    subject: str
    role: str
    display_name: str
    counter: int | None  # a bound device's counter
    expires_at: datetime | None = None  # None: a device's, valid until revoked


@dataclass(frozen=True, slots=True)
class Rating:
    """A citizen's rating of one served ticket, on the scale in force when it was given."""

    ticket_id: int
    score: int
    scale: int
    reasons: tuple[str, ...]
    comment: str | None
    rated_at: datetime
    counter: int | None
    clerk: str | None
    service: str
    device: str | None  # the device it came from; None from the citizen's own phone


@dataclass(frozen=True, slots=True)
class CounterDay:
    """A counter's figures for one day, for the clerk's desk."""

    counts: dict[str, int]  # tickets by status
    mean_service_s: float | None
    ratings: list[tuple[int, int]]  # (score, scale)


@dataclass(frozen=True, slots=True)
class IssueRecord:
    """How a ticket was issued, beside the ticket itself: the service whose numbers it
    took (a transfer changes the service it waits in, never this), and who asked with
    which Idempotency-Key."""

    ticket_id: int
    issued_service: str
    issued_by: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class EventRecord:
    """An event as the log keeps it: its JSON body as sent, and what it is indexed by."""

    seq: int
    type: str
    at: datetime
    actor: str | None
    ticket_id: int | None
    counter: int | None
    body: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change to the centre's configuration, as the audit log keeps it: who, when,
    from where, what, before → after (JSON-able values), and the line a person reads.
    The entries of one change made at once share `change_id`."""

    at: datetime
    actor: str  # a username, or "cli:<system user>" for a command
    source: str  # "cli", "serve --site", "admin", …
    change_id: str
    kind: str
    subject: str
    setting: str | None
    before: object
    after: object
    description: str
