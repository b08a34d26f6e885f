"""The pages' templates (Jinja2, autoescaped), loaded on first use."""

from __future__ import annotations

import functools
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request

from queue_server.pages.i18n import LANGUAGES, SHARED_DOMAIN, Words, language_of

# The pages hold what a centre's staff read: never let a browser or a proxy keep it.
HEADERS = {"Cache-Control": "no-store"}


@functools.cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("queue_server.pages", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def page(
    request: Request,
    template: str,
    status_code: int = 200,
    *,
    domain: str = SHARED_DOMAIN,
    **context: Any,
) -> HTMLResponse:
    """`template` rendered in the person's language, with `_` and `ngettext` from `domain`."""
    words = Words(domain, language_of(request))
    html = (
        environment()
        .get_template(template)
        .render(
            _=words.gettext,
            ngettext=words.ngettext,
            lang=words.language,
            languages=LANGUAGES,
            here=request.url.path,
            **context,
        )
    )
    return HTMLResponse(html, status_code=status_code, headers=HEADERS)
