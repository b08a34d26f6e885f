"""The site on the admin pages: services and counters, hours and holidays, the site's
settings, and the whole site as TOML (export, import).

Every form goes the way `motcua site apply` goes: the stored site plus the form's change
makes a new site (`admin_forms`), validated as the file is; "preview" shows the planner's
lines (`site_update.plan_site`), "apply" stores it in the writer's transaction
(`site_update.apply_site`) and takes it live at once (`QueueService.take_site`:
`site.updated` on every stream). A refused change shows its reasons and changes nothing.
The preview carries the new site as TOML in the confirming form, and applying plans it
again inside the transaction: what was previewed is what is judged, against the tickets
of that very moment.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from queue_core.errors import InvalidSiteConfig, SiteChangeRefused
from queue_core.site import SiteConfig, parse_site
from queue_core.site_change import SiteChange
from queue_server.pages.admin import (
    MAX_FIELD_CHARS,
    Admin,
    admin_of,
    admin_page,
    fields,
    form_refused,
    read_form,
    words,
)
from queue_server.pages.admin_forms import (
    CLOSED,
    LABELS,
    WEEKDAYS,
    FormErrors,
    changed_site,
    shown_dates,
)
from queue_server.pages.i18n import N_
from queue_server.pages.render import HEADERS
from queue_server.routes.deps import app_state
from queue_server.site_update import apply_site, plan_site, site_toml
from queue_server.store import Store
from queue_server.writer import Outcome

router = APIRouter(include_in_schema=False)

PREVIEW_HEADING = N_("Preview of the change")  # admin_preview.html's title
MAX_SITE_BYTES = 256 * 1024  # a province's template of a large centre is a few dozen KiB


def _current(request: Request) -> SiteConfig:
    return app_state(request).service.site


# --- pages ---------------------------------------------------------------------------------


def _site_page(
    request: Request,
    admin: Admin,
    status_code: int = 200,
    errors: list[str] | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    site = _current(request)
    service_code = request.query_params.get("service", "")[:16]
    counter_number = request.query_params.get("counter", "")[:4]
    editing_service = next((s for s in site.services if s.code == service_code), None)
    editing_counter = next((c for c in site.counters if str(c.number) == counter_number), None)
    board_name = request.query_params.get("board", "")[:60]
    editing_board = next((b for b in site.boards if b.name == board_name), None)
    return admin_page(
        request,
        admin,
        "admin_site.html",
        "/admin",
        status_code,
        site=site,
        waiting={s.code: s.waiting for s in app_state(request).service.services()},
        editing_service=editing_service,
        editing_counter=editing_counter,
        editing_board=editing_board,
        errors=errors or [],
        form=form or {},
        done=request.query_params.get("done"),
    )


def _settings_page(
    request: Request,
    admin: Admin,
    status_code: int = 200,
    errors: list[str] | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    site = _current(request)
    hours = site.site.hours
    days: dict[str, str] = {}
    if hours is not None:
        for day in WEEKDAYS:
            windows = getattr(hours, day)
            days[day] = "" if windows is None else (", ".join(windows) or CLOSED)
    return admin_page(
        request,
        admin,
        "admin_settings.html",
        "/admin/settings",
        status_code,
        site=site,
        weekdays=WEEKDAYS,
        labels=LABELS,
        days=days,
        default_hours=", ".join(hours.default) if hours else "",
        closed_dates=shown_dates(hours.closed_dates) if hours else "",
        working_dates=shown_dates(hours.working_dates) if hours else "",
        errors=errors or [],
        form=form or {},
        done=request.query_params.get("done"),
    )


@router.get("/admin")
async def site_page(request: Request) -> Response:
    admin = admin_of(request, "/admin")
    if not isinstance(admin, Admin):
        return admin
    return _site_page(request, admin)


@router.get("/admin/settings")
async def settings_page(request: Request) -> Response:
    admin = admin_of(request, "/admin/settings")
    if not isinstance(admin, Admin):
        return admin
    return _settings_page(request, admin)


@router.get("/admin/site")
async def transfer_page(request: Request) -> Response:
    admin = admin_of(request, "/admin/site")
    if not isinstance(admin, Admin):
        return admin
    return admin_page(request, admin, "admin_transfer.html", "/admin/site", errors=[], done=None)


# --- preview and apply ---------------------------------------------------------------------


def _preview(request: Request, admin: Admin, new: SiteConfig, back: str) -> Response:
    """The planner's lines for `new`, with the form that applies it; or the refusal."""
    reader = app_state(request).reader
    now = app_state(request).clock.now()
    try:
        with reader.read_transaction():
            changes = plan_site(reader, new, now)
    except SiteChangeRefused as exc:
        return _refusal(request, admin, exc, back)
    return admin_page(
        request,
        admin,
        "admin_preview.html",
        back,
        changes=[_line(request, c) for c in changes],
        toml=site_toml(new),
        back=back,
    )


