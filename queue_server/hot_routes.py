"""The two hottest routes, served below FastAPI: issuing and call-next.

Every kiosk touch is a `POST /api/tickets` and every clerk's button a
`POST /api/counters/{n}/call-next`. Through FastAPI each pays for eight middleware layers,
route matching over every route, and dependency solving, which measured 40–60 % of the
server's interpreter time at a steady load (bench/issue.py with py-spy), more than the
write itself. `HotRoutesApp` answers those two requests straight from the ASGI scope,
when they are the plain, valid case:

- the token is a valid one whose holder the policy lets do the action (the same guard as
  the routes: `routes.deps.admit`);
- for issuing, a JSON body with a `Content-Length` within the body cap, a valid
  `IssueRequest`, and at most one valid `Idempotency-Key`; for call-next, no body and a
  counter number written plainly.

Anything else (no token, a refusal, a malformed body, a chunked upload, an odd header)
goes to the FastAPI app with the body it already read, so that every error keeps its one
form and the routes stay declared there for the API's docs. A domain error raised by the
command itself is translated by `errors.response_for`, as FastAPI's handlers translate it.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, HTTPException
from pydantic import ValidationError
from starlette.types import Message, Receive, Scope, Send

from queue_core.errors import QueueError
from queue_core.protocol import FOLLOW_CODE_HEADER, IssueRequest
from queue_server import errors
from queue_server.limits import BODY_CAP, bounded, send_json
from queue_server.policy import Action
from queue_server.routes.deps import admit, bearer_of
from queue_server.state import AppState
from queue_server.store import StoreError

ISSUE_PATH = "/api/tickets"
CALL_NEXT = re.compile(r"^/api/counters/([1-9][0-9]{0,2})/call-next$")
# What `routes.tickets.issue` declares for the header: 1–200 characters, not all blank.
IDEMPOTENCY_KEY_MAX = 200
_JSON = b"application/json"
_FOLLOW_CODE = FOLLOW_CODE_HEADER.lower().encode()


class HotRoutesApp(FastAPI):
    """The FastAPI app, with issuing and call-next answered first (see the module)."""

    hot = True  # False sends everything through FastAPI (a test compares the two paths)
    answered = 0  # requests the hot path answered itself

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.hot and scope["type"] == "http" and scope["method"] == "POST":
            path = scope["path"]
            if path == ISSUE_PATH:
                await self._issue(scope, receive, send)
                return
            if path.endswith("/call-next") and (match := CALL_NEXT.match(path)):
                await self._call_next(scope, receive, send, int(match.group(1)))
                return
        await super().__call__(scope, receive, send)

    def _state(self) -> AppState | None:
        state: AppState | None = getattr(self.state, "motcua", None)
        return state

    async def _issue(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = self._state()
        headers = _plain_headers(scope)
        length = headers.get(b"content-length") if headers is not None else None
        if (
            state is None
            or headers is None
            or headers.get(b"content-type", b"").split(b";")[0].strip() != _JSON
            or length is None
            or not length.isdigit()
            or int(length) > BODY_CAP
        ):
            await super().__call__(scope, receive, send)
            return
        try:
            body = await _read(bounded(receive, BODY_CAP))
        except HTTPException as exc:  # too slow or longer than it said
            await send_json(send, exc.status_code, exc.detail, {})
            return
        key = headers.get(b"idempotency-key")
        who = admit(state, Action.ISSUE_TICKET, _bearer(headers), None)
        if who is None or (key is not None and not _valid_key(key)):
            await super().__call__(scope, _replaying(body, receive), send)
            return
        try:
            request = IssueRequest.model_validate_json(body)
        except ValidationError:
            await super().__call__(scope, _replaying(body, receive), send)
            return
        try:
            answer = await state.service.issue_answer(
                request, who, key.decode("latin-1") if key is not None else None
            )
        except (QueueError, StoreError) as exc:
            await errors.response_for(exc, "POST", ISSUE_PATH)(
                scope, _replaying(body, receive), send
            )
            return
        self.answered += 1
        code = answer.follow_code
        extra = [(_FOLLOW_CODE, code.encode())] if code else []
        await _send(send, 201, answer.json.encode(), extra)

    async def _call_next(self, scope: Scope, receive: Receive, send: Send, number: int) -> None:
        state = self._state()
        headers = _plain_headers(scope)
        who = (
            admit(state, Action.CALL_NEXT, _bearer(headers), number)
            if state is not None and headers is not None
            else None
        )
        if (
            who is None
            or state is None
            or headers is None
            or headers.get(b"content-length", b"0") != b"0"
            or b"transfer-encoding" in headers
        ):
            await super().__call__(scope, receive, send)
            return
        self.answered += 1
        try:
            called = await state.service.call_next_answer(number, who)
        except (QueueError, StoreError) as exc:
            await errors.response_for(exc, "POST", scope["path"])(scope, receive, send)
            return
        if called is None:
            await _send(send, 204, b"", [], content_type=False)
            return
        await _send(send, 200, called.json.encode(), [])


def _plain_headers(scope: Scope) -> dict[bytes, bytes] | None:
    """The request's headers by (lower-case) name; None when one that matters here comes
    twice, which the FastAPI route then judges."""
    found: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        if name in found and name in _SINGLE:
            return None
        found[name] = value
    return found


_SINGLE = frozenset({b"authorization", b"content-length", b"content-type", b"idempotency-key"})


def _bearer(headers: dict[bytes, bytes] | None) -> str | None:
    value = headers.get(b"authorization") if headers is not None else None
    # Latin-1, as Starlette reads a header, so that both paths see the same token.
    return bearer_of(value.decode("latin-1") if value is not None else None)


def _valid_key(key: bytes) -> bool:
    text = key.decode("latin-1")
    return 1 <= len(text) <= IDEMPOTENCY_KEY_MAX and not text.isspace()


async def _read(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """`receive` for the FastAPI app after this module read the body: the body once, then
    what the connection says next (a disconnect)."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _send(
    send: Send,
    status: int,
    body: bytes,
    extra: list[tuple[bytes, bytes]],
    *,
    content_type: bool = True,
) -> None:
    headers: list[Any] = [(b"content-length", str(len(body)).encode())]
    if content_type:
        headers.append((b"content-type", _JSON))
    await send({"type": "http.response.start", "status": status, "headers": headers + extra})
    await send({"type": "http.response.body", "body": body})
