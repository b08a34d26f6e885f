"""Who may do what: users with argon2 passwords, device tokens, roles.

Tokens are random URL-safe strings; only their SHA-256 is stored, so checking one
per request is a hash and an indexed lookup (no password hashing per request).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from queue_server import password_checks
from queue_server.roles import DEVICE_KINDS, STAFF, USER_ROLES, Role
from queue_server.store import Device, Store, Token, User

__all__ = ["DEVICE_KINDS", "STAFF", "USER_ROLES", "Principal", "Role"]


_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class Principal:
    """The holder of a valid token."""

    kind: Literal["user", "device"]
    subject: str  # username, or the device's id
    role: Role
    display_name: str
    # The counter a device is bound to (a counter keypad, a rating tablet); None for staff,
    # other devices, and devices registered before binding existed (see queue_server.policy).
    counter: int | None = None

    @property
    def clerk(self) -> str | None:
        """The username to record at a counter: clerks act in their own name."""
        return self.subject if self.role is Role.CLERK else None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_password(password: str, hasher: PasswordHasher | None = None) -> str:
    return (hasher or _hasher).hash(password)


@functools.cache
def dummy_hash() -> str:
    """A real hash of nothing, to verify against when the username is unknown."""
    return hash_password(secrets.token_hex(16))


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# --- administration (run inside a store transaction) ---------------------------------------


def add_user(
    store: Store,
    username: str,
    password: str,
    role: Role,
    display_name: str | None,
    now: datetime,
    hasher: PasswordHasher | None = None,
) -> None:
    """Add a staff account. `hasher` lets tests trade strength for speed."""
    store.insert_user(
        User(
            username=username,
            display_name=display_name or username,
            role=role.value,
            password_hash=hash_password(password, hasher),
            disabled=False,
            created_at=now,
        )
    )


def issue_user_token(
    store: Store, username: str, now: datetime, ttl_s: int
) -> tuple[str, datetime]:
    token = new_token()
    expires_at = now + timedelta(seconds=ttl_s)
    store.insert_token(Token(hash_token(token), "user", username, now, expires_at))
    return token, expires_at


BINDABLE = (Role.COUNTER, Role.RATING)
"""Device kinds bound to one counter: a counter keypad, a rating tablet."""


def add_device(
    store: Store, name: str, kind: Role, now: datetime, counter: int | None = None
) -> tuple[int, str]:
    """Register a device, bound to `counter` (a counter keypad or a rating tablet); returns
    its id and its token (shown once, stored hashed)."""
    if counter is not None and kind not in BINDABLE:
        raise ValueError(f"a {kind.value} device is not bound to a counter")
    device_id = store.insert_device(Device(0, name, kind.value, now, counter=counter))
    return device_id, new_device_token(store, device_id, now)


def new_device_token(store: Store, device_id: int, now: datetime) -> str:
    """A fresh token for a device, revoking those it had: a lost token is replaced, never
    recovered, since only hashes are stored."""
    store.revoke_tokens("device", str(device_id), now)
    token = new_token()
    store.insert_token(Token(hash_token(token), "device", str(device_id), now))
    return token


def rotate_device_token(store: Store, device_id: int, now: datetime) -> str:
    """Replace a device's token (lost, or leaked): the old one stops working at once.

    A revoked device is taken back into service: asking for its new token says so.
    """
    store.set_device_revoked(device_id, None)
    return new_device_token(store, device_id, now)


def revoke_device(store: Store, device_id: int, now: datetime) -> None:
    store.set_device_revoked(device_id, now)
    store.revoke_tokens("device", str(device_id), now)


class LoginThrottle:
    """Who may try a password now: failed sign-ins lock the guesser, not the account.

    Two counts, each "failures in a row": one per (username, address), so someone guessing
    at a clerk's password from a phone locks only that phone out of that account while the
    clerk signs in from the counter PC; and one per address, so spraying many usernames from
    one laptop is stopped too. An attempt is counted when it *begins* (`begin`), before the
    slow password check, so parallel guesses cannot all slip in under the limit; a success
    forgives the (username, address) count.

    Kept in memory: a restart forgives, which is acceptable for a hall's LAN and keeps failed
    attempts from costing a database write each. The table holds at most `capacity` entries
    and forgets the least recently tried first, so a flood of made-up names cannot wipe the
    locks that are being hit.
    """

    def __init__(
        self,
        max_failures: int,
        lockout_s: float,
        address_max_failures: int = 20,
        capacity: int = 4096,
        concurrency: int = 2,
        waiting_max: int = 16,
    ) -> None:
        self._max = max_failures
        self._address_max = address_max_failures
        self._lockout_s = lockout_s
        self._capacity = capacity
        # key -> (attempts not yet forgiven, when the last one began); oldest touched first.
        self._attempts: OrderedDict[tuple[str, str], tuple[int, float]] = OrderedDict()
        # Each argon2 check takes 64 MiB and a core for ~50 ms: a few at once, a short queue.
        self._checks = asyncio.Semaphore(concurrency)
        self._admitted = 0
        self._admitted_max = concurrency + waiting_max

    def _wait(self, key: tuple[str, str], limit: int, now_s: float) -> float:
        count, last = self._attempts.get(key, (0, 0.0))
        if count < limit:
            return 0.0
        return max(0.0, last + self._lockout_s - now_s)

    def retry_after(self, username: str, address: str, now_s: float) -> float:
        """Seconds until `username` may be tried again from `address` (0: now)."""
        return max(
            self._wait((username, address), self._max, now_s),
            self._wait(("", address), self._address_max, now_s),
        )

    def begin(self, username: str, address: str, now_s: float) -> float:
        """Count an attempt before its password is checked; returns the seconds to wait
        instead (and counts nothing) when this guesser is locked out."""
        wait_s = self.retry_after(username, address, now_s)
        if wait_s > 0:
            # A guesser that keeps knocking stays remembered, however many others try.
            self._touch((username, address))
            self._touch(("", address))
            return wait_s
        for key in ((username, address), ("", address)):
            count, _ = self._attempts.get(key, (0, 0.0))
            self._attempts[key] = (count + 1, now_s)
            self._touch(key)
        while len(self._attempts) > self._capacity:
            self._attempts.popitem(last=False)
        return 0.0

    def succeeded(self, username: str, address: str) -> None:
        """The password was right: forgive this account's failures from this address, and
        the attempt itself in the address's count (failures at other names still count)."""
        self._attempts.pop((username, address), None)
        self._uncount(("", address))

    def withdraw(self, username: str, address: str) -> None:
        """Uncount an attempt whose password was never checked (the server was busy)."""
        self._uncount((username, address))
        self._uncount(("", address))

    def _uncount(self, key: tuple[str, str]) -> None:
        count, last = self._attempts.get(key, (0, 0.0))
        if count > 1:
            self._attempts[key] = (count - 1, last)
        else:
            self._attempts.pop(key, None)

    async def check(self, password_hash: str, password: str) -> bool | None:
        """`verify_password` in a worker thread, a few at a time; None, at once, when so
        many already wait that this one would only add memory and latency."""
        if self._admitted >= self._admitted_max:
            return None
        self._admitted += 1
        try:
            async with self._checks:
                return await password_checks.run(verify_password, password_hash, password)
        finally:
            self._admitted -= 1

    def locked(self, now_s: float) -> list[tuple[str, str, int, float]]:
        """Every guesser locked out now, as (username, address, failures in a row, seconds
        left); username "" is an address's own count (many names tried from it)."""
        found = []
        for (username, address), (count, _) in self._attempts.items():
            limit = self._address_max if username == "" else self._max
            wait_s = self._wait((username, address), limit, now_s)
            if wait_s > 0:
                found.append((username, address, count, wait_s))
        return found

    def unlock(self, username: str, address: str) -> bool:
        """Forgive a lock-out (an administrator's act); False when there was none."""
        return self._attempts.pop((username, address), None) is not None

    def _touch(self, key: tuple[str, str]) -> None:
        if key in self._attempts:
            self._attempts.move_to_end(key)

    def __len__(self) -> int:
        return len(self._attempts)


def utcnow() -> datetime:
    return datetime.now(UTC)
