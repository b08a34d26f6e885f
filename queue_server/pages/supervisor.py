"""The live supervision page, `/supervisor` (issue #14): the whole hall from the event
stream, and a supervisor's orders for the day.

The page opens `/ws/events` with its session (no token: `routes.events`), and each time
the stream says something changed it fetches `/supervisor/hall.json` once, the hall as
the server's own views read it (estimates, longest waits, figures); nothing polls. Its
buttons post to `/supervisor/...` with the session's CSRF token: moving a waiting ticket
to the front of its line (a transfer to its own service, as the API does), sending a
counter to help another service for the day, closing a service's issuing early. Each
runs through `QueueService`, so each is in the event log with its actor.

Supervisors and administrators see it; a clerk gets a refusal; nobody, the sign-in form.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from queue_core.protocol import TransferRequest
from queue_server import policy
from queue_server.auth import Principal
from queue_server.pages.i18n import Words, language_of
from queue_server.pages.refusal import refused_page, signed_in_as
from queue_server.pages.render import HEADERS, page
from queue_server.pages.session import csrf_matches, same_site, who_is_on_page
from queue_server.pages.sign_in import centre_name, sign_in_form
from queue_server.pages.supervisor_hall import hall_view
from queue_server.policy import Action
from queue_server.routes.deps import CounterNumber, TicketId, app_state
from queue_server.routes.supervision import ServiceCode

router = APIRouter(include_in_schema=False)

PATH = "/supervisor"
DOMAIN = "supervisor"
MAX_FORM_FIELDS = 4


def _words(request: Request) -> Words:
    return Words(DOMAIN, language_of(request))


@router.get(PATH)
async def supervisor_page(request: Request) -> Response:
    who, session = who_is_on_page(request)
    if who is None:
        return sign_in_form(request, PATH)
    _ = _words(request).gettext
    if not policy.may(who, Action.SUPERVISE):
        return refused_page(
            request,
            _("This account may not supervise the hall (supervisors and administrators only)"),
            title=_("Live supervision"),
            domain=DOMAIN,
            who=who,
            session=session,
        )
    state = app_state(request)
    hall = hall_view(state.service, state.clock.now(), _hub_link(request))
    return page(
        request,
        "supervisor.html",
        domain=DOMAIN,
        centre=centre_name(request),
        page_title=_("Live supervision"),
        signed_in=signed_in_as(who, session),
        csrf=session.csrf if session else "",
        hall=hall.model_dump(mode="json"),
        services={s.code: s.name for s in state.service.views.offered()},
    )


@router.get(f"{PATH}/hall.json")
async def hall_json(request: Request) -> Response:
    who, _session = who_is_on_page(request)
    if who is None:
        return JSONResponse({"detail": "Cần đăng nhập"}, 401, headers=HEADERS)
    if not policy.may(who, Action.SUPERVISE):
        return JSONResponse({"detail": policy.FORBIDDEN}, 403, headers=HEADERS)
    state = app_state(request)
    hall = hall_view(state.service, state.clock.now(), _hub_link(request))
    return Response(hall.model_dump_json(), media_type="application/json", headers=HEADERS)


Order = Callable[[Principal, dict[str, str]], Awaitable[Any]]


async def _order(request: Request, action: Action, order: Order) -> Response:
    """A button of the page: the session's person, its CSRF token, this site's page (or
    a bearer token's holder); then the order, through the service (its refusals are the
    API's: 4xx with `detail`)."""
    _ = _words(request).gettext
    who, session = who_is_on_page(request)
    async with request.form(max_files=0, max_fields=MAX_FORM_FIELDS) as form:
        fields = {k: v[:200] for k, v in form.items() if isinstance(v, str)}
    if who is None:
        return JSONResponse({"detail": _("Your session has ended: sign in again")}, 401)
    policy.ensure_may(who, action)
    # A bearer token (a tool) is never sent by a browser on its own: only a session needs
    # the form's CSRF token.
    if session is not None and (
        not same_site(request) or not csrf_matches(fields.get("csrf"), session.csrf)
    ):
        return JSONResponse({"detail": _("The page has expired: reload it")}, 403)
    done = await order(who, fields)
    return Response(done.model_dump_json(), media_type="application/json")


@router.post(PATH + "/move/{ticket_id}")
async def move_to_front(request: Request, ticket_id: TicketId) -> Response:
    queue = app_state(request).service

    async def order(who: Principal, fields: dict[str, str]) -> Any:
        ticket = queue.ticket(ticket_id)
        return await queue.transfer(ticket_id, TransferRequest(service=ticket.service), who)

    return await _order(request, Action.MOVE_TICKET, order)


@router.post(PATH + "/help/{number}")
async def send_to_help(request: Request, number: CounterNumber) -> Response:
    queue = app_state(request).service

    async def order(who: Principal, fields: dict[str, str]) -> Any:
        return await queue.send_to_help(number, fields.get("service", ""), who)

    return await _order(request, Action.HELP_SERVICE, order)


@router.post(PATH + "/end-help/{number}")
async def end_help(request: Request, number: CounterNumber) -> Response:
    queue = app_state(request).service

    async def order(who: Principal, fields: dict[str, str]) -> Any:
        return await queue.end_help(number, who)

    return await _order(request, Action.HELP_SERVICE, order)


@router.post(PATH + "/close-today/{code}")
async def close_today(request: Request, code: ServiceCode) -> Response:
    queue = app_state(request).service

    async def order(who: Principal, fields: dict[str, str]) -> Any:
        return await queue.close_issuing(code, who)

    return await _order(request, Action.CLOSE_ISSUING, order)


@router.post(PATH + "/reopen/{code}")
async def reopen(request: Request, code: ServiceCode) -> Response:
    queue = app_state(request).service

    async def order(who: Principal, fields: dict[str, str]) -> Any:
        return await queue.reopen_issuing(code, who)

    return await _order(request, Action.CLOSE_ISSUING, order)


def _hub_link(request: Request) -> dict[str, object] | None:
    """The shipper's state (`queue_server.shipper`), where the centre ships to a hub."""
    shipper = getattr(request.app.state, "shipper", None)
    if shipper is None:
        return None
    state: dict[str, object] = shipper.status.public(app_state(request).clock.now())
    return state
