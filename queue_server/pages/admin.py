"""The `/admin` pages' common ground: who may open them, their forms' CSRF check, the
audit log's actor, and the frame every admin page is drawn in.

Administrators alone (`Action.ADMINISTER`); a clerk's or a supervisor's session gets a
403 page, nobody the sign-in form. Every POST form carries the session's CSRF token and
comes from this site's pages; a tool holding an administrator's bearer token needs no
CSRF token, since a browser never sends that header on its own. Every change is made
through the writer and recorded in the audit log under `web:<username>`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from queue_server import policy
from queue_server.auth import Principal
from queue_server.pages.i18n import N_, Words, language_of
from queue_server.pages.refusal import refused_page, signed_in_as
from queue_server.pages.render import page
from queue_server.pages.session import PageSession, csrf_matches, same_site, who_is_on_page
from queue_server.pages.sign_in import PAGES, centre_name, sign_in_form
from queue_server.policy import Action
from queue_server.store import AuditEntry, Store

DOMAIN = "admin"
SOURCE = "admin"  # the audit log's `source` of a change made on these pages
MAX_FORM_FIELDS = 64
MAX_FIELD_CHARS = 2000


SECTIONS = (
    ("/admin", N_("Services and counters")),
    ("/admin/settings", N_("Hours and settings")),
    ("/admin/staff", N_("Staff")),
    ("/admin/devices", N_("Devices")),
    ("/admin/audit", N_("Audit log")),
    ("/admin/site", N_("Import and export")),
)
TITLE = PAGES["/admin"]


def words(request: Request) -> Words:
    return Words(DOMAIN, language_of(request))


@dataclass(frozen=True, slots=True)
class Admin:
    """The administrator a page is for."""

    who: Principal
    session: PageSession | None

    @property
    def actor(self) -> str:
        """Who the audit log names: a person on the web pages."""
        return f"web:{self.who.subject}"

    @property
    def signed_in(self) -> dict[str, str] | None:
        return signed_in_as(self.who, self.session)

    @property
    def csrf(self) -> str:
        return self.session.csrf if self.session is not None else ""


def refused(request: Request, message: str, status_code: int = 403) -> HTMLResponse:
    who, session = who_is_on_page(request)
    return refused_page(
        request,
        message,
        title=words(request).gettext(TITLE),
        domain=DOMAIN,
        status_code=status_code,
        who=who,
        session=session,
    )


def admin_of(request: Request, back_to: str) -> Admin | Response:
    """The administrator on this page, or the answer for anyone else: the sign-in form
    (no session), a 403 page (a session of another role)."""
    who, session = who_is_on_page(request)
    if who is None:
        status = 200 if request.method == "GET" else 401
        return sign_in_form(request, back_to, status_code=status)
    if not policy.may(who, Action.ADMINISTER):
        _ = words(request).gettext
        return refused(request, _("Only an administrator may open the administration pages"))
    return Admin(who, session)


def form_refused(request: Request, admin: Admin, form: Mapping[str, Any]) -> Response | None:
    """None when a POSTed form is genuine: this site's page, the session's CSRF token."""
    if admin.session is None:
        return None  # a bearer token: no browser sends it by itself
    sent = form.get("csrf")
    if same_site(request) and csrf_matches(sent if isinstance(sent, str) else None, admin.csrf):
        return None
    _ = words(request).gettext
    return refused(
        request, _("The form has expired or did not come from this site; open the page again")
    )


def fields(form: FormData) -> dict[str, str]:
    """A form's text fields, each cut to a sane length (the last of a repeated name)."""
    return {
        name: value[:MAX_FIELD_CHARS]
        for name, value in form.multi_items()
        if isinstance(value, str)
    }


async def read_form(request: Request, admin: Admin) -> dict[str, str] | Response:
    """The POSTed form's fields, or the refusal of a forged one."""
    async with request.form(max_files=0, max_fields=MAX_FORM_FIELDS) as form:
        found = fields(form)
    return form_refused(request, admin, found) or found


def admin_page(
    request: Request,
    admin: Admin,
    template: str,
    section: str,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """An admin page drawn in the common frame (the sections' menu, the signed-in bar)."""
    return page(
        request,
        template,
        status_code,
        domain=DOMAIN,
        centre=centre_name(request),
        page_title=words(request).gettext(TITLE),
        signed_in=admin.signed_in,
        csrf=admin.csrf,
        sections=SECTIONS,
        section=section,
        **context,
    )


def record(
    store: Store,
    admin: Admin,
    at: datetime,
    kind: str,
    subject: str,
    before: object,
    after: object,
    vi: str,
    en: str,
    setting: str | None = None,
) -> None:
    """One change made on these pages, in the audit log (inside the change's transaction),
    described as the site's changes are: "Vietnamese / English"."""
    store.record_audit(
        [
            AuditEntry(
                at,
                admin.actor,
                SOURCE,
                uuid.uuid4().hex,
                kind,
                subject,
                setting,
                before,
                after,
                f"{vi} / {en}",
            )
        ]
    )
