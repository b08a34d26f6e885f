"""Tickets: issue (lấy số), look up, and what the counters do with them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Header, Query, Request, Response

from queue_core.numbering import local_day
from queue_core.protocol import (
    FOLLOW_CODE_HEADER,
    IssueRequest,
    RequeueRequest,
    TicketOut,
    TransferRequest,
)
from queue_server.auth import Principal
from queue_server.policy import Action
from queue_server.routes.deps import Queue, State, TicketId, allowed, app_state

router = APIRouter(tags=["tickets"])

WAITING_LIST_DEFAULT = 100
WAITING_LIST_MAX = 500


_ISSUE_EXAMPLES = {
    "thường": {"summary": "Lấy số thường", "value": {"service": "TP"}},
    "ưu tiên": {
        "summary": "Người cao tuổi, người khuyết tật…",
        "value": {"service": "DD", "priority": True},
    },
}


@router.post(
    "/api/tickets",
    response_model=TicketOut,
    status_code=201,
    summary="Issue a number (lấy số)",
    response_description="The new ticket; its follow code (for the QR code, `/t/{code}`) "
    f"comes in the `{FOLLOW_CODE_HEADER}` header.",
    responses={
        201: {
            "headers": {
                FOLLOW_CODE_HEADER: {
                    "description": "The ticket's unguessable follow code: its QR code opens "
                    "/t/{code}.",
                    "schema": {"type": "string", "examples": ["q7Rk2mVx9aZc"]},
                }
            }
        },
        404: {"description": "Không có lĩnh vực này"},
        409: {"description": "Hết giờ lấy số, hoặc đã hết số hôm nay"},
    },
)
async def issue(
    http: Request,
    who: Annotated[Principal, Depends(allowed(Action.ISSUE_TICKET))],
    request: Annotated[IssueRequest, Body(openapi_examples=_ISSUE_EXAMPLES)],
    idempotency_key: Annotated[
        str | None,
        # An empty or blank key is refused: it would make every such request one request.
        Header(
            min_length=1,
            max_length=200,
            pattern=r"\S",
            description="Retrying with the same key returns the same ticket; a key is the "
            "sending device's or user's own.",
        ),
    ] = None,
) -> Response:
    # A hot route: the guard is its one dependency, and the answer is its event's ticket,
    # serialized once, not validated again against the response model.
    answer = await app_state(http).service.issue_answer(request, who, idempotency_key)
    headers = {FOLLOW_CODE_HEADER: answer.follow_code} if answer.follow_code else None
    return Response(answer.json, status_code=201, media_type="application/json", headers=headers)


@router.get(
    "/api/tickets",
    response_model=list[TicketOut],
    summary="Waiting tickets, in call order; or today's ticket with a printed number",
)
async def waiting(
    queue: Queue,
    state: State,
    _: Annotated[Principal, Depends(allowed(Action.READ))],
    counter: Annotated[
        int | None, Query(ge=1, le=999, description="Only what this counter may call.")
    ] = None,
    number: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=20,
            pattern=r"^[0-9A-Za-z]+$",
            description="Today's ticket printed with this number, whatever its status; "
            "an empty list when there is none.",
        ),
    ] = None,
    follow_code: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=32,
            pattern=r"^[A-Za-z0-9_-]+$",
            description="Today's ticket holding this follow code (its QR code, as a scanner at "
            "the kiosk reads it), whatever its status; an empty list when there is none.",
        ),
    ] = None,
    limit: Annotated[
        int,
        Query(
            ge=1,
            le=WAITING_LIST_MAX,
            description="At most this many, from the front: a clerk's list needs the next "
            "few, and its cost stays the same however long the queue.",
        ),
    ] = WAITING_LIST_DEFAULT,
) -> list[TicketOut]:
    if follow_code is not None:
        held = state.reader.ticket_by_follow_code(follow_code)
        today = local_day(state.clock.now(), queue.site.site.timezone)
        return [queue.ticket(held.id)] if held is not None and held.day == today else []
    if number is not None:
        return queue.tickets_by_number(number.upper())
    return queue.waiting(counter, limit)


@router.get("/api/tickets/{ticket_id}", response_model=TicketOut, summary="One ticket")
async def ticket(
    ticket_id: TicketId, queue: Queue, _: Annotated[Principal, Depends(allowed(Action.READ))]
) -> TicketOut:
    return queue.ticket(ticket_id)


@router.post(
    "/api/tickets/{ticket_id}/complete", response_model=TicketOut, summary="Complete (hoàn thành)"
)
async def complete(
    ticket_id: TicketId, queue: Queue, who: Annotated[Principal, Depends(allowed(Action.COMPLETE))]
) -> TicketOut:
    return await queue.complete(ticket_id, who)


@router.post(
    "/api/tickets/{ticket_id}/no-show", response_model=TicketOut, summary="No-show (vắng mặt)"
)
async def no_show(
    ticket_id: TicketId, queue: Queue, who: Annotated[Principal, Depends(allowed(Action.NO_SHOW))]
) -> TicketOut:
    return await queue.no_show(ticket_id, who)


@router.post(
    "/api/tickets/{ticket_id}/cancel", response_model=TicketOut, summary="Void a ticket (hủy số)"
)
async def cancel(
    ticket_id: TicketId, queue: Queue, who: Annotated[Principal, Depends(allowed(Action.CANCEL))]
) -> TicketOut:
    return await queue.cancel(ticket_id, who)


@router.post(
    "/api/tickets/{ticket_id}/transfer",
    response_model=TicketOut,
    summary="Transfer to a service or a counter (chuyển)",
)
async def transfer(
    ticket_id: TicketId,
    queue: Queue,
    who: Annotated[Principal, Depends(allowed(Action.TRANSFER))],
    request: Annotated[
        TransferRequest,
        Body(
            openapi_examples={
                "lĩnh vực": {"summary": "Sang lĩnh vực Đất đai", "value": {"service": "DD"}},
                "quầy": {"summary": "Sang quầy số 5", "value": {"counter": 5}},
            }
        ),
    ],
) -> TicketOut:
    return await queue.transfer(ticket_id, request, who)


@router.post(
    "/api/tickets/{ticket_id}/undo-no-show",
    response_model=TicketOut,
    summary="Take back a no-show (hoàn tác vắng mặt)",
    responses={
        409: {
            "description": "Không phải số vắng mặt, quầy khác, đã quá thời hạn hoàn tác, "
            "hoặc quầy đang phục vụ số khác"
        }
    },
)
async def undo_no_show(
    ticket_id: TicketId,
    queue: Queue,
    who: Annotated[Principal, Depends(allowed(Action.UNDO_NO_SHOW))],
) -> TicketOut:
    return await queue.undo_no_show(ticket_id, who)


@router.post(
    "/api/tickets/{ticket_id}/requeue",
    response_model=TicketOut,
    summary="Put a late citizen back in the queue (đưa vào lại hàng chờ)",
    responses={
        409: {
            "description": "Không phải số vắng mặt, số của ngày khác, "
            "hoặc quầy không phục vụ lĩnh vực này"
        }
    },
)
async def requeue(
    ticket_id: TicketId,
    queue: Queue,
    who: Annotated[Principal, Depends(allowed(Action.REQUEUE))],
    request: Annotated[
        RequeueRequest | None,
        Body(
            openapi_examples={
                "quầy của cán bộ": {"summary": "Quầy cán bộ đang mở", "value": {}},
                "quầy chỉ định": {"summary": "Từ quầy số 3", "value": {"counter": 3}},
            }
        ),
    ] = None,
) -> TicketOut:
    return await queue.requeue(ticket_id, request or RequeueRequest(), who)
