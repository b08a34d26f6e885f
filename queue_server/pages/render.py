"""The pages' templates (Jinja2, autoescaped), loaded on first use."""

from __future__ import annotations

import functools
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

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


def page(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = environment().get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code, headers=HEADERS)
