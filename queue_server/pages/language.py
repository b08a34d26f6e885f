"""`GET /lang/{code}?next=PATH`: a person's choice of the pages' language, kept in a cookie."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from queue_server.pages.i18n import LANGUAGE_COOKIE, LANGUAGES

router = APIRouter(include_in_schema=False)

YEAR_S = 365 * 24 * 3600


def _back_to(value: str | None) -> str:
    # Only a path of this server: `//elsewhere` or `https://…` would make the switch an
    # open redirect.
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value[:512]


@router.get("/lang/{code}")
async def choose_language(request: Request, code: str, next: str | None = None) -> Response:
    response = RedirectResponse(_back_to(next), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE, code, max_age=YEAR_S, httponly=True, samesite="lax", path="/"
        )
    return response
