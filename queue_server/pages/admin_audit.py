"""The audit log on the admin pages: every change to the centre's configuration, its
staff and devices (who, when, from where, what, before → after), filtered by actor, kind
and days, paged, and exported as CSV with the same filters.

Days are the site's (a day runs from its local midnight); the log is read newest first
through the store, a page at a time.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from queue_core.numbering import local_day
from queue_server.pages.admin import Admin, admin_of, admin_page
from queue_server.pages.render import HEADERS
from queue_server.routes.deps import app_state
from queue_server.store import AuditEntry

router = APIRouter(include_in_schema=False)

PATH = "/admin/audit"
PAGE_SIZE = 50
CSV_MAX = 100_000
EARLIEST = date(2000, 1, 1)
CSV_COLUMNS = (
    "at",
    "actor",
    "source",
    "change_id",
    "kind",
    "subject",
    "setting",
    "before",
    "after",
    "description",
)


@dataclass(frozen=True, slots=True)
class Filters:
    actor: str | None
    kind: str | None
    first: date | None
    last: date | None
    page: int

    def query(self, **changes: object) -> str:
        values = {
            "actor": self.actor or "",
            "kind": self.kind or "",
            "from": self.first.isoformat() if self.first else "",
            "to": self.last.isoformat() if self.last else "",
            "page": self.page,
        } | changes
        return urlencode({k: v for k, v in values.items() if v not in ("", None, 1)})


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def filters_of(request: Request) -> Filters:
    params = request.query_params
    page = params.get("page", "1")
    return Filters(
        actor=params.get("actor", "")[:100] or None,
        kind=params.get("kind", "")[:100] or None,
        first=_day(params.get("from")),
        last=_day(params.get("to")),
        page=min(int(page), 100_000) if page.isdigit() and int(page) > 0 else 1,
    )


def _read(request: Request, filters: Filters, limit: int, offset: int) -> list[AuditEntry]:
    state = app_state(request)
    zone = ZoneInfo(state.service.site.site.timezone)
    today = local_day(state.clock.now(), state.service.site.site.timezone)
    first = datetime.combine(filters.first or EARLIEST, time(), zone)
    last = datetime.combine((filters.last or today) + timedelta(days=1), time(), zone)
    return state.reader.audit(
        first,
        last - timedelta(microseconds=1),
        limit,
        actor=filters.actor,
        kind=filters.kind,
        offset=offset,
    )


def shown(value: object) -> str:
    """A before/after value as a person reads it: text as is, the rest as JSON."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


@router.get(PATH)
async def audit_page(request: Request) -> Response:
    admin = admin_of(request, PATH)
    if not isinstance(admin, Admin):
        return admin
    filters = filters_of(request)
    # One more than a page: whether there is a next one.
    entries = _read(request, filters, PAGE_SIZE + 1, (filters.page - 1) * PAGE_SIZE)
    actors, kinds = app_state(request).reader.audit_facets()
    return admin_page(
        request,
        admin,
        "admin_audit.html",
        PATH,
        entries=entries[:PAGE_SIZE],
        more=len(entries) > PAGE_SIZE,
        filters=filters,
        actors=actors,
        kinds=kinds,
        local=app_state(request).service.views.local,
        shown=shown,
        errors=[],
        done=None,
    )


@router.get(f"{PATH}.csv")
async def audit_csv(request: Request) -> Response:
    admin = admin_of(request, PATH)
    if not isinstance(admin, Admin):
        return admin
    filters = filters_of(request)
    local = app_state(request).service.views.local
    out = io.StringIO()
    # A byte-order mark: Excel then reads the Vietnamese letters as UTF-8.
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in _read(request, filters, CSV_MAX, 0):
        writer.writerow(
            [
                local(e.at).isoformat(),
                e.actor,
                e.source,
                e.change_id,
                e.kind,
                e.subject,
                e.setting or "",
                json.dumps(e.before, ensure_ascii=False),
                json.dumps(e.after, ensure_ascii=False),
                e.description,
            ]
        )
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            **HEADERS,
            "Content-Disposition": 'attachment; filename="motcua-audit.csv"',
        },
    )
