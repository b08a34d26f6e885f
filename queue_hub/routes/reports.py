"""Province reports for province staff: the centre summary's shape, across centres."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from queue_core.protocol import HubReportBy, HubReportSummary
from queue_hub import reports
from queue_hub.routes.deps import StaffCaller, Store

router = APIRouter(tags=["reports"])

Day = Annotated[str, Query(max_length=10, examples=["2026-11-01"])]


@router.get(
    "/api/hub/reports/summary",
    response_model=HubReportSummary,
    response_model_by_alias=True,
    summary="Province summary: rows grouped by centre, service, day or hour",
)
async def summary(
    _: StaffCaller,
    store: Store,
    first: Annotated[str, Query(alias="from", max_length=10, examples=["2026-11-01"])],
    to: Day,
    by: HubReportBy = "centre",
    centre: Annotated[str, Query(max_length=64)] = "all",
) -> HubReportSummary:
    return await run_in_threadpool(reports.summary, store, first, to, centre, by)
