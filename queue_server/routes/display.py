"""The web display board at `/display?token=…`, for smart TVs and any browser.

Plain HTML, CSS and JavaScript from `queue_server/static/display/` (no build
step): the page follows `/ws/events` itself and plays the server's voice. The
page needs a display token; its script, style and fonts are public, since they
hold nothing about the hall.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import HTMLResponse, Response

from queue_server.auth import Principal
from queue_server.policy import Action
from queue_server.routes.deps import allowed

router = APIRouter(tags=["display"])

_ASSETS = {
    "display.js": "text/javascript; charset=utf-8",
    "display.css": "text/css; charset=utf-8",
}
_FONTS = ("Regular", "Medium", "SemiBold", "Bold", "ExtraBold")
_NO_STORE = {"Cache-Control": "no-cache"}

DisplayViewer = Annotated[Principal, Depends(allowed(Action.VIEW_DISPLAY))]


def _static() -> Traversable:
    return resources.files("queue_server") / "static" / "display"


@router.get("/display", response_class=HTMLResponse, summary="The web display board")
async def page(_: DisplayViewer) -> HTMLResponse:
    # The token stays in the address: the page's script reads it from there.
    return HTMLResponse((_static() / "index.html").read_text("utf-8"), headers=_NO_STORE)


@router.get("/display/{name}", include_in_schema=False)
async def asset(name: str) -> Response:
    if name not in _ASSETS:
        raise HTTPException(status_code=404, detail="Không có tệp này")
    return Response((_static() / name).read_bytes(), media_type=_ASSETS[name], headers=_NO_STORE)


@router.get("/display/fonts/{name}", include_in_schema=False)
async def font(name: str) -> Response:
    weights = {f"BeVietnamPro-{weight}.ttf" for weight in _FONTS}
    if name not in weights:
        raise HTTPException(status_code=404, detail="Không có phông chữ này")
    files = resources.files("fontpkg_be_vietnam_pro") / "files"
    return Response(
        (files / name).read_bytes(),
        media_type="font/ttf",
        headers={"Cache-Control": "public, max-age=604800"},
    )
