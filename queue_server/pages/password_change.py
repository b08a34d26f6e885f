"""A password an administrator reset is changed at the next sign-in: `POST
/sign-in/password`.

The sign-in form, given the right temporary password of such an account, answers with
this form instead of a session. It asks for the temporary password again (a page never
carries a password back), and the new one twice; it is checked as a sign-in is (the same
CSRF cookie, the same throttle), and only once the new password is stored does the
person get a session. The change is in the audit log under the person's own name.
"""

from __future__ import annotations

import asyncio
import time
import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from queue_server.auth import dummy_hash, hash_password
from queue_server.pages.i18n import Words, language_of
from queue_server.pages.render import page
from queue_server.pages.session import (
    FORM_COOKIE,
    csrf_matches,
    form_token,
    same_site,
    sessions_of,
    set_form_cookie,
    set_session_cookie,
)
from queue_server.pages.sign_in import centre_name, safe_next, sign_in_form
from queue_server.routes.deps import app_state
from queue_server.store import AuditEntry, Store
from queue_server.writer import Outcome

router = APIRouter(include_in_schema=False)

PATH = "/sign-in/password"
MIN_PASSWORD = 6
MAX_FIELD_CHARS = 1024


def change_form(
    request: Request,
    username: str,
    next_path: str,
    *,
    message: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    token = form_token(request)
    response = page(
        request,
        "password_change.html",
        status_code,
        domain="admin",
        centre=centre_name(request),
        page_title=centre_name(request),
        username=username,
        next=safe_next(next_path),
        message=message,
        csrf=token,
    )
    set_form_cookie(response, request, token)
    return response


@router.post(PATH)
async def change_password(request: Request) -> Response:
    state = app_state(request)
    _ = Words("admin", language_of(request)).gettext
    async with request.form(max_files=0, max_fields=8) as form:
        values = {k: v[:MAX_FIELD_CHARS] for k, v in form.multi_items() if isinstance(v, str)}
    username = values.get("username", "")
    current, new = values.get("password", ""), values.get("new_password", "")
    next_path = safe_next(values.get("next", ""))
    if not same_site(request) or not csrf_matches(
        values.get("csrf"), request.cookies.get(FORM_COOKIE)
    ):
        return sign_in_form(
            request, next_path, message=_("The form has expired; sign in again"), status_code=403
        )
    address = request.client.host if request.client else "?"
    wait_s = state.throttle.begin(username, address, time.monotonic())
    if wait_s > 0:
        return sign_in_form(
            request,
            next_path,
            message=_("Too many failed sign-ins; try again later"),
            status_code=429,
        )
    user = state.reader.user(username)
    ok = await state.throttle.check(user.password_hash if user else dummy_hash(), current)
    if ok is None:
        state.throttle.withdraw(username, address)
        return change_form(
            request,
            username,
            next_path,
            message=_("The server is busy; try again in a moment"),
            status_code=503,
        )
    if user is None or not ok or user.disabled or not user.must_change_password:
        return sign_in_form(
            request, next_path, message=_("Wrong username or password"), status_code=401
        )
    state.throttle.succeeded(username, address)
    if len(new) < MIN_PASSWORD:
        problem = _("The new password needs at least 6 characters")
    elif new != values.get("confirm", ""):
        problem = _("The two new passwords differ")
    elif new == current:
        problem = _("Choose a password other than the temporary one")
    else:
        problem = None
    if problem is not None:
        return change_form(request, username, next_path, message=problem, status_code=422)
    password_hash = await asyncio.to_thread(hash_password, new)
    now = state.clock.now()

    def store_it(store: Store) -> Outcome[None]:
        store.set_user_password(username, password_hash, must_change=False)
        store.record_audit(
            [
                AuditEntry(
                    now,
                    f"web:{username}",
                    "sign-in",
                    uuid.uuid4().hex,
                    "staff.password_changed",
                    username,
                    None,
                    None,
                    None,
                    f"{username} đổi mật khẩu tạm / {username} changed the temporary password",
                )
            ]
        )
        return Outcome(None)

    await state.writer.run(store_it)
    state.tokens.refresh()
    session = sessions_of(request).open(username)
    redirect = RedirectResponse(next_path, status_code=303)
    set_session_cookie(redirect, request, session)
    return redirect