def _line(request: Request, change: SiteChange) -> str:
    return change.vi if words(request).language == "vi" else change.en


def _refusal(request: Request, admin: Admin, exc: SiteChangeRefused, back: str) -> Response:
    return admin_page(
        request,
        admin,
        "admin_preview.html",
        back,
        409,
        refused=exc.reasons,
        changes=[],
        toml="",
        back=back,
    )


def _back(form: dict[str, str]) -> str:
    back = form.get("back", "/admin")
    return back if back in ("/admin", "/admin/settings", "/admin/site") else "/admin"


def _form_page(
    request: Request, admin: Admin, back: str, errors: list[str], form: dict[str, str]
) -> Response:
    if back == "/admin/settings":
        return _settings_page(request, admin, 422, errors, form)
    if back == "/admin/site":
        return admin_page(
            request, admin, "admin_transfer.html", back, 422, errors=errors, done=None
        )
    return _site_page(request, admin, 422, errors, form)


@router.post("/admin/site/preview")
async def preview(request: Request) -> Response:
    admin = admin_of(request, "/admin")
    if not isinstance(admin, Admin):
        return admin
    form = await read_form(request, admin)
    if not isinstance(form, dict):
        return form
    back = _back(form)
    try:
        new = changed_site(_current(request), form, words(request).gettext)
    except FormErrors as exc:
        return _form_page(request, admin, back, exc.lines, form)
    return _preview(request, admin, new, back)


@router.post("/admin/site/apply")
async def apply(request: Request) -> Response:
    admin = admin_of(request, "/admin")
    if not isinstance(admin, Admin):
        return admin
    async with request.form(max_files=0, max_fields=8, max_part_size=MAX_SITE_BYTES) as raw:
        form = {name: value for name, value in raw.multi_items() if isinstance(value, str)}
    refused = form_refused(request, admin, form)
    if refused is not None:
        return refused
    back = _back({"back": form.get("back", "")[:MAX_FIELD_CHARS]})
    try:
        new = parse_site(form.get("toml", ""))
    except InvalidSiteConfig as exc:
        return _form_page(request, admin, back, exc.problems, {})
    state = app_state(request)
    now = state.clock.now()

    def command(store: Store) -> Outcome[list[SiteChange]]:
        changes = apply_site(store, new, now, admin.actor, "admin")
        if not changes:
            return Outcome(changes)
        taken = state.service.take_site(store)
        return taken.returning(changes)

    try:
        changes = await state.writer.run(command)
    except SiteChangeRefused as exc:
        return _refusal(request, admin, exc, back)
    return RedirectResponse(f"{back}?done={len(changes)}", status_code=303)


# --- the whole site as TOML ----------------------------------------------------------------


@router.get("/admin/site/export.toml")
async def export(request: Request) -> Response:
    admin = admin_of(request, "/admin/site")
    if not isinstance(admin, Admin):
        return admin
    state = app_state(request)
    now = state.clock.now()
    text = (
        f"# motcua: {_current(request).site.name}, {now:%Y-%m-%d %H:%M %Z}.\n"
        "# `motcua site apply FILE --data-dir DIR` takes it back (docs/configuration.md).\n\n"
        + site_toml(_current(request))
    )
    return PlainTextResponse(
        text,
        media_type="application/toml; charset=utf-8",
        headers={
            **HEADERS,
            "Content-Disposition": f'attachment; filename="motcua-site-{now:%Y%m%d}.toml"',
        },
    )


@router.post("/admin/site/import")
async def import_site(request: Request) -> Response:
    admin = admin_of(request, "/admin/site")
    if not isinstance(admin, Admin):
        return admin
    _ = words(request).gettext
    async with request.form(max_files=1, max_fields=8, max_part_size=MAX_SITE_BYTES) as raw:
        form = fields(raw)
        pasted = raw.get("toml")
        upload: Any = raw.get("file")
        data = await upload.read(MAX_SITE_BYTES + 1) if hasattr(upload, "read") else b""
    refused = form_refused(request, admin, form)
    if refused is not None:
        return refused
    text = pasted if isinstance(pasted, str) else ""
    if len(data) > MAX_SITE_BYTES:
        return _form_page(request, admin, "/admin/site", [_("The file is too large")], {})
    if data:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _form_page(request, admin, "/admin/site", [_("The file is not UTF-8 text")], {})
    if not text.strip():
        return _form_page(request, admin, "/admin/site", [_("Choose a site file")], {})
    try:
        new = parse_site(text)
    except InvalidSiteConfig as exc:
        return _form_page(request, admin, "/admin/site", exc.problems, {})
    return _preview(request, admin, new, "/admin/site")
