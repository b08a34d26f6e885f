"""Text-mode encoding: the ticket as ESC/POS text in CP1258 or TCVN-3, for printers that have it.

Opt-in (``mode=text`` in the PRINTER URL): smaller and faster than raster, but only right on
a printer whose Vietnamese code page is known; the numbers of `ESC t` differ by maker. The QR
code is the printer's own (GS ( k) unless ``qr=image``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from printer_drivers import commands
from printer_drivers.charsets import Charset, encode_cp1258, encode_tcvn3
from printer_drivers.commands import Align, Cut
from printer_drivers.content import TicketContent
from printer_drivers.layout import qr_image
from printer_drivers.raster import raster_bands

# ESC t numbers of Epson's tables (TM-T20/T82/T88 class); others say so in their manuals.
DEFAULT_CODE_PAGES = {Charset.CP1258: (52, 52), Charset.TCVN3: (30, 31)}

FONT_A_WIDTH = 12  # dots per character of the default font


@dataclass(frozen=True, slots=True)
class TextEncoding:
    """How to print text on one printer.

    Attributes:
        charset: the Vietnamese code page the printer has.
        code_page: its `ESC t` number; None for Epson's (52 for CP1258, 30 for TCVN-3).
        upper_code_page: TCVN-3's capitals table; None for Epson's 31.
        native_qr: the printer draws the QR code itself (GS ( k); False sends an image.
    """

    charset: Charset = Charset.CP1258
    code_page: int | None = None
    upper_code_page: int | None = None
    native_qr: bool = True

    @property
    def pages(self) -> tuple[int, int]:
        """The `ESC t` numbers of the (lower-case, capitals) tables."""
        lower, upper = DEFAULT_CODE_PAGES[self.charset]
        lower = self.code_page if self.code_page is not None else lower
        if self.charset is Charset.CP1258:
            return lower, lower
        return lower, self.upper_code_page if self.upper_code_page is not None else upper


class TextWriter:
    """Accumulates ESC/POS text, switching code tables only when a letter needs it."""

    def __init__(self, encoding: TextEncoding) -> None:
        self.encoding = encoding
        self._parts: list[bytes] = [commands.INITIALIZE]
        self._page: int | None = None

    def raw(self, data: bytes) -> None:
        """Append commands as they are."""
        self._parts.append(data)

    def text(self, text: str) -> None:
        """Append text in the printer's code page."""
        lower, upper = self.encoding.pages
        if self.encoding.charset is Charset.CP1258:
            self._select(lower)
            self._parts.append(encode_cp1258(text))
            return
        for capitals, data in encode_tcvn3(text):
            self._select(upper if capitals else lower)
            self._parts.append(data)

    def line(self, text: str = "") -> None:
        """Append text and a line feed."""
        self.text(text)
        self._parts.append(commands.LF)

    def getvalue(self) -> bytes:
        """Everything written so far."""
        return b"".join(self._parts)

    def _select(self, page: int) -> None:
        if page != self._page:
            self._parts.append(commands.code_page(page))
            self._page = page


def encode_text_ticket(
    ticket: TicketContent,
    width: int = 576,
    encoding: TextEncoding | None = None,
    cut: Cut = Cut.PARTIAL,
    appendix: Sequence[str] = (),
) -> bytes:
    """One text-mode print job for a ticket.

    Args:
        ticket: what to print.
        width: the print head in dots (576 or 384); Font A fits width / 12 columns.
        encoding: the printer's code page; CP1258 at Epson's number by default.
        cut: how to finish.
        appendix: lines printed after the ticket, before the cut (the test print's letters).
    """
    encoding = encoding or TextEncoding()
    columns = width // FONT_A_WIDTH
    out = TextWriter(encoding)
    out.raw(commands.align(Align.CENTER))
    out.raw(commands.bold(True))
    _wrapped(out, ticket.agency, columns)
    out.raw(commands.bold(False))
    _wrapped(out, ticket.site_name, columns)
    out.line("-" * columns)
    out.raw(commands.bold(True))
    out.line("SỐ THỨ TỰ")
    magnify = max(1, min(6, columns // max(1, len(ticket.number))))
    out.raw(commands.character_size(magnify, magnify))
    out.line(ticket.number)
    out.raw(commands.character_size(1, 1))
    if ticket.priority:
        out.line("*** ƯU TIÊN ***")
    out.raw(commands.character_size(1, 2))
    _wrapped(out, ticket.service_name, columns)
    out.raw(commands.character_size(1, 1))
    out.raw(commands.bold(False))
    out.line("-" * columns)
    out.raw(commands.align(Align.LEFT))
    details = [ticket.people_ahead_text]
    if ticket.wait_text:
        details.append(ticket.wait_text)
    if ticket.counters:
        details.append(f"Phục vụ tại: {ticket.counters_text}")
    details.append(f"Giờ lấy số: {ticket.issued_at_text}")
    for detail in details:
        _wrapped(out, detail, columns)
    out.raw(commands.align(Align.CENTER))
    if ticket.qr_url:
        out.line("Quét mã QR để theo dõi và đánh giá")
        if encoding.native_qr:
            out.raw(commands.qr_code(ticket.qr_url, module=6 if width >= 576 else 5))
            out.line()
        else:
            out.raw(raster_bands(qr_image(ticket.qr_url, 5 if width >= 576 else 4)))
    out.line("-" * columns)
    _wrapped(out, ticket.footer, columns)
    out.raw(commands.align(Align.LEFT))
    for line in appendix:
        _wrapped(out, line, columns)
    out.raw(commands.cut(cut))
    return out.getvalue()


def _wrapped(out: TextWriter, text: str, columns: int) -> None:
    for line in textwrap.wrap(text, columns) or [""]:
        out.line(line)
