"""The public "follow my ticket" page at `/t/{id}`, the address in a ticket's QR code.

A phone on the hall's network opens it without a token: it shows the number, the service,
where the ticket stands and how long the wait may be, and refreshes itself. A ticket names
nobody, so the page holds nothing personal.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from queue_core.errors import NotFound
from queue_core.model import TicketStatus
from queue_core.protocol import TicketOut
from queue_server.routes.deps import Queue, TicketId

router = APIRouter(tags=["follow"])

REFRESH_S = 20

_STATUS = {
    TicketStatus.WAITING: "Đang chờ đến lượt",
    TicketStatus.CALLED: "Đến lượt Ông/Bà",
    TicketStatus.DONE: "Đã phục vụ xong",
    TicketStatus.NO_SHOW: "Đã qua lượt (vắng mặt khi gọi số)",
    TicketStatus.CANCELLED: "Số đã bị hủy",
    TicketStatus.EXPIRED: "Số đã hết hiệu lực",
}

_PAGE = """<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{refresh}">
<meta name="robots" content="noindex">
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
footer {{ color: #5b6776; font-size: 0.9rem; }}
</style>
</head>
<body>
<header>{site}</header>
<main>
{body}
</main>
<footer>Trang tự cập nhật sau mỗi {refresh} giây.</footer>
</body>
</html>
"""


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
        if ticket.estimated_wait_minutes > 0:
            lines.append(f"<p>Dự kiến chờ: khoảng {ticket.estimated_wait_minutes} phút</p>")
    elif ticket.status is TicketStatus.CALLED and ticket.counter is not None:
        lines.append(f"<p>Mời Ông/Bà đến <b>quầy số {ticket.counter}</b></p>")
    issued = ticket.issued_at.strftime("%d/%m/%Y %H:%M")
    lines.append(f"<p>Lấy số lúc {issued}</p>")
    return lines


@router.get(
    "/t/{ticket_id}",
    response_class=HTMLResponse,
    summary="Follow one ticket (public page for the ticket's QR code)",
    responses={404: {"description": "Không có số này"}},
)
async def follow(ticket_id: TicketId, queue: Queue) -> HTMLResponse:
    site = escape(queue.site.site.name)
    try:
        ticket = queue.ticket(ticket_id)
    except NotFound:
        body = '<div class="status">Không tìm thấy số này</div>'
        page = _PAGE.format(refresh=REFRESH_S, title="motcua", site=site, body=body)
        return HTMLResponse(page, status_code=404)
    page = _PAGE.format(
        refresh=REFRESH_S,
        title=f"Số {escape(ticket.number)}",
        site=site,
        body="\n".join(_lines(ticket)),
    )
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})
