"""The `/hub` page for province staff: every centre live, the summaries, a chart, and the
Excel workbook across centres.

Signing in sets a staff token (the one `/api/auth/token` gives) in an HttpOnly,
SameSite=Strict cookie: the page's GETs, the workbook and the live stream read it, and
no other site's form can post with it.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from queue_core.errors import InvalidRequest
from queue_core.protocol import HubReportBy, HubReportSummary
from queue_hub import overview, reports, workbook
from queue_hub.auth import USER_TOKEN_TTL_S, dummy_hash, hash_token, new_token, verify_password
from queue_hub.errors import NotFound
from queue_hub.i18n import LANGUAGE_COOKIE, LANGUAGES, catalog, language_of
from queue_hub.routes.deps import SESSION_COOKIE, Now, StaffCaller, Store
from queue_hub.store import HubStore, User

router = APIRouter(tags=["page"])

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
TITLES = {"centre": "By centre", "service": "By service"}  # message ids (locale/*/hub.po)


def environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape())


def _render(request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    """`name` in the person's language (`?lang=` is remembered in a cookie)."""
    lang = language_of(request)
    words = catalog(lang)
    template = request.app.state.jinja.get_template(name)
    page = template.render(_=words.gettext, lang=lang, languages=LANGUAGES, **values)
    answer = HTMLResponse(page, status_code=status)
    if request.query_params.get(LANGUAGE_COOKIE) == lang:
        answer.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return answer


def _user(request: Request, store: HubStore) -> User | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    user: User | None = store.token_user(hash_token(token), request.app.state.clock.now())
    return user


@router.get("/hub", response_class=HTMLResponse, include_in_schema=False)
async def page(
    request: Request,
    store: Store,
    clock: Now,
    first: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    to: Annotated[str | None, Query(max_length=10)] = None,
) -> HTMLResponse:
    user = await run_in_threadpool(_user, request, store)
    if user is None:
        return _render(request, "sign_in.html", error=None)
    today = clock.now().date()
    first = first or (today - timedelta(days=29)).isoformat()
    to = to or today.isoformat()
    error = None
    summaries: list[HubReportSummary] = []
    groupings: tuple[HubReportBy, ...] = ("centre", "service")
    try:
        for by in groupings:
            summaries.append(await run_in_threadpool(reports.summary, store, first, to, "all", by))
    except (InvalidRequest, NotFound) as exc:
        error, summaries = exc.message, []
    centres = await run_in_threadpool(overview.centres, store, clock.now())
    per_centre = summaries[0].rows if summaries else []
    chart = {
        "labels": [row.label for row in per_centre],
        "issued": [row.issued for row in per_centre],
        "served": [row.served for row in per_centre],
        "satisfaction": [row.satisfaction_pct for row in per_centre],
    }
    return _render(
        request,
        "hub.html",
        user=user,
        centres=centres,
        summaries=summaries,
        titles=TITLES,
        first=first,
        last=to,
        error=error,
        chart=chart,
    )


@router.post("/hub/sign-in", include_in_schema=False)
async def sign_in(
    request: Request,
    store: Store,
    clock: Now,
    username: Annotated[str, Form(max_length=150)],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    user = await run_in_threadpool(store.user, username)
    ok = await run_in_threadpool(
        verify_password, user.password_hash if user else dummy_hash(), password
    )
    if user is None or not ok or user.disabled:
        return _render(
            request,
            "sign_in.html",
            status=401,
            error=catalog(language_of(request)).gettext("Wrong username or password"),
        )
    now = clock.now()
    token = new_token()
    await run_in_threadpool(
        store.insert_token,
        hash_token(token),
        user.username,
        now,
        now + timedelta(seconds=USER_TOKEN_TTL_S),
    )
    answer = RedirectResponse("/hub", status_code=303)
    answer.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=USER_TOKEN_TTL_S,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return answer


@router.post("/hub/sign-out", include_in_schema=False)
async def sign_out() -> Response:
    answer = RedirectResponse("/hub", status_code=303)
    answer.delete_cookie(SESSION_COOKIE)
    return answer


@router.get(
    "/api/hub/reports/export.xlsx",
    summary="The province's workbook: a sheet per grouping",
    response_class=Response,
    responses={200: {"content": {"application/vnd.ms-excel": {}}}},
)
async def export(
    _: StaffCaller,
    store: Store,
    first: Annotated[str, Query(alias="from", max_length=10)],
    to: Annotated[str, Query(max_length=10)],
    centre: Annotated[str, Query(max_length=64)] = "all",
) -> Response:
    data, _summaries = await run_in_threadpool(workbook.workbook, store, first, to, centre)
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="motcua-tinh-{first}-{to}.xlsx"'},
    )
