"""The site, its services and counters, as the apps need them."""

from __future__ import annotations

from fastapi import APIRouter

from queue_core.protocol import CounterOut, RatingLevelOut, RatingScaleOut, ServiceOut, SiteOut
from queue_core.rating import QUESTION_VI, scale
from queue_server.routes.deps import Caller, CounterNumber, Queue
from queue_server.service import QueueService

router = APIRouter(tags=["site"])


@router.get(
    "/api/services", response_model=list[ServiceOut], summary="Services with live waiting counts"
)
async def services(queue: Queue, _: Caller) -> list[ServiceOut]:
    return queue.services()


@router.get(
    "/api/counters", response_model=list[CounterOut], summary="Counters and their current tickets"
)
async def counters(queue: Queue, _: Caller) -> list[CounterOut]:
    return queue.counters()


@router.get("/api/counters/{number}", response_model=CounterOut, summary="One counter")
async def counter(number: CounterNumber, queue: Queue, _: Caller) -> CounterOut:
    return queue.counter(number)


@router.get(
    "/api/rating-scale", response_model=RatingScaleOut, summary="The site's satisfaction scale"
)
async def rating_scale(queue: Queue, _: Caller) -> RatingScaleOut:
    site = queue.site.site
    return RatingScaleOut(
        size=site.rating_scale,
        question=QUESTION_VI,
        levels=[
            RatingLevelOut(score=lv.score, label=lv.label_vi, label_en=lv.label_en)
            for lv in scale(site.rating_scale)
        ],
        reasons=site.rating_reasons,
    )


@router.get("/api/site", response_model=SiteOut, summary="The centre, its services and counters")
async def site(queue: Queue, _: Caller) -> SiteOut:
    return describe(queue)


def describe(queue: QueueService) -> SiteOut:
    """The centre as `/api/site` shows it (and as the shipper sends it to the hub)."""
    config = queue.site.site
    return SiteOut(
        name=config.name,
        agency=config.agency,
        timezone=config.timezone,
        rating_scale=config.rating_scale,
        waiting_target_minutes=config.waiting_target_minutes,
        call_phrase=config.call_phrase,
        services=queue.services(),
        counters=queue.counters(),
    )
