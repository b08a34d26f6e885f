"""The live event stream, kept alive in a worker thread.

Every (re)connection starts with a fresh snapshot, so whatever happened while
the link was down, the app's state is re-read whole; with `since=` the server
also replays the events after the last one seen (marked `live=False`), so a
screen that was unplugged for a minute misses no call. Reconnects back off
exponentially with jitter, so a hall of boards does not stampede a restarted
server.
"""

from __future__ import annotations

import logging
import random
import threading
import urllib.parse
from collections.abc import Callable
from enum import StrEnum

from pydantic import ValidationError
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException
from websockets.sync.client import connect

from queue_core.protocol import SiteUpdated, Snapshot, StreamEvent, parse_event

log = logging.getLogger(__name__)

# Close codes after which retrying cannot help (see docs/protocol.md).
CLOSE_UNAUTHORIZED = 4401
CLOSE_BAD_REQUEST = 4400


class LinkState(StrEnum):
    CONNECTING = "connecting"
    ONLINE = "online"
    OFFLINE = "offline"  # lost; retrying
    REJECTED = "rejected"  # the token was refused; not retrying


def backoff_s(
    attempt: int, base_s: float = 0.5, cap_s: float = 15.0, rng: random.Random | None = None
) -> float:
    """Seconds before reconnect `attempt` (0-based): exponential, capped, jittered 50–100 %."""
    ceiling = min(cap_s, base_s * 2.0 ** min(attempt, 30))
    draw = rng.random() if rng is not None else random.random()
    return ceiling * (0.5 + 0.5 * draw)


class EventStream:
    """Follows `/ws/events` and calls back on the worker thread.

    Args:
        base_url: the server's http(s) URL.
        token: a device or staff token.
        on_snapshot: called with each connection's snapshot.
        on_event: called with each event and whether it is live (False when replayed).
        on_state: called when the link's state changes.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        on_snapshot: Callable[[Snapshot], None],
        on_event: Callable[[StreamEvent, bool], None],
        on_state: Callable[[LinkState], None] = lambda state: None,
        *,
        base_backoff_s: float = 0.5,
        max_backoff_s: float = 15.0,
    ) -> None:
        parts = urllib.parse.urlsplit(base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        self._url = urllib.parse.urlunsplit((scheme, parts.netloc, "/ws/events", "", ""))
        self._token = token
        self._on_snapshot = on_snapshot
        self._on_event = on_event
        self._on_state = on_state
        self._base_backoff_s = base_backoff_s
        self._max_backoff_s = max_backoff_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_seq: int | None = None  # the last event seen: where a reconnect resumes
        self._snapshot_seq = 0
        self._delivered_seq = 0
        self.state = LinkState.CONNECTING

    def start(self) -> None:
        """Follow the stream (again, after `stop`, resuming after the last event seen)."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="motcua-events", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def _set_state(self, state: LinkState) -> None:
        if state is not self.state:
            self.state = state
            self._call("state", self._on_state, state)

    @staticmethod
    def _call(what: str, callback: Callable[..., None], *args: object) -> None:
        """Run one of the app's callbacks: a bug there loses that message, not the stream."""
        try:
            callback(*args)
        except Exception:
            log.exception("the app's %s callback failed; the event stream goes on", what)

    def _query(self) -> str:
        query = {"token": self._token}
        if self.last_seq is not None:
            query["since"] = str(self.last_seq)
        return f"{self._url}?{urllib.parse.urlencode(query)}"

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                if self._follow():
                    attempt = 0  # it was up for a while: start backing off afresh
            except _Rejected:
                self._set_state(LinkState.REJECTED)
                return
            except (OSError, WebSocketException, TimeoutError) as exc:
                log.info("event stream lost: %s", exc)
            self._set_state(LinkState.OFFLINE)
            self._stop.wait(backoff_s(attempt, self._base_backoff_s, self._max_backoff_s))
            attempt += 1

    def _follow(self) -> bool:
        """One connection, until it drops; True once it had received a snapshot."""
        got_snapshot = False
        try:
            with connect(self._query(), open_timeout=5, close_timeout=2, max_size=8 * 2**20) as ws:
                while not self._stop.is_set():
                    try:
                        message = ws.recv(timeout=0.5)
                    except TimeoutError:
                        continue
                    if isinstance(message, bytes):
                        continue
                    snapshot_seq = self._handle(message, got_snapshot)
                    if snapshot_seq is not None:
                        got_snapshot = True
                        self._set_state(LinkState.ONLINE)
        except ConnectionClosed as exc:
            if exc.rcvd is not None and exc.rcvd.code in (CLOSE_UNAUTHORIZED, CLOSE_BAD_REQUEST):
                raise _Rejected from exc
            log.info("event stream closed: %s", exc)
        except InvalidStatus as exc:
            if exc.response.status_code in (401, 403):
                raise _Rejected from exc
            raise
        return got_snapshot

    def _handle(self, message: str, after_snapshot: bool) -> int | None:
        """Dispatch one message; returns the snapshot's seq when it was one."""
        try:
            if not after_snapshot:
                snapshot = Snapshot.model_validate_json(message)
                self._snapshot_seq = snapshot.seq
                self._delivered_seq = 0
                if self.last_seq is None or self.last_seq > snapshot.seq:
                    # New, or a server restored from an older backup: start from here.
                    self.last_seq = snapshot.seq
                self._call("snapshot", self._on_snapshot, snapshot)
                return snapshot.seq
            event = parse_event(message)
        except ValidationError:
            log.warning("ignored a message this client does not understand: %.200s", message)
            return None
        if event.seq <= self._delivered_seq:
            return None
        self._delivered_seq = event.seq
        self.last_seq = max(self.last_seq or 0, event.seq)
        if isinstance(event, SiteUpdated):
            # The site changed while the server ran: redraw from its state, as on connecting.
            snapshot = event.snapshot.model_copy(update={"seq": event.seq})
            self._snapshot_seq = event.seq
            self._call("snapshot", self._on_snapshot, snapshot)
            return None
        self._call("event", self._on_event, event, event.seq > self._snapshot_seq)
        return None


class _Rejected(Exception):
    """The server refused the token: retrying would not help."""
