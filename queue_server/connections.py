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
  the connection opening or of the previous answer, or the connection is closed;
- a head larger than `head_max_bytes` gets `431` and the connection is closed (counted
  as parsed; an unfinished head is refused once four times that has come in, since the
  bytes received with it may be a body's).

A connection upgraded to the event stream leaves the count: it is meant to last all
day, and the stream has its own pings and token checks. Slow bodies are the
`RequestLimits` middleware's business (`408`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
from collections import Counter
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    per_address: int = 64
    head_timeout_s: float = 10.0
    head_max_bytes: int = 16 * 1024


def _refusal(status: int, reason: str, detail: str) -> bytes:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


TOO_MANY = _refusal(503, "Service Unavailable", "Quá nhiều kết nối từ một địa chỉ")
HEAD_TOO_LARGE = _refusal(431, "Request Header Fields Too Large", "Phần đầu yêu cầu quá lớn")


def guarded_protocol(limits: ConnectionLimits) -> type[asyncio.Protocol]:
    """uvicorn's httptools protocol with `limits`; one class (and one count) per server."""
    open_by_address: Counter[str] = Counter()

    class GuardedHttpToolsProtocol(HttpToolsProtocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._counted: str | None = None
            self._head_bytes = 0  # of the request line and headers, as parsed
            self._raw_head_bytes = 0  # received while the head is unfinished (body included)
            self._awaiting_head = False
            self._refused = False
            self._head_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            address = self.client[0] if self.client else "?"
            if open_by_address[address] >= limits.per_address:
                transport.write(TOO_MANY)
                transport.close()
                return
            open_by_address[address] += 1
            self._counted = address
            self._await_head()

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_head_timer()
            self._uncount()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return  # the rest of a refused request: dropped unread
            if self._awaiting_head:
                self._raw_head_bytes += len(data)
            super().data_received(data)
            # A head still unfinished, yet already too long: it never will be.
            if (
                self._awaiting_head
                and not self._refused
                and max(self._head_bytes, self._raw_head_bytes // 4) > limits.head_max_bytes
            ):
                self._refuse_head()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._head_bytes = 0

        def on_url(self, url: bytes) -> None:
            self._head_bytes += len(url)
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._head_bytes += len(name) + len(value)
            super().on_header(name, value)

        def on_headers_complete(self) -> None:
            self._awaiting_head = False
            self._stop_head_timer()
            if self._head_bytes > limits.head_max_bytes:
                self._refuse_head()
                return
            super().on_headers_complete()

        def on_body(self, body: bytes) -> None:
            if not self._refused:
                super().on_body(body)

        def on_message_complete(self) -> None:
            if not self._refused:
                super().on_message_complete()

        def _refuse_head(self) -> None:
            self._refused = True
            self._stop_head_timer()
            self.transport.write(HEAD_TOO_LARGE)
            self.transport.close()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._await_head()  # the next request's head, on this kept-alive connection

        def handle_websocket_upgrade(self) -> None:
            self._awaiting_head = False
            self._stop_head_timer()
            self._uncount()
            super().handle_websocket_upgrade()

        def _await_head(self) -> None:
            self._awaiting_head = True
            self._head_bytes = 0
            self._raw_head_bytes = 0
            self._stop_head_timer()
            self._head_timer = self.loop.call_later(limits.head_timeout_s, self._head_too_slow)

        def _head_too_slow(self) -> None:
            self._head_timer = None
            if self._awaiting_head and not self.transport.is_closing():
                self.transport.close()

        def _stop_head_timer(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

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
