"""Signed-in people on the staff pages: a cookie session and CSRF tokens.

A browser cannot send a bearer token with a page it opens, so the staff pages keep a
session of their own: a random id in a cookie (`HttpOnly`, `SameSite=Strict`, never
readable by a script nor sent from another site), held in this process's memory only
(a restart signs everyone out of the pages; nothing of it is on disk to steal). A session
ends after `idle_s` without a page, on sign-out, or when its account is disabled.

Every form carries a CSRF token checked on its POST: the session's own once signed in;
before, the sign-in form's (a random value in a short-lived cookie and in the form,
compared on submit, so another site cannot sign a browser in to an account of its
choosing). A POST whose `Origin` names another site is refused as well.

`/reports` uses it; `/supervisor` and `/admin` are meant to: `who_is_on_page` gives a
page its `Principal` (the session's, or a bearer token's for tools), and the policy
table decides the rest.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request, Response
from starlette.requests import HTTPConnection

from queue_server.auth import Principal
from queue_server.roles import Role
from queue_server.state import AppState

SESSION_COOKIE = "motcua_session"
FORM_COOKIE = "motcua_form"
FORM_COOKIE_S = 3600  # a sign-in form left open longer is simply shown again
MAX_SESSIONS = 1000


@dataclass(slots=True)
class PageSession:
    id: str
    username: str
    csrf: str
    last_seen_s: float


class Sessions:
    """The signed-in people of this process, oldest first."""

    def __init__(
        self,
        idle_s: float,
        max_sessions: int = MAX_SESSIONS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.idle_s = idle_s
        self.max_sessions = max_sessions
        self._monotonic = monotonic
        self._sessions: OrderedDict[str, PageSession] = OrderedDict()
        self._ended = asyncio.Event()  # set, and replaced, when a session is closed

    async def ended(self) -> None:
        """Return when a session is next closed (the live page's stream then checks its
        own)."""
        await self._ended.wait()

    def open(self, username: str) -> PageSession:
        while len(self._sessions) >= self.max_sessions:
            self._sessions.popitem(last=False)  # the one idle longest
        session = PageSession(
            secrets.token_urlsafe(32), username, secrets.token_urlsafe(32), self._monotonic()
        )
        self._sessions[session.id] = session
        return session

    def find(self, session_id: str | None) -> PageSession | None:
        """The live session `session_id`, now seen again; None when unknown or idle too
        long (which ends it)."""
        session = self._sessions.get(session_id) if session_id else None
        if session is None:
            return None
        now = self._monotonic()
        if now - session.last_seen_s > self.idle_s:
            del self._sessions[session.id]
            return None
        session.last_seen_s = now
        self._sessions.move_to_end(session.id)
        return session

    def close(self, session_id: str | None) -> None:
        if session_id and self._sessions.pop(session_id, None) is not None:
            self._ended.set()
            self._ended = asyncio.Event()

    def __len__(self) -> int:
        return len(self._sessions)


def sessions_of(request: HTTPConnection) -> Sessions:
    found: Sessions = request.app.state.sessions
    return found


def who_is_on_page(request: HTTPConnection) -> tuple[Principal | None, PageSession | None]:
    """Who opened this page (or a page's event stream): the signed-in person (an account
    still enabled), or the holder of a bearer token (a tool, a test); (None, None) for
    nobody."""
    state: AppState = request.app.state.motcua
    session = sessions_of(request).find(request.cookies.get(SESSION_COOKIE))
    if session is not None:
        user = state.reader.user(session.username)
        # A reset password ends the account's sessions too: whoever held one must now
        # sign in with the temporary password and choose their own.
        if user is None or user.disabled or user.must_change_password:
            sessions_of(request).close(session.id)
            return None, None
        who = Principal("user", user.username, Role(user.role), user.display_name)
        return who, session
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        return state.tokens.holder(token.strip(), state.clock.now()), None
    return None, None


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, session: PageSession) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session.id,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(FORM_COOKIE, path="/")


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def form_token(request: Request) -> str:
    """The CSRF token of a sign-in form: the browser's own if it has one, else a new one
    (`set_form_cookie` gives it to the browser with the form)."""
    token = request.cookies.get(FORM_COOKIE)
    if not token or len(token) > 64:
        token = secrets.token_urlsafe(32)
    return token


def set_form_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        FORM_COOKIE,
        token,
        max_age=FORM_COOKIE_S,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/",
    )


def same_site(request: Request) -> bool:
    """False when the request says it comes from another site's page."""
    origin = request.headers.get("origin")
    if origin is None:  # older browsers, tools: the token alone decides
        return True
    return origin == f"{request.url.scheme}://{request.url.netloc}"


def csrf_matches(sent: str | None, expected: str | None) -> bool:
    if not sent or not expected:
        return False
    return hmac.compare_digest(sent.encode(), expected.encode())
