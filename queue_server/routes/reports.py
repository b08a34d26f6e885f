"""Reports over HTTP: the JSON summary of one grouping, and the Excel workbook of all.

Both read history in a worker process (`queue_server.reports.ReportRunner`), never on the
event loop that serves the hall.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from queue_core.protocol import ReportBy, ReportSummary
from queue_core.report import Grouping, period
from queue_server.auth import Principal
from queue_server.policy import Action
from queue_server.reports import ReportRunner, summary_job, workbook_job
from queue_server.routes.deps import allowed, app_state

router = APIRouter(tags=["reports"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Reader = Annotated[Principal, Depends(allowed(Action.READ_REPORTS))]
# Long enough for any date and the error to say so; the period check says what is wrong.
From = Annotated[
    str, Query(alias="from", max_length=32, description="First day, YYYY-MM-DD (site's days).")
]
To = Annotated[str, Query(alias="to", max_length=32, description="Last day, YYYY-MM-DD, included.")]


def runner(request: Request) -> ReportRunner:
    found: ReportRunner = request.app.state.reports
    return found


@router.get(
    "/api/reports/summary",
    response_model=ReportSummary,
    response_model_by_alias=True,
    summary="A report's rows for one grouping, and their total",
    responses={422: {"description": "Khoảng ngày không hợp lệ, đảo ngược hoặc quá 366 ngày"}},
)
async def report_summary(
    who: Reader, request: Request, first: From, last: To, by: ReportBy = "service"
) -> ReportSummary:
    days = period(first, last)
    grouping = Grouping(by)
    return await runner(request).run(summary_job, *days, grouping)


@router.get(
    "/api/reports/export.xlsx",
    summary="The report as an Excel workbook: a cover sheet, then one sheet per grouping",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}, 422: {"description": "Khoảng ngày không hợp lệ"}},
)
async def report_export(who: Reader, request: Request, first: From, last: To) -> Response:
    days = period(first, last)
    return await export(request, *days)


async def export(request: Request, first: date, last: date) -> Response:
    """The workbook of `first` to `last` as a download (the reports page links to it too)."""
    made_at = app_state(request).clock.now()
    body = await runner(request).run(workbook_job, first, last, made_at)
    name = f"bao-cao-{first.isoformat()}-{last.isoformat()}.xlsx"
    return Response(
        body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
