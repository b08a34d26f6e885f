"""What every route may depend on: the service, and the caller let in by the policy."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request
from fastapi.security import HTTPBearer

from queue_server import policy
from queue_server.auth import Principal
from queue_server.policy import Action
from queue_server.service import QueueService
from queue_server.state import AppState

# SQLite integers are 64-bit; a larger id in a path must be a 404/422, never an overflow.
MAX_ID = 2**62


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.motcua
    return state


# Dependencies are coroutines: FastAPI runs a plain `def` dependency on its thread pool,
# a thread hop per request that costs more than the work itself.


async def state_of(request: Request) -> AppState:
    return app_state(request)


async def queue(request: Request) -> QueueService:
    return app_state(request).service


State = Annotated[AppState, Depends(state_of)]


BEARER = "Bearer "


def bearer_token(request: Request) -> str | None:
    """The token of the request's `Authorization: Bearer …` header, if any."""
    return bearer_of(request.headers.get("authorization"))


def bearer_of(header: str | None) -> str | None:
    """The token an `Authorization` header's value carries as `Bearer …`, if any."""
    if header is not None and header[: len(BEARER)].lower() == BEARER.lower():
        return header[len(BEARER) :].strip() or None
    return None


class Allowed(HTTPBearer):
    """The one dependency that lets a caller into a route that needs a token: the caller,
    if `queue_server.policy` says they may do `action` (401 without a valid token; 403 for
    a role that may not, or a device bound to another counter than the path's `{number}`).

    One plain dependency with no others under it: it reads the token itself and asks the
    in-memory token table (`queue_server.tokens`), so a hot route such as issuing pays for
    no chain of dependencies. It is an `HTTPBearer` only so that the API's docs show the
    route's bearer authentication.

    Actions at a ticket's counter are scoped again inside the service's transaction, where
    that counter is known for sure (`policy.ensure_at_counter`).
    """

    def __init__(self, action: Action) -> None:
        super().__init__(
            auto_error=False,
            scheme_name="HTTPBearer",
            description="A user token from /api/auth/token or a device token.",
        )
        self.action = action  # policy.action_of reads it

    async def __call__(self, request: Request) -> Principal:  # type: ignore[override]
        token = bearer_token(request)
        if token is None and request.url.path.startswith("/display"):
            token = request.query_params.get("token")
        # Runs before the path is validated: a malformed number is the route's own 422.
        number = request.path_params.get("number")
        at = (
            int(number)
            if isinstance(number, str) and number.isascii() and number.isdigit()
            else None
        )
        return guard(app_state(request), self.action, token, at)


def guard(state: AppState, action: Action, token: str | None, number: int | None) -> Principal:
    """The holder of `token`, if `queue_server.policy` lets them do `action` (at counter
    `number`, when the path names one).

    Raises:
        HTTPException: 401, no token or not a valid one.
        policy.Forbidden: 403, a role that may not, or a device bound to another counter.
    """
    who = state.tokens.holder(token, state.clock.now()) if token else None
    if who is None:
        raise HTTPException(
            status_code=401,
            detail="Cần đăng nhập hoặc mã thiết bị hợp lệ"
            if token is None
            else "Mã truy cập không hợp lệ hoặc đã hết hạn",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not policy.may(who, action):
        raise policy.Forbidden()
    if number is not None:
        policy.ensure_bound_to(who, action, number)
    return who


def admit(
    state: AppState, action: Action, token: str | None, number: int | None
) -> Principal | None:
    """`guard`'s caller, or None where it would refuse (the hot routes then let the
    FastAPI route say why)."""
    try:
        return guard(state, action, token, number)
    except (HTTPException, policy.Forbidden):
        return None


_GUARDS = {action: Allowed(action) for action in Action}


def allowed(action: Action) -> Allowed:
    """The guard of `action` (see `Allowed`)."""
    return _GUARDS[action]


Queue = Annotated[QueueService, Depends(queue)]
# Any valid token: what every holder may read.
Caller = Annotated[Principal, Depends(allowed(Action.READ))]

TicketId = Annotated[int, Path(ge=1, le=MAX_ID, description="The ticket's id.", examples=[42])]
CounterNumber = Annotated[
    int, Path(ge=1, le=999, description="The counter's number.", examples=[3])
]
