"""Pure layout: a `TicketContent` becomes a 1-bit Pillow image as wide as the print head.

Nothing here touches a printer. The image is mode "1" (0 = black dot, 255 = white paper),
drawn without anti-aliasing so that what is encoded is exactly what was drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum

import qrcode
from PIL import Image, ImageDraw

from printer_drivers.content import TicketContent, nfc
from printer_drivers.fonts import Weight
from printer_drivers.sample import sample_ticket
from printer_drivers.typeset import Face, face

BLACK = 0
WHITE = 255


class PaperWidth(IntEnum):
    """Printable width in dots at 203 dpi."""

    MM80 = 576
    MM58 = 384


@dataclass(frozen=True, slots=True)
class _Style:
    margin: int
    agency: int
    site: int
    label: int
    number: int
    badge: int
    service: int
    info: int
    footer: int
    qr_module: int
    qr_beside: bool


_STYLES = {
    PaperWidth.MM80: _Style(16, 26, 22, 30, 170, 26, 34, 22, 22, 5, True),
    PaperWidth.MM58: _Style(8, 20, 18, 24, 124, 20, 26, 19, 18, 4, False),
}

_GAP = 6
_QR_QUIET = 4  # modules of white around a QR code, as the QR standard asks


@dataclass(frozen=True, slots=True)
class _Block:
    height: int
    draw: Callable[[ImageDraw.ImageDraw, Image.Image, int], None]


def render_ticket(ticket: TicketContent, width: int = PaperWidth.MM80) -> Image.Image:
    """Lay a ticket out for a print head `width` dots wide.

    Args:
        ticket: what to print.
        width: 576 (80 mm paper) or 384 (58 mm paper).

    Returns:
        A mode "1" image exactly `width` dots wide.
    """
    style = _STYLES[PaperWidth(width)]
    inner = width - 2 * style.margin
    blocks: list[_Block] = [_space(style.margin)]
    blocks += _paragraph(ticket.agency, face(Weight.BOLD, style.agency), inner, style.margin)
    blocks += _paragraph(ticket.site_name, face(Weight.REGULAR, style.site), inner, style.margin)
    blocks += [_space(_GAP), _rule(width, style.margin), _space(_GAP)]
    blocks += _paragraph("SỐ THỨ TỰ", face(Weight.SEMIBOLD, style.label), inner, style.margin)
    blocks += [_space(_GAP), _number(ticket.number, style, inner), _space(2 * _GAP)]
    if ticket.priority:
        blocks += [_badge("ƯU TIÊN", face(Weight.BOLD, style.badge), width), _space(_GAP)]
    blocks += _paragraph(ticket.service_name, face(Weight.BOLD, style.service), inner, style.margin)
    blocks += [_space(_GAP), _rule(width, style.margin), _space(_GAP)]
    blocks += _information(ticket, style, width)
    blocks += [_space(_GAP), _rule(width, style.margin), _space(_GAP)]
    blocks += _paragraph(ticket.footer, face(Weight.MEDIUM, style.footer), inner, style.margin)
    blocks.append(_space(style.margin))
    return _compose(blocks, width)


def warm_up(width: int = PaperWidth.MM80) -> None:
    """Render a sample ticket once, so the first citizen's ticket is as quick as the rest.

    A process's first ticket loads the fonts and renders every glyph it uses (about 0.1 s).
    """
    render_ticket(sample_ticket(), width)


def render_lines(lines: Sequence[str], width: int = PaperWidth.MM80, size: int = 0) -> Image.Image:
    """Lay plain lines out, left-aligned and wrapped (the letters of the test print).

    Args:
        lines: the text, one paragraph per item.
        width: 576 or 384 dots.
        size: the font size in pixels; 0 picks a size a little above the ticket's details.
    """
    style = _STYLES[PaperWidth(width)]
    typeface = face(Weight.REGULAR, size or style.info + 4)
    blocks: list[_Block] = []
    for line in lines:
        blocks += _paragraph(line, typeface, width - 2 * style.margin, style.margin, center=False)
    blocks.append(_space(style.margin))
    return _compose(blocks, width)


def wrap(text: str, typeface: Face, width: int) -> list[str]:
    """Break `text` into lines no wider than `width`, between words where possible.

    A word wider than the line is broken between letters, so nothing is ever clipped.
    """
    lines: list[str] = []
    space = typeface.length(" ")
    for paragraph in nfc(text).splitlines() or [""]:
        current, current_width = "", 0.0
        for word in paragraph.split():
            word_width = typeface.length(word)
            if current and current_width + space + word_width <= width:
                current, current_width = f"{current} {word}", current_width + space + word_width
                continue
            if current:
                lines.append(current)
            current, current_width = "", 0.0
            for letter in word:
                advance = typeface.length(letter)
                if current and current_width + advance > width:
                    lines.append(current)
                    current, current_width = "", 0.0
                current, current_width = current + letter, current_width + advance
        lines.append(current)
    return lines


def qr_image(data: str, module: int) -> Image.Image:
    """A QR code (error correction M) with `module` dots per module and no quiet zone."""
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    size = len(matrix)
    pixels = bytes(BLACK if dark else WHITE for row in matrix for dark in row)
    small = Image.frombytes("L", (size, size), pixels).convert("1", dither=Image.Dither.NONE)
    return small.resize((size * module, size * module), Image.Resampling.NEAREST)


def _compose(blocks: Sequence[_Block], width: int) -> Image.Image:
    image = Image.new("1", (width, sum(b.height for b in blocks)), WHITE)
    draw = ImageDraw.Draw(image)
    y = 0
    for block in blocks:
        block.draw(draw, image, y)
        y += block.height
    return image


def _space(height: int) -> _Block:
    return _Block(height, lambda draw, image, y: None)


def _rule(width: int, margin: int) -> _Block:
    def paint(draw: ImageDraw.ImageDraw, image: Image.Image, y: int) -> None:
        draw.rectangle((margin, y, width - margin - 1, y + 1), fill=BLACK)

    return _Block(2, paint)


def _paragraph(
    text: str, typeface: Face, inner: int, margin: int, *, center: bool = True
) -> list[_Block]:
    blocks = []
    for line in wrap(text, typeface, inner):
        _, ink_top, _, ink_bottom = typeface.bbox(line)
        # Stacked marks (Ẫ, Ỗ…) rise above the ascender: the line grows rather than clip them.
        top, bottom = min(-typeface.ascent, ink_top), max(typeface.descent, ink_bottom)
        x = margin + (inner - round(typeface.length(line))) // 2 if center else margin

        def paint(
            draw: ImageDraw.ImageDraw,
            image: Image.Image,
            y: int,
            line: str = line,
            x: int = x,
            top: int = top,
        ) -> None:
            typeface.draw(image, (x, y - top), line, BLACK)

        blocks.append(_Block(bottom - top, paint))
    return blocks


def _number(number: str, style: _Style, inner: int) -> _Block:
    size = style.number
    typeface = face(Weight.BOLD, size)
    while typeface.length(number) > inner and size > 24:
        size -= 8
        typeface = face(Weight.BOLD, size)
    left, top, right, bottom = typeface.bbox(number)

    def paint(draw: ImageDraw.ImageDraw, image: Image.Image, y: int) -> None:
        x = style.margin + (inner - (right - left)) // 2 - left
        typeface.draw(image, (x, y - top), number, BLACK)

    return _Block(bottom - top, paint)


def _badge(text: str, typeface: Face, width: int) -> _Block:
    left, top, right, bottom = typeface.bbox(text)
    pad = 6
    box_w, box_h = right - left + 4 * pad, bottom - top + 2 * pad

    def paint(draw: ImageDraw.ImageDraw, image: Image.Image, y: int) -> None:
        x0 = (width - box_w) // 2
        draw.rounded_rectangle((x0, y, x0 + box_w - 1, y + box_h - 1), radius=pad, fill=BLACK)
        typeface.draw(image, (x0 + 2 * pad - left, y + pad - top), text, WHITE)

    return _Block(box_h, paint)


def _information(ticket: TicketContent, style: _Style, width: int) -> list[_Block]:
    lines = [ticket.people_ahead_text]
    if ticket.wait_text:
        lines.append(ticket.wait_text)
    if ticket.counters:
        lines.append(f"Phục vụ tại: {ticket.counters_text}")
    lines.append(f"Giờ lấy số: {ticket.issued_at_text}")
    if ticket.qr_url:
        lines.append("Quét mã QR để theo dõi và đánh giá")
    typeface = face(Weight.REGULAR, style.info)
    inner = width - 2 * style.margin
    if not ticket.qr_url:
        return _left_lines(lines, typeface, inner, style.margin)
    code = qr_image(ticket.qr_url, style.qr_module)
    if not style.qr_beside:
        blocks = _left_lines(lines, typeface, inner, style.margin)
        return [*blocks, _space(_QR_QUIET * style.qr_module), _picture(code, width)]
    column = inner - code.width - _QR_QUIET * style.qr_module
    text = _compose(_left_lines(lines, typeface, column, 0), column)
    height = max(text.height, code.height)

    def paint(draw: ImageDraw.ImageDraw, image: Image.Image, y: int) -> None:
        image.paste(text, (style.margin, y + (height - text.height) // 2))
        image.paste(code, (width - style.margin - code.width, y + (height - code.height) // 2))

    return [_Block(height, paint)]


def _left_lines(lines: Sequence[str], typeface: Face, inner: int, margin: int) -> list[_Block]:
    blocks: list[_Block] = []
    for line in lines:
        blocks += _paragraph(line, typeface, inner, margin, center=False)
        blocks.append(_space(2))
    return blocks


def _picture(picture: Image.Image, width: int) -> _Block:
    def paint(draw: ImageDraw.ImageDraw, image: Image.Image, y: int) -> None:
        image.paste(picture, ((width - picture.width) // 2, y))

    return _Block(picture.height, paint)
