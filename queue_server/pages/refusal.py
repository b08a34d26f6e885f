"""The refusal page the staff pages answer with (a role that may not, a request that is
not valid), in the page's own words, and what their header shows of the person signed in.
"""

from __future__ import annotations

from fastapi.responses import HTMLResponse
from starlette.requests import Request

from queue_server.auth import Principal
from queue_server.pages.i18n import SHARED_DOMAIN
from queue_server.pages.render import page
from queue_server.pages.session import PageSession
from queue_server.pages.sign_in import centre_name


def signed_in_as(who: Principal | None, session: PageSession | None) -> dict[str, str] | None:
    """The header's name and sign-out form (its CSRF token) for a page session; None for
    a request without one (a token, or nobody)."""
    if who is None or session is None:
        return None
    return {"name": who.display_name, "csrf": session.csrf}


def refused_page(
    request: Request,
    message: str,
    *,
    title: str,
    domain: str = SHARED_DOMAIN,
    status_code: int = 403,
    who: Principal | None = None,
    session: PageSession | None = None,
) -> HTMLResponse:
    """`refused.html`: `message` under the page's `title`, both already in the person's
    language (from the page's own catalog, `domain`)."""
    return page(
        request,
        "refused.html",
        status_code,
        domain=domain,
        centre=centre_name(request),
        page_title=title,
        signed_in=signed_in_as(who, session),
        message=message,
    )
