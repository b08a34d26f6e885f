"""The tokens in use, in memory: a request's token is checked without a query.

Each token is looked up in the store once (valid or not) and kept, at most `capacity`
of them, least recently used going first. What the store says can change behind the
table's back, from this process or another (`motcua device revoke`, `motcua user
disable`): the store keeps an `auth_revision` that every such change moves. The table
reads it before answering (one primary-key read of a single row, about 5 µs: what the
join of tokens, users and devices and its row decoding cost twenty times over), at most
once per turn of the event loop, which under load serves many requests in one turn; it
forgets everything when it moved, so a revoked token stops working at once, whoever
revoked it. Open event streams are told (`changed`): the server refreshes the table
after its own revocations and every `WATCH_S` for the command line's.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from datetime import datetime

from queue_server.auth import Principal, Role, hash_token
from queue_server.store import Store, TokenHolder

WATCH_S = 1.0  # how soon an open stream learns of a revocation from another process
CAPACITY = 4096


class Tokens:
    """Who holds which token, as the store says, kept current (see the module's doc)."""

    def __init__(self, store: Store, capacity: int = CAPACITY) -> None:
        self._store = store
        self._capacity = capacity
        # By the token's hash: its holder as stored and as a principal (built once: a
        # principal is frozen), or None for a token the store does not know.
        self._known: OrderedDict[str, tuple[TokenHolder, Principal] | None] = OrderedDict()
        self._revision = store.auth_revision()
        self._changed = asyncio.Event()
        self._read_this_turn = False  # the revision was read in this turn of the loop

    def holder(self, token: str, now: datetime) -> Principal | None:
        """The principal holding `token`, or None when it is unknown, expired, revoked, or
        its user disabled."""
        if not self._read_this_turn:
            self._refresh_for_this_turn()
        key = hash_token(token)
        if key in self._known:
            self._known.move_to_end(key)
            found = self._known[key]
        else:
            holder = self._store.token_holder(key)
            found = (holder, _principal(holder)) if holder is not None else None
            self._known[key] = found
            if len(self._known) > self._capacity:
                self._known.popitem(last=False)
        if found is None:
            return None
        holder, principal = found
        if holder.expires_at is not None and holder.expires_at <= now:
            return None
        return principal

    def refresh(self) -> None:
        """Read the store's revision now; forget every token if it moved, and wake those
        waiting on `changed`."""
        revision = self._store.auth_revision()
        if revision == self._revision:
            return
        self._revision = revision
        self._known.clear()
        self._changed.set()
        self._changed = asyncio.Event()

    def _refresh_for_this_turn(self) -> None:
        self.refresh()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # off the event loop (a page's worker thread): read every time
        self._read_this_turn = True
        loop.call_soon(self._next_turn)

    def _next_turn(self) -> None:
        self._read_this_turn = False

    async def changed(self) -> None:
        """Return once the tokens may have changed (see `refresh`)."""
        await self._changed.wait()


def _principal(holder: TokenHolder) -> Principal:
    return Principal(
        holder.kind, holder.subject, Role(holder.role), holder.display_name, holder.counter
    )
