"""Who is calling: a centre (its hub token) or province staff (a token from sign-in)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from queue_core.clock import Clock
from queue_hub.auth import hash_token
from queue_hub.errors import Unauthorized
from queue_hub.store import Centre, HubStore, User


def store_of(request: Request) -> HubStore:
    store: HubStore = request.app.state.store
    return store


def clock_of(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


SESSION_COOKIE = "motcua_hub"
"""The `/hub` page's cookie: a staff token, as `/api/auth/token` gives one."""

Store = Annotated[HubStore, Depends(store_of)]
Now = Annotated[Clock, Depends(clock_of)]


def bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Thiếu mã truy cập / a bearer token is required")
    return token.strip()


def centre_caller(request: Request, store: Store) -> Centre:
    centre = store.centre_by_token(hash_token(bearer(request)))
    if centre is None:
        raise Unauthorized("Mã của trạm không hợp lệ / unknown centre token")
    return centre


def staff_caller(request: Request, store: Store, clock: Now) -> User:
    # The page's cookie where no header is sent (the workbook link, the live stream).
    cookie = request.cookies.get(SESSION_COOKIE)
    token = cookie if cookie and "authorization" not in request.headers else bearer(request)
    user = store.token_user(hash_token(token), clock.now())
    if user is None:
        raise Unauthorized("Mã truy cập không hợp lệ hoặc đã hết hạn / invalid or expired token")
    return user


CentreCaller = Annotated[Centre, Depends(centre_caller)]
StaffCaller = Annotated[User, Depends(staff_caller)]
