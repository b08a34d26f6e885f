"""Request limits checked before a route runs: the token first, then the body's size.

FastAPI reads and parses a request's whole body before it solves the route's
dependencies, so a request with no token and a 92 MiB body used to cost 92 MiB (and a
parse) before its 401. This pure ASGI middleware sits in front of the routes:

- an `/api/` operation that needs a token (`policy.ROUTES` says which) gets 401 at
  once when the request carries no `Authorization` header; whether a token is *valid*
  stays the route's business;
- a body larger than its route's cap gets 413: at once when `Content-Length` says so,
  or as soon as a chunked body streams past the cap, without reading further;
- a body whose next chunk does not come within `body_timeout_s` gets 408, so a slow
  sender cannot hold a request open for ever.

Caps are in kilobytes: every command is a small JSON object, the sign-in form a small
form; a route that needs more is listed in `BODY_CAPS`. (FastAPI's own `max_body_size`
answers 413 in plain text, not the API's JSON `{"detail": ...}`, and its app-wide cap
sits outside this middleware, so it would turn the 401 above into a 413.)
"""

from __future__ import annotations

import asyncio
import json
import re

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from queue_server.policy import ROUTES

BODY_CAP = 4 * 1024  # JSON commands: a few hundred bytes at most
# Routes allowed more than BODY_CAP, by path.
BODY_CAPS = {
    "/api/auth/token": 16 * 1024,  # the OAuth2 form: username, password, scope, client id
    # A whole site file, uploaded or carried by the confirming form of its preview.
    "/admin/site/import": 512 * 1024,
    "/admin/site/apply": 512 * 1024,
    "/admin/site/preview": 64 * 1024,  # a form: the hours' list of closed dates is the longest
}
BODY_TIMEOUT_S = 10.0

TOKEN_MISSING = "Cần đăng nhập hoặc mã thiết bị hợp lệ"


class BodyTooLarge(HTTPException):
    def __init__(self, cap: int) -> None:
        super().__init__(413, f"Nội dung gửi lên quá dài (tối đa {cap // 1024} KiB)")


class BodyTooSlow(HTTPException):
    def __init__(self) -> None:
        super().__init__(408, "Gửi nội dung quá chậm")


def token_operations() -> list[tuple[str, re.Pattern[str]]]:
    """(method, path pattern) of every operation that needs a token: the policy's routes."""
    return [
        (method, re.compile("^" + re.sub(r"\\{[^}/]+\\}", "[^/]+", re.escape(path)) + "$"))
        for method, path in ROUTES
    ]


async def send_json(send: Send, status: int, detail: str, headers: dict[str, str]) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in headers.items()]
    # The unread body must not be taken for the next request: this connection ends here.
    raw.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class RequestLimits:
    """The middleware; see the module's docstring."""

    def __init__(self, app: ASGIApp, body_timeout_s: float = BODY_TIMEOUT_S) -> None:
        self.app = app
        self.body_timeout_s = body_timeout_s
        self._token_operations = token_operations()

    def _needs_token(self, scope: Scope) -> bool:
        method, path = scope["method"], scope["path"]
        return any(m == method and p.match(path) for m, p in self._token_operations)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Only a request with no token at all pays for the lookup.
        if (
            scope["path"].startswith("/api/")
            and not any(name == b"authorization" for name, _ in scope["headers"])
            and self._needs_token(scope)
        ):
            await send_json(send, 401, TOKEN_MISSING, {"WWW-Authenticate": "Bearer"})
            return
        cap = BODY_CAPS.get(scope["path"], BODY_CAP)
        length = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if length is not None and length.isdigit() and int(length) > cap:
            await send_json(send, 413, BodyTooLarge(cap).detail, {})
            return
        await self.app(scope, bounded(receive, cap, self.body_timeout_s), send)


def bounded(receive: Receive, cap: int, timeout_s: float = BODY_TIMEOUT_S) -> Receive:
    """`receive`, refusing (by raising, which the app answers) a body past `cap` or a chunk
    that takes longer than `timeout_s` to come."""
    received = 0
    more = True

    async def bounded_receive() -> Message:
        nonlocal received, more
        if not more:  # the body is read: what is left to wait for is the disconnect
            return await receive()
        try:
            # `timeout` rather than `wait_for`: no task per chunk (≈ 6 µs a request).
            async with asyncio.timeout(timeout_s):
                message = await receive()
        except TimeoutError:
            raise BodyTooSlow() from None
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            more = bool(message.get("more_body", False))
            if received > cap:
                raise BodyTooLarge(cap)
        else:
            more = False
        return message

    return bounded_receive
