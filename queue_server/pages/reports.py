"""The reports page, `/reports`: a date range, the tables, three charts, and the
workbook's link; it prints on A4 as the monthly report a centre sends up.

Signed-in supervisors and administrators see it (a bearer token works too, for tools);
a page opened without a session shows the sign-in form. The figures are the API's
(`queue_server.reports`), read once for every table and chart of the page, in the
reports' worker process.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from queue_core.errors import InvalidRequest
from queue_core.numbering import local_day
from queue_core.protocol import ReportRow, ReportSummary
from queue_core.rating import scale as rating_scale
from queue_core.report import Grouping, one_decimal, period
from queue_server import policy
from queue_server.auth import Principal
from queue_server.pages.i18n import Words, language_of
from queue_server.pages.refusal import refused_page, signed_in_as
from queue_server.pages.render import page
from queue_server.pages.session import PageSession, who_is_on_page
from queue_server.pages.sign_in import PAGES, centre_name, sign_in_form
from queue_server.policy import Action
from queue_server.reports import PageFigures, page_job
from queue_server.routes.deps import app_state
from queue_server.routes.reports import export, runner

router = APIRouter(include_in_schema=False)

PATH = "/reports"
TITLE = PAGES[PATH]
DOMAIN = "reports"


def _words(request: Request) -> Words:
    return Words(DOMAIN, language_of(request))


def _refused(request: Request, session: PageSession | None, who: Principal) -> Response:
    _ = _words(request).gettext
    return refused_page(
        request,
        _("This account may not read the reports (supervisors and administrators only)"),
        title=_(TITLE),
        domain=DOMAIN,
        who=who,
        session=session,
    )


def _this_month(request: Request) -> tuple[date, date]:
    state = app_state(request)
    today = local_day(state.clock.now(), state.service.site.site.timezone)
    return today.replace(day=1), today


def _period(request: Request) -> tuple[date, date]:
    first, last = request.query_params.get("from"), request.query_params.get("to")
    if first is None and last is None:
        return _this_month(request)
    return period((first or "")[:32], (last or "")[:32])


def vn(value: object) -> str:
    """A figure as a Vietnamese reader writes it: 12,5 (a decimal comma), — for nothing."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def en(value: object) -> str:
    """A figure as an English reader writes it: 12.5, — for nothing."""
    if isinstance(value, float):
        return f"{value:.1f}"
    return vn(value)


def _share(part: int, whole: int) -> float | None:
    return one_decimal(part * 100 / whole) if whole else None


def _satisfaction_rows(report: ReportSummary) -> list[dict[str, Any]]:
    """The province's form: each level's count and its share of all ratings."""
    rows = []
    for row in [*report.rows, report.total]:
        rated = sum(row.ratings.values())
        rows.append(
            {
                "label": row.label,
                "rated": rated,
                "levels": [(n, _share(n, rated)) for n in row.ratings.values()],
                "satisfaction_pct": row.satisfaction_pct,
                "total": row is report.total,
            }
        )
    return rows


def _dissatisfied_pct(row: ReportRow) -> float | None:
    return None if row.satisfaction_pct is None else one_decimal(100 - row.satisfaction_pct)


def _english_levels(request: Request) -> list[str]:
    size = app_state(request).service.site.site.rating_scale
    return [level.label_en for level in rating_scale(size)]


def _charts(reports: dict[Grouping, ReportSummary], words: Words) -> dict[str, Any]:
    _ = words.gettext
    hours = reports[Grouping.HOUR].rows
    days = reports[Grouping.DAY].rows
    counters = reports[Grouping.COUNTER].rows
    return {
        "hours": {
            "labels": [f"{int(str(r.key)):02d}h" for r in hours],
            "wait_avg": [r.wait_avg_minutes for r in hours],
            "wait_p90": [r.wait_p90_minutes for r in hours],
        },
        "days": {
            "labels": [str(r.label)[:5] for r in days],
            "issued": [r.issued for r in days],
            "served": [r.served for r in days],
        },
        "counters": {
            "labels": [r.label for r in counters],
            "satisfaction": [r.satisfaction_pct for r in counters],
        },
        "words": {
            "average": _("Average"),
            "issued": _("Issued"),
            "served": _("Served"),
            "satisfaction": _("Satisfaction (%)"),
        },
    }


@router.get(PATH)
async def reports_page(request: Request) -> Response:
    who, session = who_is_on_page(request)
    if who is None:
        return sign_in_form(request, f"{PATH}?{request.url.query}")
    if not policy.may(who, Action.READ_REPORTS):
        return _refused(request, session, who)
    words = _words(request)
    _ = words.gettext
    context: dict[str, Any] = {
        "centre": centre_name(request),
        "page_title": _(TITLE),
        "signed_in": signed_in_as(who, session),
        "vn": vn if words.language == "vi" else en,
        "error": None,
    }
    try:
        first, last = _period(request)
    except InvalidRequest as exc:
        first, last = _this_month(request)
        context["error"] = exc.message
    figures: PageFigures = await runner(request).run(page_job, first, last)
    reports = figures.reports
    context.update(
        first=first,
        last=last,
        period_label=_("From {first} to {last}").format(
            first=f"{first:%d/%m/%Y}", last=f"{last:%d/%m/%Y}"
        ),
        made_at=f"{app_state(request).clock.now():%d/%m/%Y}",
        levels=figures.levels if words.language == "vi" else _english_levels(request),
        reports=reports,
        Grouping=Grouping,
        satisfaction=_satisfaction_rows(reports[Grouping.SERVICE]),
        dissatisfied_pct=_dissatisfied_pct,
        charts=_charts(reports, words),
        target_minutes=figures.target_minutes,
    )
    return page(request, "reports.html", 422 if context["error"] else 200, domain=DOMAIN, **context)


@router.get(f"{PATH}/export.xlsx")
async def reports_workbook(request: Request) -> Response:
    """The page's "Tải Excel" link: the API's workbook, for the signed-in person."""
    who, session = who_is_on_page(request)
    if who is None:
        return sign_in_form(request, PATH, status_code=401)
    if not policy.may(who, Action.READ_REPORTS):
        return _refused(request, session, who)
    try:
        first, last = _period(request)
    except InvalidRequest as exc:
        return refused_page(
            request,
            exc.message,
            title=_words(request).gettext(TITLE),
            domain=DOMAIN,
            status_code=422,
        )
    return await export(request, first, last)
