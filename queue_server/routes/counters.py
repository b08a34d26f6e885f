"""What a clerk does at a counter (quầy)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request, Response

from queue_core.protocol import (
    CounterOut,
    OpenCounterRequest,
    PauseRequest,
    TicketOut,
    WalkInRequest,
)
from queue_server import policy
from queue_server.auth import Principal
from queue_server.policy import Action
from queue_server.routes.deps import CounterNumber, Queue, TicketId, allowed, app_state

router = APIRouter(tags=["counters"])


@router.post(
    "/api/counters/{number}/call-next",
    response_model=TicketOut,
    summary="Call the next citizen (gọi tiếp)",
    responses={
        204: {"description": "Không còn công dân chờ"},
        409: {"description": "Quầy tạm ngưng hoặc do cán bộ khác phụ trách"},
    },
)
async def call_next(
    number: CounterNumber,
    request: Request,
    who: Annotated[Principal, Depends(allowed(Action.CALL_NEXT))],
) -> Response:
    # A hot route: the guard is its one dependency, and the answer is its event's ticket,
    # serialized once, not validated again against the response model.
    called = await app_state(request).service.call_next_answer(number, who)
    if called is None:
        return Response(status_code=204)
    return Response(called.json, media_type="application/json")


@router.post(
    "/api/counters/{number}/recall", response_model=TicketOut, summary="Call again (gọi lại)"
)
async def recall(
    number: CounterNumber, queue: Queue, who: Annotated[Principal, Depends(allowed(Action.RECALL))]
) -> TicketOut:
    return await queue.recall(number, who)


@router.post(
    "/api/counters/{number}/call/{ticket_id}",
    response_model=TicketOut,
    summary="Call one chosen waiting ticket",
)
async def call_ticket(
    number: CounterNumber,
    ticket_id: TicketId,
    queue: Queue,
    who: Annotated[Principal, Depends(allowed(Action.CALL_TICKET))],
) -> TicketOut:
    return await queue.call_ticket(number, ticket_id, who)


@router.post(
    "/api/counters/{number}/walk-in",
    response_model=TicketOut,
    status_code=201,
    summary="Serve a citizen without a kiosk ticket (tiếp công dân không có số)",
)
async def walk_in(
    number: CounterNumber,
    queue: Queue,
    who: Annotated[Principal, Depends(allowed(Action.WALK_IN))],
    request: Annotated[
        WalkInRequest, Body(openapi_examples={"hộ tịch": {"value": {"service": "TP"}}})
    ],
) -> TicketOut:
    return await queue.walk_in(number, request.service, request.priority, who)


@router.post(
    "/api/counters/{number}/open", response_model=CounterOut, summary="Sign in at the counter"
)
async def open_counter(
    number: CounterNumber,
    queue: Queue,
    who: Annotated[Principal, Depends(allowed(Action.OPEN_COUNTER))],
    request: Annotated[OpenCounterRequest | None, Body()] = None,
) -> CounterOut:
    force = bool(request and request.force) and policy.may(who, Action.TAKE_OVER_COUNTER)
    return await queue.open_counter(number, who, force=force)


@router.post(
    "/api/counters/{number}/close", response_model=CounterOut, summary="Sign out of the counter"
)
async def close_counter(
    number: CounterNumber,
    queue: Queue,
    who: Annotated[Principal, Depends(allowed(Action.CLOSE_COUNTER))],
) -> CounterOut:
    return await queue.close_counter(number, who)


@router.post(
    "/api/counters/{number}/pause",
    response_model=CounterOut,
    summary="Pause with a reason (tạm ngưng)",
)
async def pause(
    number: CounterNumber,
    queue: Queue,
    who: Annotated[Principal, Depends(allowed(Action.PAUSE_COUNTER))],
    request: Annotated[
        PauseRequest, Body(openapi_examples={"họp": {"value": {"reason": "Họp giao ban"}}})
    ],
) -> CounterOut:
    return await queue.pause(number, request.reason, who)


@router.post(
    "/api/counters/{number}/resume", response_model=CounterOut, summary="Resume (tiếp tục)"
)
async def resume(
    number: CounterNumber,
    queue: Queue,
    who: Annotated[Principal, Depends(allowed(Action.PAUSE_COUNTER))],
) -> CounterOut:
    return await queue.resume(number, who)
