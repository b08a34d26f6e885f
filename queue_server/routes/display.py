"""The web display board at `/display?token=…`, for smart TVs and any browser.

Plain HTML, CSS and JavaScript from `queue_server/static/display/` (no build
step): the page follows `/ws/events` itself and plays the server's voice. The
page needs a display token; its script, style and fonts are public, since they
hold nothing about the hall. Opened with no token or a wrong one, it answers
with a page a person at the TV can read (Vietnamese, English under it), not JSON.
"""

from __future__ import annotations

from html import escape
from importlib import resources
from importlib.resources.abc import Traversable
from string import Template

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from queue_server import policy
from queue_server.policy import Action
from queue_server.routes.deps import app_state

router = APIRouter(tags=["display"])

_ASSETS = {
    "display.js": "text/javascript; charset=utf-8",
    "display.css": "text/css; charset=utf-8",
}
_FONTS = ("Regular", "Medium", "SemiBold", "Bold", "ExtraBold")
_NO_STORE = {"Cache-Control": "no-cache"}

# Why the page was refused: (status, Vietnamese title and advice, English title and advice).
REFUSALS = {
    "missing": (
        401,
        "Thiếu mã thiết bị trong địa chỉ",
        "Hãy mở địa chỉ kèm mã của màn hình: http://MÁY-CHỦ:8000/display?token=MÃ. "
        "Quản trị viên tạo mã bằng lệnh motcua device add TÊN --kind display.",
        "The address has no device token",
        "Open the address with this board's token: http://SERVER:8000/display?token=TOKEN. "
        "An administrator makes one with motcua device add NAME --kind display.",
    ),
    "invalid": (
        401,
        "Mã thiết bị không hợp lệ, đã hết hạn hoặc đã bị thu hồi",
        "Xin báo quản trị viên cấp mã mới cho màn hình này và mở lại địa chỉ kèm mã mới.",
        "This device token is wrong, expired or revoked",
        "Ask an administrator for a new token for this board and open the address with it.",
    ),
    "forbidden": (
        403,
        "Mã này không dành cho màn hình gọi số",
        "Đây là mã của một thiết bị khác (ki-ốt, quầy…). Hãy dùng mã loại display.",
        "This token is not a display board's",
        "It belongs to another kind of device (a kiosk, a counter…): use a display token.",
    ),
}


def _static() -> Traversable:
    return resources.files("queue_server") / "static" / "display"


@router.get(
    "/display",
    response_class=HTMLResponse,
    summary="The web display board",
    responses={401: {"description": "No token or a wrong one: a page saying so"}},
)
async def page(request: Request) -> HTMLResponse:
    # The token stays in the address: the page's script reads it from there.
    token = request.query_params.get("token")
    if not token:
        return refusal("missing")
    state = app_state(request)
    who = state.tokens.holder(token, state.clock.now())
    if who is None:
        return refusal("invalid")
    # Checked here, not by `allowed()`: a TV shows a page a person can read, not JSON.
    if not policy.may(who, Action.VIEW_DISPLAY):
        return refusal("forbidden")
    return HTMLResponse((_static() / "index.html").read_text("utf-8"), headers=_NO_STORE)


def refusal(reason: str) -> HTMLResponse:
    """The page a TV shows instead of the board when its token will not do."""
    status, title_vi, advice_vi, title_en, advice_en = REFUSALS[reason]
    page = Template((_static() / "refused.html").read_text("utf-8")).substitute(
        reason=reason,
        title_vi=escape(title_vi),
        advice_vi=escape(advice_vi),
        title_en=escape(title_en),
        advice_en=escape(advice_en),
    )
    return HTMLResponse(page, status_code=status, headers=_NO_STORE)


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
