"""Connections a client may hold, and how long it may take to say what it wants.

uvicorn times out an idle keep-alive connection (`timeout_keep_alive`) but not a
connection that never sends a request, nor one that sends its head a byte at a time,
and it has no cap per client address: about 1,100 idle sockets from one laptop used up
the server's open files and `/api/health` failed. Its `limit_concurrency` is one cap for
everyone (boards' event streams included), and its `h11_max_incomplete_event_size`
bounds headers only under the slower h11 parser, not httptools, which it uses here.

So the HTTP protocol is uvicorn's httptools one with three guards:

- at most `per_address` connections from one address; more get `503` at once and are
  closed, so one address cannot starve the hall's devices (each has its own address);
- a request's head (request line and headers) must arrive within `head_timeout_s` of
  the connection opening or of the previous answer, or the connection is closed (by one
  sweep over the connections waiting for a head, every second or a quarter of the
  deadline when that is shorter, rather than a timer per request: a request costs an
  entry put in a dictionary and taken out, not a timer set and cancelled);
- a head larger than `head_max_bytes` gets `431` and the connection is closed (counted
  as parsed; an unfinished head is refused once four times that has come in, since the
  bytes received with it may be a body's). Its size is worked out from what uvicorn
  parsed once the head is complete, and while it is unfinished only once more than
  `head_max_bytes` has come in: a small head costs no count per header.

A connection upgraded to the event stream leaves the count: it is meant to last all
day, and the stream has its own pings and token checks. Slow bodies are the
`RequestLimits` middleware's business (`408`).

Many addresses together (a LAN has hundreds) can still hold more sockets than the
server has open files, so there is also one budget for all connections, event streams
included: the open-files limit less `spare_files` for the database, logs and voice.
Its last `reserve` places are the hall's own: while fewer than that are free, a request
is served only if it carries a token (`Authorization`, or `?token=` for a board) or
asks for `/api/health`; any other gets `503` and is closed. When the budget is full, a
new connection is made room for by closing the connection that has waited longest for
a request's head (one that never sent a request first): an idle socket costs its
holder nothing to reopen, but a device that talks is served, and holds nothing idle.
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
from collections import Counter, OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    per_address: int = 64
    head_timeout_s: float = 10.0
    head_max_bytes: int = 16 * 1024
    # Places kept for requests with a token and for /api/health (see the module's docstring).
    reserve: int = 64
    # WebSocket upgrades begun in one turn of the event loop (see `UpgradeTurns`).
    upgrades_per_turn: int = 4
    # Open files the server needs besides its connections: database, logs, espeak-ng's pipes.
    spare_files: int = 64
    # Whether a token is one of the hall's: only those (and /api/health) use the reserve.
    # None: any token does (a bare app, before its token table exists).
    token_valid: Callable[[str], bool] | None = None

    def budget(self) -> int:
        """Connections the server may hold: read each time, so a limit lowered or
        raised while it runs (`prlimit`) is obeyed."""
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft == resource.RLIM_INFINITY:
            return 1 << 30
        return max(2 * self.reserve, soft - self.spare_files)


def _refusal(status: int, reason: str, detail: str) -> bytes:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


TOO_MANY = _refusal(503, "Service Unavailable", "Quá nhiều kết nối từ một địa chỉ")
HEAD_TOO_LARGE = _refusal(431, "Request Header Fields Too Large", "Phần đầu yêu cầu quá lớn")
SERVER_FULL = _refusal(503, "Service Unavailable", "Máy chủ đang quá tải kết nối, thử lại sau")

HEALTH = b"/api/health"


def _may_use_reserve(
    url: bytes, headers: list[tuple[bytes, bytes]], token_valid: Callable[[str], bool] | None
) -> bool:
    """Whether a request may take one of the last places: it asks for health, or carries a
    token of the hall's (a made-up `Authorization` header does not do); uvicorn
    lower-cases header names."""
    path, _, query = url.partition(b"?")
    if path == HEALTH:
        return True
    tokens = [v.partition(b" ")[2].strip() for n, v in headers if n == b"authorization"]
    tokens += [p[len(b"token=") :] for p in query.split(b"&") if p.startswith(b"token=")]
    if token_valid is None:
        return bool(tokens)
    return any(token_valid(t.decode("latin-1")) for t in tokens[:2] if 0 < len(t) < 200)


_PRUNE_FIRST_AT = 64  # event streams kept before those that ended are first forgotten
# The most time between two sweeps for late heads: a late head is closed at most this much
# after its deadline (or a quarter of the deadline, when that is shorter).
SWEEP_EVERY_S = 1.0


class _Connections:
    """Every open connection of one server, and which of them wait for a request's head
    (the first to be closed when the budget is full), oldest first, with when their head
    is due."""

    def __init__(self) -> None:
        self.by_address: Counter[str] = Counter()
        self.http: set[asyncio.Protocol] = set()
        self.streams: set[asyncio.BaseTransport] = set()  # upgraded: no longer ours to see
        # Each waits for its head until the loop's time given: in order of that time, since
        # every wait is as long and a connection rejoins at the end each time it waits.
        self.silent: OrderedDict[asyncio.Protocol, float] = OrderedDict()  # no request yet
        self.kept: OrderedDict[asyncio.Protocol, float] = OrderedDict()  # idle between requests
        self.budget = 0  # `ConnectionLimits.budget()`, as the latest sweep read it
        self.sweeping = False
        self._prune_at = _PRUNE_FIRST_AT

    def add_stream(self, transport: asyncio.BaseTransport) -> None:
        self.streams.add(transport)
        if len(self.streams) >= self._prune_at:  # at most twice the open ones are kept
            self._prune()
            self._prune_at = max(_PRUNE_FIRST_AT, 2 * len(self.streams))

    def _prune(self) -> None:
        closed = [t for t in self.streams if t.is_closing()]
        self.streams.difference_update(closed)

    def at_least(self, n: int) -> bool:
        """Whether `n` or more connections are open. An event stream's end is not told to
        this count (its protocol is no longer ours): the streams that ended are forgotten
        only when the answer would otherwise be yes, so that a request costs the same with
        five boards connected or five hundred."""
        if len(self.http) + len(self.streams) < n:
            return False
        self._prune()
        return len(self.http) + len(self.streams) >= n

    def idlest(self) -> asyncio.Protocol | None:
        for waiting in (self.silent, self.kept):
            if waiting:
                return next(iter(waiting))
        return None

    def late(self, now: float) -> list[asyncio.Protocol]:
        """Those whose head was due by `now`, taken off the waiting lists: the first few
        of each list, never the whole of it."""
        found = []
        for waiting in (self.silent, self.kept):
            while waiting:
                protocol, due = next(iter(waiting.items()))
                if due > now:
                    break
                del waiting[protocol]
                found.append(protocol)
        return found


class UpgradeTurns:
    """At most `per_turn` WebSocket upgrades in one turn of the event loop; the others
    wait for the next turns, in arrival order.

    When the LAN comes back after a blip, every board in the hall reconnects in the same
    moment, and the loop reads hundreds of handshakes in one turn. Each one upgraded there
    and then (parsed again by the stream's protocol, its task started, then routed, checked
    and answered) would fill that turn and the next for 100 ms and more, and a kiosk's
    ticket arriving meanwhile would wait behind all of them. Let in a few a turn, the boards
    take as long in all, and the requests that arrive meanwhile are read between them.
    """

    def __init__(self, per_turn: int) -> None:
        self._per_turn = per_turn
        self._left = per_turn
        self._waiting: deque[Callable[[], None]] = deque()
        self._turn_scheduled = False

    def enter(self, loop: asyncio.AbstractEventLoop, upgrade: Callable[[], None]) -> None:
        """Run `upgrade` now if this turn has room, else in a coming turn."""
        if self._left > 0 and not self._waiting:
            self._left -= 1
            upgrade()
        else:
            self._waiting.append(upgrade)
        self._next_turn(loop)

    def _next_turn(self, loop: asyncio.AbstractEventLoop) -> None:
        # A callback scheduled now runs once the loop has read what arrived this turn.
        if not self._turn_scheduled:
            self._turn_scheduled = True
            loop.call_soon(self._turn, loop)

    def _turn(self, loop: asyncio.AbstractEventLoop) -> None:
        self._turn_scheduled = False
        self._left = self._per_turn
        while self._waiting and self._left > 0:
            self._left -= 1
            try:
                self._waiting.popleft()()
            except Exception:  # one failed upgrade must not strand those behind it
                log.exception("a WebSocket upgrade failed")
        if self._waiting or self._left < self._per_turn:
            self._next_turn(loop)


def guarded_protocol(limits: ConnectionLimits) -> type[asyncio.Protocol]:
    """uvicorn's httptools protocol with `limits`; one class (and one count) per server."""
    conns = _Connections()
    open_by_address = conns.by_address
    upgrades = UpgradeTurns(limits.upgrades_per_turn)
    sweep_every_s = min(SWEEP_EVERY_S, limits.head_timeout_s / 4)

    def sweep(loop: asyncio.AbstractEventLoop) -> None:
        """Close the connections whose head is late; again in a while, as long as any
        connection is open (the first to open starts it again)."""
        try:
            conns.budget = limits.budget()
            for protocol in conns.late(loop.time()):
                assert isinstance(protocol, GuardedHttpToolsProtocol)
                protocol._head_too_slow()
        finally:  # whatever went wrong, the next sweep comes: late heads stay guarded
            if conns.http:
                loop.call_later(sweep_every_s, sweep, loop)
            else:
                conns.sweeping = False

    class GuardedHttpToolsProtocol(HttpToolsProtocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._counted: str | None = None
            self._raw_head_bytes = 0  # received while the head is unfinished (body included)
            self._awaiting_head = False
            self._refused = False
            self._served_once = False
            # The head's headers summed so far (`_head_size`): which list, how many, bytes.
            self._sized: tuple[object, int, int] = (None, 0, 0)

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if not conns.sweeping:
                conns.sweeping = True
                conns.budget = limits.budget()
                self.loop.call_later(sweep_every_s, sweep, self.loop)
            address = self.client[0] if self.client else "?"
            if open_by_address[address] >= limits.per_address:
                transport.write(TOO_MANY)
                transport.close()
                return
            if conns.at_least(conns.budget) and not self._make_room():
                transport.write(SERVER_FULL)
                transport.close()
                return
            open_by_address[address] += 1
            self._counted = address
            conns.http.add(self)
            self._await_head()

        def _make_room(self) -> bool:
            idlest = conns.idlest()
            if idlest is None:
                return False  # every place is busy serving: no stranger's socket to take
            assert isinstance(idlest, GuardedHttpToolsProtocol)
            idlest._close_idle()
            return True

        def _close_idle(self) -> None:
            self._forget()
            self.transport.close()

        def connection_lost(self, exc: Exception | None) -> None:
            self._forget()
            super().connection_lost(exc)

        def _forget(self) -> None:
            self._uncount()
            self._not_waiting()
            conns.http.discard(self)

        def _not_waiting(self) -> None:
            (conns.kept if self._served_once else conns.silent).pop(self, None)

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return  # the rest of a refused request: dropped unread
            if not self._awaiting_head:
                super().data_received(data)
                return
            self._raw_head_bytes += len(data)
            super().data_received(data)
            # A head still unfinished, yet already too long: it never will be. Counted only
            # past the cap's worth of bytes, which no smaller head can be.
            cap = limits.head_max_bytes
            if (
                self._awaiting_head
                and not self._refused
                and self._raw_head_bytes > cap
                and max(self._head_size(), self._raw_head_bytes // 4) > cap
            ):
                self._refuse_head()

        def _head_size(self) -> int:
            """The request's URL and headers as parsed so far, in bytes; each header is
            added once, however many reads the head takes."""
            headers = self.headers
            seen, summed, size = self._sized
            if seen is not headers:  # uvicorn starts a new list for each request
                summed, size = 0, 0
            if len(headers) > summed:
                size += sum(map(len, chain.from_iterable(headers[summed:])))
                self._sized = (headers, len(headers), size)
            return len(self.url) + size

        def on_headers_complete(self) -> None:
            self._awaiting_head = False
            self._not_waiting()
            self._served_once = True
            if self._head_size() > limits.head_max_bytes:
                self._refuse_head()
                return
            if conns.at_least(conns.budget - limits.reserve + 1) and not _may_use_reserve(
                self.url, self.headers, limits.token_valid
            ):
                self._refuse(SERVER_FULL)  # the last places are the hall's devices'
                return
            super().on_headers_complete()

        def on_body(self, body: bytes) -> None:
            if not self._refused:
                super().on_body(body)

        def on_message_complete(self) -> None:
            if not self._refused:
                super().on_message_complete()

        def _refuse_head(self) -> None:
            self._refuse(HEAD_TOO_LARGE)

        def _refuse(self, answer: bytes) -> None:
            self._refused = True
            self._not_waiting()
            self.transport.write(answer)
            self.transport.close()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._await_head()  # the next request's head, on this kept-alive connection

        def handle_websocket_upgrade(self) -> None:
            self._awaiting_head = False
            # The stream's protocol takes the transport over; it stays in the budget
            # until it closes.
            self._forget()
            conns.add_stream(self.transport)
            # A few a turn (see `UpgradeTurns`); nothing more is read meanwhile, and the
            # client sends nothing before its handshake is answered.
            self.transport.pause_reading()
            upgrades.enter(self.loop, self._upgrade)

        def _upgrade(self) -> None:
            if self.transport.is_closing():
                return  # the board gave up while it waited
            self.transport.resume_reading()
            super().handle_websocket_upgrade()

        def _await_head(self) -> None:
            self._awaiting_head = True
            self._raw_head_bytes = 0
            due = self.loop.time() + limits.head_timeout_s
            (conns.kept if self._served_once else conns.silent)[self] = due

        def _head_too_slow(self) -> None:
            """Taken off the waiting list by the sweep: its head is late."""
            if self._awaiting_head and not self.transport.is_closing():
                self.transport.close()

        def _uncount(self) -> None:
            if self._counted is not None:
                open_by_address[self._counted] -= 1
                if open_by_address[self._counted] <= 0:
                    del open_by_address[self._counted]
                self._counted = None

    return GuardedHttpToolsProtocol


def raise_open_files_limit() -> tuple[int, int]:
    """Raise this process's soft limit on open files to its hard limit (systemd gives
    1,024 soft and 524,288 hard): every connection is a file. Returns (before, after)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError) as exc:  # a container may refuse: serve all the same
            log.warning("cannot raise the open-files limit from %d: %s", soft, exc)
            return soft, soft
        return soft, target
    return soft, soft
