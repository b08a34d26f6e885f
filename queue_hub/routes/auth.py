"""Province staff sign in as a centre's staff do: the OAuth2 password flow."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm

from queue_core.protocol import TokenOut
from queue_hub.auth import USER_TOKEN_TTL_S, dummy_hash, hash_token, new_token, verify_password
from queue_hub.errors import Unauthorized
from queue_hub.routes.deps import Now, Store

router = APIRouter(tags=["auth"])

PROVINCE_ROLE = "province"


@router.post("/api/auth/token", response_model=TokenOut, summary="Sign in (OAuth2 password flow)")
def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], store: Store, clock: Now
) -> TokenOut:
    user = store.user(form.username)
    # Verify even for an unknown user, so timing does not tell which names exist.
    ok = verify_password(user.password_hash if user else dummy_hash(), form.password)
    if user is None or not ok or user.disabled:
        raise Unauthorized("Sai tên đăng nhập hoặc mật khẩu / wrong username or password")
    now = clock.now()
    access = new_token()
    expires_at = now + timedelta(seconds=USER_TOKEN_TTL_S)
    store.insert_token(hash_token(access), user.username, now, expires_at)
    return TokenOut(access_token=access, expires_at=expires_at, role=PROVINCE_ROLE)
