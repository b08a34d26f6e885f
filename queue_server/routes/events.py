"""The live event stream: `/ws/events?token=…[&since=SEQ]`.

A connection gets a snapshot first, then (with `since=`) the events after SEQ
replayed from the durable log, then live events, each exactly once in `seq`
order. It subscribes to the hub *before* reading the snapshot, so nothing
committed in between can fall through the seam; anything at or below what was
already sent is skipped.

One slow or dead client cannot hold the others back: the hub only appends to
the connection's bounded buffer; the connection's own task does the sending. A
client whose buffer overflows is closed with `CLOSE_TOO_SLOW` and resumes with
`since=`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from typing import Literal

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from queue_core.numbering import local_day
from queue_core.protocol import Event
from queue_server import policy
from queue_server.auth import Principal, hash_token
from queue_server.hub import Hub
from queue_server.pages.session import PageSession, sessions_of, who_is_on_page
from queue_server.policy import Action
from queue_server.replay import Replays
from queue_server.state import AppState

log = logging.getLogger(__name__)

router = APIRouter()

CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_BAD_REQUEST = 4400
CLOSE_TOO_SLOW = 4408
CLOSE_TRY_LATER = 4429
CLOSE_SERVER_ERROR = 1011
REPLAY_PAGE = 500
_CLOSE_TIMEOUT_S = 2.0


class Connection:
    """One client's buffer and sender."""

    def __init__(self, websocket: WebSocket, who: Principal, buffer_max: int, hub: Hub) -> None:
        self.websocket = websocket
        self.who = who
        self._hub = hub
        # A public screen (one the policy keeps staff events from) needs only the calls:
        # the completions a call makes moot are not sent to it.
        self._public = not policy.may(who, Action.RECEIVE_RATED_EVENTS)
        self.sent_seq = 0
        self._buffer: deque[tuple[int, str]] = deque()
        self._buffer_max = buffer_max
        self._wake = asyncio.Event()
        self.overflowed = False
        # Set on overflow even while the sender is stuck writing to a client that stopped reading.
        self.too_slow = asyncio.Event()

    def offer(self, event: Event, text: str) -> None:
        """Called by the hub on the event loop; never blocks."""
        if self.overflowed or not policy.may_receive(self.who, event.type):
            return
        if self._public and event.seq in self._hub.superseded:
            return
        if len(self._buffer) >= self._buffer_max:
            self.overflowed = True
            self._buffer.clear()
            self.too_slow.set()
        else:
            self._buffer.append((event.seq, text))
        self._wake.set()

    async def send(self, seq: int, text: str) -> None:
        if seq > self.sent_seq:
            await self.websocket.send_text(text)
            self.sent_seq = seq

    async def pump(self) -> None:
        """Send buffered events until the client falls too far behind."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self.overflowed:
                return
            while self._buffer:
                seq, text = self._buffer.popleft()
                await self.send(seq, text)
                if self.overflowed:
                    return


async def _drain_incoming(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, text or binary, to notice when it goes away."""
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    # A stalled client may never read the close frame: don't wait for it forever.
    with contextlib.suppress(Exception):
        await asyncio.wait_for(websocket.close(code, reason), _CLOSE_TIMEOUT_S)


@router.websocket("/ws/events")
async def events(websocket: WebSocket, token: str | None = None, since: str | None = None) -> None:
    state: AppState = websocket.app.state.motcua
    await websocket.accept()
    who = state.tokens.holder(token, state.clock.now()) if token else None
    session = None
    if token is None:  # the live supervision page: its person's page session
        who, session = _page_session(websocket)
    if who is None:
        await _close(websocket, CLOSE_UNAUTHORIZED, "Mã truy cập không hợp lệ hoặc đã hết hạn")
        return
    allowed = policy.may_stream_by_session(who) if session else policy.may(who, Action.READ_EVENTS)
    if not allowed:
        await _close(websocket, CLOSE_FORBIDDEN, policy.FORBIDDEN)
        return
    credential = token or (session.id if session else "")
    # isascii(): str.isdigit() also takes "²" and "١", which int() refuses or misreads.
    if since is not None and not (since.isascii() and since.isdigit() and len(since) < 19):
        await _close(websocket, CLOSE_BAD_REQUEST, "since= phải là một số seq")
        return
    start = await _replay_start(websocket, state, credential, int(since) if since else None)
    if start is False:
        await _close(websocket, CLOSE_TRY_LATER, "Nối lại quá nhiều lần, hãy thử lại sau")
        return
    connection = Connection(websocket, who, state.settings.ws_buffer_max, state.hub)
    unsubscribe = state.hub.subscribe(connection.offer)
    receiving = asyncio.create_task(_drain_incoming(websocket))
    too_slow = asyncio.create_task(connection.too_slow.wait())
    revoked = asyncio.create_task(
        _until_signed_out(websocket, state, session.id)
        if session
        else _until_revoked(state, credential)
    )
    try:
        sending = asyncio.create_task(_stream(state, replays_of(websocket), connection, start))
        tasks = (sending, receiving, too_slow, revoked)
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        # Stop the sender first: it may be blocked on a client that stopped reading.
        for task in tasks:
            task.cancel()
        failed = False
        for task in tasks:
            try:
                await task
            except (asyncio.CancelledError, WebSocketDisconnect, OSError):
                pass  # stopped here, or the client went away: nothing to report
            except Exception:
                log.exception("the event stream of %s %s failed", who.kind, who.subject)
                failed = True
        if failed:
            # The client reconnects with since= and misses nothing.
            await _close(websocket, CLOSE_SERVER_ERROR, "Lỗi máy chủ, hãy nối lại")
        elif connection.overflowed:
            log.warning(
                "closing the event stream of %s %s: more than %d events behind",
                who.kind,
                who.subject,
                state.settings.ws_buffer_max,
            )
            await _close(websocket, CLOSE_TOO_SLOW, "Kết nối chậm, hãy nối lại với since=")
        elif revoked.done() and not revoked.cancelled():
            await _close(websocket, CLOSE_UNAUTHORIZED, "Mã truy cập đã bị thu hồi hoặc hết hạn")
    finally:
        unsubscribe()


