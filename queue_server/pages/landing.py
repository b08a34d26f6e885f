"""`GET /`: the landing page for people. Links to the pages the signed-in person's role
may open (the policy table decides), the server's version; with no session, the public
links (the web board, the API's documentation) and the sign-in form."""

from __future__ import annotations

from importlib import metadata

from fastapi import APIRouter, Request
from fastapi.responses import Response

from queue_core.protocol import PROTOCOL_VERSION
from queue_server import policy
from queue_server.auth import Principal
from queue_server.pages.i18n import N_
from queue_server.pages.refusal import signed_in_as
from queue_server.pages.render import page
from queue_server.pages.session import form_token, set_form_cookie, who_is_on_page
from queue_server.pages.sign_in import centre_name
from queue_server.policy import Action

router = APIRouter(include_in_schema=False)

# (path, title, what it is, the action that opens it; None: anyone)
LINKS = (
    (
        "/admin",
        N_("Administration"),
        N_("Services, counters, hours, staff, devices, audit log"),
        Action.ADMINISTER,
    ),
    (
        "/supervisor",
        N_("Supervision"),
        N_("The hall live: queues, counters, alerts"),
        Action.SUPERVISE,
    ),
    (
        "/reports",
        N_("Reports"),
        N_("Waiting times, service, satisfaction; Excel export"),
        Action.READ_REPORTS,
    ),
    ("/display", N_("Display board"), N_("For a TV: open it with the board's device token"), None),
    ("/docs", N_("API documentation"), N_("Swagger UI; also as ReDoc at /redoc"), None),
)


def server_version() -> str:
    try:
        return metadata.version("motcua")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a bare checkout
        return "?"


def links_for(who: Principal | None) -> list[tuple[str, str, str]]:
    return [
        (path, title, about)
        for path, title, about, action in LINKS
        if action is None or (who is not None and policy.may(who, action))
    ]


@router.get("/")
async def landing(request: Request) -> Response:
    who, session = who_is_on_page(request)
    csrf = None if session is not None else form_token(request)
    response = page(
        request,
        "landing.html",
        domain="admin",
        centre=centre_name(request),
        page_title=centre_name(request),
        signed_in=signed_in_as(who, session),
        links=links_for(who),
        who=who,
        version=server_version(),
        protocol=PROTOCOL_VERSION,
        csrf=csrf,
    )
    if csrf is not None:
        set_form_cookie(response, request, csrf)
    return response
