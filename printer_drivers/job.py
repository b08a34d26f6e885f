"""From ticket to bytes: the whole pure path a print takes before it reaches a connection."""

from __future__ import annotations

from collections.abc import Sequence

from printer_drivers.content import TicketContent
from printer_drivers.layout import render_lines, render_ticket
from printer_drivers.raster import encode_job
from printer_drivers.textmode import encode_text_ticket
from printer_drivers.url import Mode, PrinterUrl


def encode_ticket(ticket: TicketContent, url: PrinterUrl, appendix: Sequence[str] = ()) -> bytes:
    """The exact bytes a printer at `url` is sent for `ticket`.

    Args:
        ticket: what to print.
        url: the printer; its paper width, mode (raster or text), code page and cut apply.
        appendix: lines printed under the ticket before the cut (the test print's letters).
    """
    if url.mode is Mode.TEXT:
        return encode_text_ticket(ticket, url.width, url.encoding, url.cut, appendix)
    images = [render_ticket(ticket, url.width)]
    if appendix:
        images.append(render_lines(appendix, url.width))
    return encode_job(images, url.cut)
