"""What every route may depend on: the service, the caller, and role checks."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from queue_server.auth import Principal, Role, authenticate
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
    found = authenticate(state.reader, token, state.clock.now()) if token else None
    if found is None:
        raise HTTPException(
            status_code=401,
            detail="Cần đăng nhập hoặc mã thiết bị hợp lệ"
            if token is None
            else "Mã truy cập không hợp lệ hoặc đã hết hạn",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return found


def require(*roles: Role) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency admitting only callers with one of `roles`."""

    async def check(who: Annotated[Principal, Depends(principal)]) -> Principal:
        if who.role not in roles:
            raise HTTPException(
                status_code=403, detail="Tài khoản này không có quyền thực hiện thao tác này"
            )
        return who

    return check


Caller = Annotated[Principal, Depends(principal)]
Queue = Annotated[QueueService, Depends(queue)]
Staff = Annotated[Principal, Depends(require(Role.ADMIN, Role.SUPERVISOR, Role.CLERK))]
CounterStaff = Annotated[
    Principal, Depends(require(Role.ADMIN, Role.SUPERVISOR, Role.CLERK, Role.COUNTER))
]
Supervisor = Annotated[Principal, Depends(require(Role.ADMIN, Role.SUPERVISOR))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
Issuer = Annotated[Principal, Depends(require(Role.KIOSK, Role.ADMIN, Role.SUPERVISOR, Role.CLERK))]
Rater = Annotated[Principal, Depends(require(Role.RATING, Role.KIOSK))]
Device = Annotated[Principal, Depends(require(Role.KIOSK, Role.DISPLAY, Role.COUNTER, Role.RATING))]

TicketId = Annotated[int, Path(ge=1, le=MAX_ID, description="The ticket's id.", examples=[42])]
CounterNumber = Annotated[
    int, Path(ge=1, le=999, description="The counter's number.", examples=[3])
]
