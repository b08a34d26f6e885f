"""The public "follow my ticket" page at `/t/{code}`, the address in a ticket's QR code.

A phone on the hall's network opens it without a token: it shows the number, the service,
where the ticket stands and how long the wait may be, and refreshes itself. Once the ticket
was served it offers the site's satisfaction scale, once: the ticket's unguessable follow
code is the citizen's credential, so the form is plain HTML (no script, no cookie, no
token). A ticket names nobody, so the page holds nothing personal.

QR codes printed before follow codes existed open `/t/{id}`: today's still show where the
ticket stands, read-only, and never offer the form (issue #11).
"""

from __future__ import annotations

import re
from html import escape
from typing import Annotated
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from queue_core.errors import AlreadyRated, InvalidRequest, NotFound, QueueError
from queue_core.model import TicketStatus
from queue_core.protocol import MAX_ID, TicketOut
from queue_core.rating import QUESTION_VI, scale
from queue_server.routes.deps import Queue

router = APIRouter(tags=["follow"])

REFRESH_S = 20
# A rating form sends "score=N": anything much longer is not from this page.
MAX_FORM_BYTES = 256

# Anything else in the address (a mistyped or damaged QR code) is the same Vietnamese
# "not found" page, never a JSON validation error on a citizen's phone.
_REF = re.compile(r"[A-Za-z0-9_-]{1,32}")

FollowRef = Annotated[
    str,
    Path(
        description="The ticket's follow code (printed in its QR code); a bare number is the "
        "ticket id of an older QR code, read-only and for today's tickets only.",
        examples=["q7Rk2mVx9aZc"],
    ),
]

_STATUS = {
    TicketStatus.WAITING: "Đang chờ đến lượt",
    TicketStatus.CALLED: "Đến lượt Ông/Bà",
    TicketStatus.DONE: "Đã phục vụ xong",
    TicketStatus.NO_SHOW: "Đã qua lượt (vắng mặt khi gọi số)",
    TicketStatus.CANCELLED: "Số đã bị hủy",
    TicketStatus.EXPIRED: "Số đã hết hiệu lực",
}
_FINAL = {TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.CANCELLED, TicketStatus.EXPIRED}

_HEADERS = {
    "Cache-Control": "no-store",
    # The code in the address is the credential: never send it to another site as a
    # Referer. Not "no-referrer": under it browsers post the form with `Origin: null`.
    "Referrer-Policy": "same-origin",
}

_PAGE = """<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{refresh_meta}<meta name="robots" content="noindex">
<title>{title}</title>
<style>
@font-face {{ font-family: "Be Vietnam Pro"; font-weight: 400;
  src: url("/display/fonts/BeVietnamPro-Regular.ttf"); }}
@font-face {{ font-family: "Be Vietnam Pro"; font-weight: 800;
  src: url("/display/fonts/BeVietnamPro-ExtraBold.ttf"); }}
body {{ margin: 0; font-family: "Be Vietnam Pro", system-ui, sans-serif; background: #eef2f7;
  color: #1d2733; text-align: center; }}
header {{ background: #0b4f9c; color: white; padding: 14px; font-size: 1.05rem; }}
main {{ max-width: 28rem; margin: 1.5rem auto; background: white; border-radius: 16px;
  padding: 1.5rem 1rem; }}
.caption {{ letter-spacing: 0.15em; color: #5b6776; font-weight: 800; }}
.number {{ font-size: 5rem; font-weight: 800; color: #0b4f9c; line-height: 1.1; }}
.service {{ font-size: 1.3rem; }}
.status {{ font-size: 1.5rem; font-weight: 800; margin: 1rem 0 0.5rem; }}
.status.called {{ color: #1b6b34; }}
p {{ font-size: 1.15rem; margin: 0.4rem 0; }}
form.rate {{ margin-top: 1.2rem; border-top: 1px solid #d5dce5; padding-top: 1rem; }}
form.rate button {{ display: block; width: 100%; margin: 0.5rem 0; padding: 0.9rem;
  font: inherit; font-size: 1.2rem; font-weight: 800; border: 0; border-radius: 12px;
  color: white; background: #0b4f9c; }}
form.rate button.unhappy {{ background: #b3261e; }}
.thanks {{ color: #1b6b34; font-weight: 800; }}
footer {{ color: #5b6776; font-size: 0.9rem; }}
</style>
</head>
<body>
<header>{site}</header>
<main>
{body}
</main>
<footer>{footer}</footer>
</body>
</html>
"""


