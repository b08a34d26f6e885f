"""The citizen's satisfaction rating (đánh giá), one per completed ticket."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends

from queue_core.protocol import RatingOut, RatingRequest
from queue_server.auth import Principal
from queue_server.policy import Action
from queue_server.routes.deps import Queue, allowed

router = APIRouter(tags=["ratings"])


@router.post(
    "/api/ratings",
    response_model=RatingOut,
    status_code=201,
    summary="Rate a completed ticket",
    responses={
        409: {"description": "Đã đánh giá, hoặc số chưa phục vụ xong"},
        422: {"description": "Điểm ngoài thang"},
    },
)
async def rate(
    queue: Queue,
    who: Annotated[Principal, Depends(allowed(Action.RATE))],
    request: Annotated[
        RatingRequest,
        Body(openapi_examples={"hài lòng": {"value": {"ticket_id": 42, "score": 3}}}),
    ],
) -> RatingOut:
    return await queue.rate(request, who)
