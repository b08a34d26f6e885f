"""Today's figures at a counter, for the clerk's desk (served, service time, ratings)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from queue_core.numbering import local_day
from queue_core.protocol import CounterStatsOut
from queue_core.rating import scale
from queue_server.auth import Principal
from queue_server.policy import Action
from queue_server.routes.deps import CounterNumber, Queue, allowed, app_state

router = APIRouter(tags=["counters"])


@router.get(
    "/api/counters/{number}/stats",
    response_model=CounterStatsOut,
    summary="Today's figures at the counter (the calling clerk's own work)",
)
async def counter_stats(
    number: CounterNumber,
    queue: Queue,
    who: Annotated[Principal, Depends(allowed(Action.COUNTER_STATS))],
    request: Request,
) -> CounterStatsOut:
    queue.require_counter(number)
    state = app_state(request)
    day = local_day(state.clock.now(), queue.site.site.timezone)
    figures = state.reader.counter_day(number, day, who.clerk)
    counts, mean_s, ratings = figures.counts, figures.mean_service_s, figures.ratings
    satisfied = sum(1 for score, size in ratings if _satisfied(score, size))
    return CounterStatsOut(
        counter=number,
        clerk=who.clerk,
        day=day.isoformat(),
        served=counts.get("done", 0),
        no_shows=counts.get("no_show", 0),
        average_service_s=round(mean_s, 1) if mean_s is not None else None,
        ratings=len(ratings),
        satisfied=satisfied,
        satisfaction_rate=satisfied / len(ratings) if ratings else None,
    )


def _satisfied(score: int, size: int) -> bool:
    try:
        return scale(size)[score - 1].satisfied
    except (KeyError, IndexError):  # a rating stored under a scale this build does not know
        return True