def _page(
    queue: Queue, title: str, body: str, status_code: int = 200, live: bool = False
) -> HTMLResponse:
    refresh = f'<meta http-equiv="refresh" content="{REFRESH_S}">\n' if live else ""
    footer = f"Trang tự cập nhật sau mỗi {REFRESH_S} giây." if live else ""
    page = _PAGE.format(
        refresh_meta=refresh,
        title=escape(title),
        site=escape(queue.site.site.name),
        body=body,
        footer=footer,
    )
    return HTMLResponse(page, status_code=status_code, headers=_HEADERS)


def _message(queue: Queue, text: str, status_code: int, back: str | None = None) -> HTMLResponse:
    body = f'<div class="status">{escape(text)}</div>'
    if back is not None:
        body += f'\n<p><a href="{escape(back)}">Xem lại số của Ông/Bà</a></p>'
    return _page(queue, "motcua", body, status_code)


NOT_FOUND = "Không tìm thấy số này"


def _not_found(queue: Queue) -> HTMLResponse:
    return _message(queue, NOT_FOUND, 404)


def _lines(ticket: TicketOut) -> list[str]:
    lines = [
        '<div class="caption">SỐ THỨ TỰ</div>',
        f'<div class="number">{escape(ticket.number)}</div>',
        f'<div class="service">{escape(ticket.service_name)}</div>',
    ]
    if ticket.priority:
        lines.append("<p>Ưu tiên</p>")
    status_class = "status called" if ticket.status is TicketStatus.CALLED else "status"
    lines.append(f'<div class="{status_class}">{_STATUS[ticket.status]}</div>')
    if ticket.status is TicketStatus.WAITING:
        if ticket.waiting_ahead == 0:
            lines.append("<p>Không có người chờ trước Ông/Bà</p>")
        else:
            lines.append(f"<p>Số người chờ trước Ông/Bà: <b>{ticket.waiting_ahead}</b></p>")
            minutes = ticket.estimated_wait_minutes
            wait = f"khoảng {minutes} phút" if minutes else "dưới 1 phút"
            lines.append(f"<p>Dự kiến chờ: {wait}</p>")
    elif ticket.status is TicketStatus.CALLED and ticket.counter is not None:
        lines.append(f"<p>Mời Ông/Bà đến <b>quầy số {ticket.counter}</b></p>")
    issued = ticket.issued_at.strftime("%d/%m/%Y %H:%M")
    lines.append(f"<p>Lấy số lúc {issued}</p>")
    return lines


def _rating_form(code: str, size: int) -> str:
    """The site's scale as one button per level, the most satisfied first (as on the
    counter's tablet); a tap sends the form."""
    buttons = []
    for level in sorted(scale(size), key=lambda lv: -lv.score):
        kind = "" if level.satisfied else ' class="unhappy"'
        buttons.append(
            f'<button type="submit" name="score" value="{level.score}"{kind}>'
            f"{escape(level.label_vi)}</button>"
        )
    return (
        f'<form class="rate" method="post" action="/t/{escape(code)}">\n'
        f"<p><b>{escape(QUESTION_VI)}</b></p>\n" + "\n".join(buttons) + "\n</form>"
    )


@router.get(
    "/t/{ref}",
    response_class=HTMLResponse,
    summary="Follow one ticket, and rate it once served (public page of the ticket's QR code)",
    responses={404: {"description": "Không có số này"}},
)
async def follow(ref: FollowRef, queue: Queue) -> HTMLResponse:
    if not _REF.fullmatch(ref):
        return _not_found(queue)
    if ref.isdigit():
        ticket = queue.followed_by_id(int(ref)) if int(ref) <= MAX_ID else None
        if ticket is None:
            return _not_found(queue)
        return _page(
            queue,
            f"Số {ticket.number}",
            "\n".join(_lines(ticket)),
            live=ticket.status not in _FINAL,
        )
    found = queue.followed(ref)
    if found is None:
        return _not_found(queue)
    lines = _lines(found.ticket)
    size = queue.site.site.rating_scale
    if found.score is not None:
        label = scale(size)[found.score - 1].label_vi if found.score <= size else ""
        lines.append(f'<p class="thanks">Ông/Bà đã đánh giá: {escape(label)}. Xin cảm ơn!</p>')
    elif found.can_rate:
        lines.append(_rating_form(ref, size))
    return _page(
        queue,
        f"Số {found.ticket.number}",
        "\n".join(lines),
        live=found.ticket.status not in _FINAL,
    )


