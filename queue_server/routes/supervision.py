"""A supervisor's orders for the day (issue #14): a counter sent to help another
service, a service's issuing closed early. Moving a waiting ticket to the front of its
line is a transfer to its own service (`POST /api/tickets/{id}/transfer`). The live
page (`/supervisor`) gives the same orders through `queue_server.pages.supervisor`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from queue_core.protocol import CounterOut, HelpRequest, ServiceOut
from queue_server.auth import Principal
from queue_server.policy import Action
from queue_server.routes.deps import CounterNumber, Queue, allowed

router = APIRouter(tags=["supervision"])

ServiceCode = Annotated[
    str, Path(min_length=1, max_length=32, description="The service's code.", examples=["TP"])
]


@router.post(
    "/api/counters/{number}/help",
    response_model=CounterOut,
    summary="Send a counter to help another service for the rest of today",
)
async def send_to_help(
    number: CounterNumber,
    body: HelpRequest,
    queue: Queue,
    who: Annotated[Principal, Depends(allowed(Action.HELP_SERVICE))],
) -> CounterOut:
    return await queue.send_to_help(number, body.service, who)


@router.post(
    "/api/counters/{number}/end-help",
    response_model=CounterOut,
    summary="Send a counter back to its own services",
)
async def end_help(
    number: CounterNumber,
    queue: Queue,
    who: Annotated[Principal, Depends(allowed(Action.HELP_SERVICE))],
) -> CounterOut:
    return await queue.end_help(number, who)


@router.post(
    "/api/services/{code}/close-today",
    response_model=ServiceOut,
    summary="Stop issuing a service's numbers for the rest of today",
)
async def close_today(
    code: ServiceCode,
    queue: Queue,
    who: Annotated[Principal, Depends(allowed(Action.CLOSE_ISSUING))],
) -> ServiceOut:
    return await queue.close_issuing(code, who)


@router.post(
    "/api/services/{code}/reopen",
    response_model=ServiceOut,
    summary="Issue a service's numbers again today",
)
async def reopen(
    code: ServiceCode,
    queue: Queue,
    who: Annotated[Principal, Depends(allowed(Action.CLOSE_ISSUING))],
) -> ServiceOut:
    return await queue.reopen_issuing(code, who)
