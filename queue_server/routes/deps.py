"""What every route may depend on: the service, and the caller let in by the policy."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from queue_server import policy
from queue_server.auth import Principal
from queue_server.policy import Action
from queue_server.service import QueueService
from queue_server.state import AppState

# SQLite integers are 64-bit; a larger id in a path must be a 404/422, never an overflow.
MAX_ID = 2**62

_bearer = HTTPBearer(
    auto_error=False, description="A user token from /api/auth/token or a device token."
)


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


async def principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    state = app_state(request)
    token = credentials.credentials if credentials is not None else None
    if token is None and request.url.path.startswith("/display"):
        token = request.query_params.get("token")
    found = state.tokens.holder(token, state.clock.now()) if token else None
    if found is None:
        raise HTTPException(
            status_code=401,
            detail="Cần đăng nhập hoặc mã thiết bị hợp lệ"
            if token is None
            else "Mã truy cập không hợp lệ hoặc đã hết hạn",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return found


def allowed(action: Action) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """The one dependency that lets a caller into a route that needs a token: the caller,
    if `queue_server.policy` says they may do `action` (401 without a valid token; 403 for
    a role that may not, or a device bound to another counter than the path's `{number}`).

    Actions at a ticket's counter are scoped again inside the service's transaction, where
    that counter is known for sure (`policy.ensure_at_counter`).
    """

    async def check(request: Request, who: Annotated[Principal, Depends(principal)]) -> Principal:
        if not policy.may(who, action):
            raise policy.Forbidden()
        # Runs before the path is validated: a malformed number is the route's own 422.
        number = request.path_params.get("number")
        if isinstance(number, str) and number.isascii() and number.isdigit():
            policy.ensure_bound_to(who, action, int(number))
        return who

    check.action = action  # type: ignore[attr-defined]  # policy.action_of reads it
    return check


Queue = Annotated[QueueService, Depends(queue)]
# Any valid token: what every holder may read.
Caller = Annotated[Principal, Depends(allowed(Action.READ))]

TicketId = Annotated[int, Path(ge=1, le=MAX_ID, description="The ticket's id.", examples=[42])]
CounterNumber = Annotated[
    int, Path(ge=1, le=999, description="The counter's number.", examples=[3])
]