def _same_origin(request: Request) -> bool:
    """A form posted from another site carries that site's `Origin`: refuse it.

    No `Origin`, or `null` (what browsers send for this very page when a proxy or a global
    header sets `Referrer-Policy: no-referrer`), is let through: the code in the address is
    the credential, so this check only turns away what plainly comes from elsewhere.
    """
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    return urlsplit(origin).netloc == request.headers.get("host")


async def _form_body(request: Request) -> bytes | None:
    """The request body, or None past MAX_FORM_BYTES (read no further than that)."""
    declared = request.headers.get("content-length")
    # isascii: "²".isdigit() is true, and int("²") fails.
    if declared is not None and (
        not (declared.isascii() and declared.isdigit()) or int(declared) > MAX_FORM_BYTES
    ):
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    return body


def _score(body: bytes) -> int | None:
    """The `score` of an `application/x-www-form-urlencoded` body, or None if malformed."""
    try:
        fields = parse_qs(body.decode("ascii"), strict_parsing=True, max_num_fields=4)
    except (UnicodeDecodeError, ValueError):
        return None
    values = fields.get("score")
    if set(fields) != {"score"} or values is None or len(values) != 1:
        return None
    value = values[0]
    return int(value) if len(value) == 1 and "1" <= value <= "9" else None


@router.post(
    "/t/{ref}",
    response_class=HTMLResponse,
    status_code=303,
    summary="Rate a served ticket from its follow page (form field `score`), once",
    responses={
        303: {"description": "Đã ghi nhận: về lại trang của số"},
        403: {"description": "Gửi từ trang khác"},
        404: {"description": "Không có số này"},
        409: {"description": "Đã đánh giá, hoặc số chưa phục vụ xong"},
        413: {"description": "Nội dung quá dài"},
        422: {"description": "Mức đánh giá không hợp lệ"},
    },
    response_description="A browser (Accept: text/html) gets pages; other clients get "
    '`{"detail": ...}` with the same statuses.',
)
async def rate(ref: FollowRef, request: Request, queue: Queue) -> Response:
    def refuse(text: str, status_code: int, back: bool = True) -> Response:
        # A phone's browser gets a page; anything else the API's `{"detail": ...}`.
        if "text/html" not in request.headers.get("accept", ""):
            return JSONResponse({"detail": text}, status_code=status_code, headers=_HEADERS)
        return _message(queue, text, status_code, back=f"/t/{ref}" if back else None)

    if not _same_origin(request):
        return refuse("Không nhận đánh giá gửi từ trang khác", 403, back=False)
    body = await _form_body(request)
    if body is None:
        return refuse("Nội dung gửi lên quá dài", 413, back=False)
    if ref.isdigit() or not _REF.fullmatch(ref):  # an old numeric id is no credential
        return refuse(NOT_FOUND, 404, back=False)
    score = _score(body)
    if score is None:
        return refuse("Xin chọn một mức đánh giá", 422)
    try:
        await queue.rate_followed(ref, score)
    except NotFound:
        return refuse(NOT_FOUND, 404, back=False)
    except AlreadyRated:
        return refuse("Số này đã được đánh giá. Xin cảm ơn Ông/Bà!", 409)
    except InvalidRequest as exc:
        return refuse(exc.message, 422)
    except QueueError as exc:  # not served yet, or past its day
        return refuse(exc.message, 409)
    # Post/Redirect/Get: reloading the thank-you page never sends the form again.
    return RedirectResponse(f"/t/{ref}", status_code=303, headers=_HEADERS)
