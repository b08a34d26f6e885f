"""Signing in to the staff pages, and out: `POST /sign-in`, `POST /sign-out`.

The form is the contract's (fields `username` and `password`); a page opened without a
session shows it (`sign_in_form`). Failed attempts count against the same lock-out as
`POST /api/auth/token`: a page is not a way around it.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from queue_server.auth import dummy_hash
from queue_server.pages.i18n import N_, SHARED_DOMAIN, Words, language_of
from queue_server.pages.render import page
from queue_server.pages.session import (
    FORM_COOKIE,
    SESSION_COOKIE,
    clear_session_cookie,
    csrf_matches,
    form_token,
    same_site,
    sessions_of,
    set_form_cookie,
    set_session_cookie,
)
from queue_server.routes.deps import app_state

router = APIRouter(include_in_schema=False)

PAGES = {
    "/": N_("Home"),
    "/reports": N_("Service report"),
    "/supervisor": N_("Live supervision"),
    "/admin": N_("Administration"),
    "/admin/settings": N_("Administration"),
    "/admin/staff": N_("Administration"),
    "/admin/devices": N_("Administration"),
    "/admin/audit": N_("Administration"),
    "/admin/site": N_("Administration"),
}
"""The pages one may sign in to, with their titles (message ids of the `pages` catalogs);
after signing in, the browser goes to the page it asked for, never to an address a form
was given."""
MAX_FORM_FIELDS = 8
MAX_FIELD_BYTES = 1024


def safe_next(value: str) -> str:
    """Where to go after signing in: one of `PAGES`, with its query (a report's dates)
    re-encoded; anything else, another site above all, is `/reports`."""
    path, _, query = value.partition("?")
    if path not in PAGES:
        return "/reports"
    pairs = urlencode(parse_qsl(query)[:8])
    return f"{path}?{pairs}" if pairs else path


def words(request: Request) -> Words:
    """The shared words of the pages, in the person's language."""
    return Words(SHARED_DOMAIN, language_of(request))


def centre_name(request: Request) -> str:
    return app_state(request).service.site.site.name


def sign_in_form(
    request: Request,
    next_path: str,
    *,
    message: str | None = None,
    status_code: int = 200,
    username: str = "",
) -> HTMLResponse:
    token = form_token(request)
    response = page(
        request,
        "sign_in.html",
        status_code,
        centre=centre_name(request),
        page_title=words(request).gettext(PAGES.get(next_path.partition("?")[0], N_("Sign in"))),
        next=safe_next(next_path),
        message=message,
        username=username,
        csrf=token,
    )
    set_form_cookie(response, request, token)
    return response


def _field(form: object, name: str) -> str:
    value = form.get(name)  # type: ignore[attr-defined]
    return value[:MAX_FIELD_BYTES] if isinstance(value, str) else ""


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    state = app_state(request)
    async with request.form(max_files=0, max_fields=MAX_FORM_FIELDS) as form:
        username = _field(form, "username")
        password = _field(form, "password")
        sent_csrf = _field(form, "csrf")
        next_path = _field(form, "next")
    next_path = safe_next(next_path)
    _ = words(request).gettext
    if not same_site(request) or not csrf_matches(sent_csrf, request.cookies.get(FORM_COOKIE)):
        return sign_in_form(
            request,
            next_path,
            message=_("The form has expired: sign in again"),
            status_code=403,
            username=username,
        )
    address = request.client.host if request.client else "?"
    wait_s = state.throttle.begin(username, address, time.monotonic())
    if wait_s > 0:
        response = sign_in_form(
            request,
            next_path,
            message=_("Too many failed attempts: try again in {seconds} seconds").format(
                seconds=int(wait_s) + 1
            ),
            status_code=429,
            username=username,
        )
        response.headers["Retry-After"] = str(int(wait_s) + 1)
        return response
    user = state.reader.user(username)
    # Verify even for an unknown user, so timing does not tell which names exist.
    ok = await state.throttle.check(user.password_hash if user else dummy_hash(), password)
    if ok is None:
        state.throttle.withdraw(username, address)
        return sign_in_form(
            request,
            next_path,
            message=_("The server is busy: sign in again in a moment"),
            status_code=503,
            username=username,
        )
    if user is None or not ok or user.disabled:
        return sign_in_form(
            request,
            next_path,
            message=_("Wrong username or password"),
            status_code=401,
            username=username,
        )
    state.throttle.succeeded(username, address)
    if user.must_change_password:  # reset by an administrator: a new one first
        from queue_server.pages.password_change import change_form

        return change_form(request, user.username, next_path)
    session = sessions_of(request).open(user.username)
    redirect = RedirectResponse(next_path, status_code=303)
    set_session_cookie(redirect, request, session)
    return redirect


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    async with request.form(max_files=0, max_fields=MAX_FORM_FIELDS) as form:
        sent_csrf = _field(form, "csrf")
        next_path = safe_next(_field(form, "next"))  # back to the page's sign-in form
    sessions = sessions_of(request)
    session = sessions.find(request.cookies.get(SESSION_COOKIE))
    if session is not None and (
        not same_site(request) or not csrf_matches(sent_csrf, session.csrf)
    ):
        _ = words(request).gettext
        return page(
            request,
            "refused.html",
            403,
            centre=centre_name(request),
            page_title=_("Sign out"),
            message=_("This sign-out request is not valid"),
        )
    sessions.close(session.id if session else None)
    redirect = RedirectResponse(next_path, status_code=303)
    clear_session_cookie(redirect)
    return redirect
