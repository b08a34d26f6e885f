"""Signing in: the OAuth2 password flow for staff."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from queue_core.protocol import Me, TokenOut
from queue_server.auth import Principal, dummy_hash, hash_token, issue_user_token
from queue_server.policy import Action
from queue_server.routes.deps import Caller, State, allowed, bearer_token
from queue_server.store import Store
from queue_server.writer import Outcome

router = APIRouter(tags=["auth"])


@router.post(
    "/api/auth/token",
    response_model=TokenOut,
    summary="Sign in (OAuth2 password flow)",
    responses={
        401: {"description": "Sai tên đăng nhập hoặc mật khẩu"},
        403: {"description": "Mật khẩu tạm do quản trị đặt lại: đổi ở trang web trước"},
        413: {"description": "Nội dung quá dài"},
        429: {"description": "Tạm khóa"},
        503: {"description": "Máy chủ đang bận"},
    },
)
async def token(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], state: State
) -> TokenOut:
    username = form.username
    address = request.client.host if request.client else "?"
    # Counted before the slow check, so parallel guesses cannot all slip under the limit;
    # what is refused here costs no password hashing.
    wait_s = state.throttle.begin(username, address, time.monotonic())
    if wait_s > 0:
        raise HTTPException(
            status_code=429,
            detail=f"Đăng nhập sai quá nhiều lần, thử lại sau {int(wait_s) + 1} giây",
            headers={"Retry-After": str(int(wait_s) + 1)},
        )
    user = state.reader.user(username)
    # Verify even for an unknown user, so timing does not tell which names exist.
    password_hash = user.password_hash if user else dummy_hash()
    ok = await state.throttle.check(password_hash, form.password)
    if ok is None:
        state.throttle.withdraw(username, address)
        raise HTTPException(
            status_code=503,
            detail="Máy chủ đang bận, hãy thử đăng nhập lại sau giây lát",
            headers={"Retry-After": "1"},
        )
    if user is None or not ok or user.disabled:
        raise HTTPException(
            status_code=401,
            detail="Sai tên đăng nhập hoặc mật khẩu",
            headers={"WWW-Authenticate": "Bearer"},
        )
    state.throttle.succeeded(username, address)
    if user.must_change_password:  # reset by an administrator (issue #13)
        raise HTTPException(
            status_code=403,
            detail="Mật khẩu này do quản trị đặt lại: hãy đăng nhập ở trang của máy chủ"
            f" ({request.base_url}) để đặt mật khẩu mới, rồi đăng nhập lại",
        )
    now = state.clock.now()
    ttl = state.settings.user_token_ttl_s

    def write(store: Store) -> Outcome[tuple[str, object]]:
        return Outcome(issue_user_token(store, username, now, ttl))

    access_token, expires_at = await state.writer.run(write)
    return TokenOut(access_token=access_token, expires_at=expires_at, role=user.role)


@router.get("/api/auth/me", response_model=Me, summary="Who holds this token")
async def me(who: Caller) -> Me:
    return Me(
        subject=who.subject, kind=who.kind, role=who.role.value, display_name=who.display_name
    )


@router.post(
    "/api/auth/logout",
    status_code=204,
    summary="Sign out: the token that calls it stops working",
    responses={
        401: {"description": "Mã truy cập không hợp lệ hoặc đã hết hạn"},
        403: {"description": "Mã thiết bị không đăng xuất được"},
    },
)
async def logout(
    who: Annotated[Principal, Depends(allowed(Action.SIGN_OUT))],
    request: Request,
    state: State,
) -> Response:
    token = bearer_token(request)
    if token is None:  # a token from the address (`/display`), never sent here
        raise HTTPException(status_code=403, detail="Chỉ tài khoản cán bộ mới đăng xuất được")
    token_hash = hash_token(token)
    now = state.clock.now()

    def write(store: Store) -> Outcome[int]:
        return Outcome(store.revoke_token(token_hash, now))

    await state.writer.run(write)
    state.tokens.refresh()  # this token's open streams close now
    return Response(status_code=204)