async def _until_revoked(state: AppState, token: str) -> None:
    """Return once `token` stops being valid: a revoked board must not keep listening.

    Woken when the tokens change (at once for a revocation through this server, within a
    second for one from the command line), and every `ws_token_check_s` for an expiry."""
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(state.tokens.changed(), state.settings.ws_token_check_s)
        if state.tokens.holder(token, state.clock.now()) is None:
            return


def _page_session(websocket: WebSocket) -> tuple[Principal | None, PageSession | None]:
    """The signed-in person of a staff page opening the stream with its session cookie
    (`SameSite=Strict`); nobody unless the `Origin` header names this very server, so
    another site's page cannot open it with the person's cookie."""
    origin = websocket.headers.get("origin")
    scheme = "https" if websocket.url.scheme == "wss" else "http"
    if origin is None or origin != f"{scheme}://{websocket.url.netloc}":
        return None, None
    who, session = who_is_on_page(websocket)
    return (who, session) if session is not None else (None, None)


async def _until_signed_out(websocket: WebSocket, state: AppState, session_id: str) -> None:
    """Return once the page's session ended: at once for a sign-out, within
    `ws_token_check_s` for an account disabled from the command line."""
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(sessions_of(websocket).ended(), state.settings.ws_token_check_s)
        who, session = who_is_on_page(websocket)
        if session is None or session.id != session_id or who is None:
            return


def replays_of(websocket: WebSocket) -> Replays:
    replays: Replays = websocket.app.state.replays
    return replays


async def _replay_start(
    websocket: WebSocket, state: AppState, token: str, since: int | None
) -> int | Literal[False] | None:
    """Where this client's replay starts: `since`, None for the snapshot and live events
    alone (no `since=`, or one before today or too far behind), False when the token has
    replayed so often that it must come back later. Waits for the token's turn."""
    if since is None:
        return None
    replays = replays_of(websocket)
    timezone = state.service.site.site.timezone
    today = local_day(state.clock.now(), timezone)
    start = await replays.start(since, state.hub.last_seq, today, timezone)
    if start is None or state.hub.last_seq - start <= REPLAY_PAGE:
        return start  # one page or none: costs less than the snapshot, never rationed
    wait_s = replays.reserve(hash_token(token))
    if wait_s is None:
        return False
    if wait_s > 0:
        await asyncio.sleep(wait_s)
    return start


async def _stream(
    state: AppState, replays: Replays, connection: Connection, since: int | None
) -> None:
    # A few streams start at a time: when hundreds of boards come back at once after a
    # network blip, the kiosks' and counters' requests still get the loop between them.
    async with state.stream_starts:
        snapshot_seq, snapshot = state.service.snapshot_text()
        # Public boards get the snapshot too: it holds nothing but counts and numbers.
        await connection.websocket.send_text(snapshot)
        cursor = since if since is not None else snapshot_seq
        # Read off the event loop, a page at a time: the boards' live events keep flowing.
        while page := await replays.reader.page(cursor, REPLAY_PAGE, until=snapshot_seq):
            for seq, event_type, body in page:
                if policy.may_receive(connection.who, event_type):
                    await connection.send(seq, body)
            cursor = page[-1][0]
        connection.sent_seq = max(connection.sent_seq, snapshot_seq)
    await connection.pump()
