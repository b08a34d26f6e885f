"""What goes on a ticket, independent of how it is printed."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from queue_core.estimate import wait_words

if TYPE_CHECKING:  # only read, never built here: keeps `motcua printer` quick to start
    from queue_core.protocol import TicketOut

DISPLAY_TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_FOOTER = "Vé chỉ có giá trị trong ngày"


@dataclass(frozen=True, slots=True)
class TicketContent:
    """Everything printed on one queue ticket.

    Text is normalised to NFC on construction, so text arriving decomposed (NFD) prints with
    the same glyphs and bytes as text typed precomposed.

    Attributes:
        agency: the issuing authority, e.g. "UBND xã Hòa Bình".
        site_name: the centre, e.g. "Bộ phận Tiếp nhận và Trả kết quả".
        number: the ticket number as displayed, e.g. "1005".
        service_name: the service (lĩnh vực), printed in full and wrapped, never clipped.
        people_ahead: tickets waiting ahead of this one for the same service.
        estimated_wait_minutes: the server's estimate, or None to leave the line out.
        issued_at: an aware datetime; shown as dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh.
        counters: names (or bare numbers) of the counters that serve this ticket.
        qr_url: where a phone follows the queue and rates the service; None for no QR code.
        priority: a priority ticket (elderly, disabled, pregnant…), marked as such.
        footer: the last line.
    """

    agency: str
    site_name: str
    number: str
    service_name: str
    people_ahead: int
    estimated_wait_minutes: int | None
    issued_at: datetime
    counters: tuple[str, ...] = ()
    qr_url: str | None = None
    priority: bool = False
    footer: str = DEFAULT_FOOTER

    def __post_init__(self) -> None:
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise ValueError("issued_at must be timezone-aware")
        if self.people_ahead < 0:
            raise ValueError("people_ahead must not be negative")
        if self.estimated_wait_minutes is not None and self.estimated_wait_minutes < 0:
            raise ValueError("estimated_wait_minutes must not be negative")
        for name in ("agency", "site_name", "number", "service_name", "footer"):
            object.__setattr__(self, name, nfc(getattr(self, name)))
        object.__setattr__(self, "counters", tuple(nfc(str(c)) for c in self.counters))

    @classmethod
    def from_ticket(
        cls,
        ticket: TicketOut,
        *,
        site_name: str,
        agency: str | None = None,
        counters: Iterable[CounterLike] = (),
        qr_url: str | None = None,
    ) -> TicketContent:
        """The printed form of a ticket the server issued.

        Args:
            ticket: the server's answer to `POST /api/tickets`.
            site_name: the centre's name.
            agency: the line above it (e.g. "ỦY BAN NHÂN DÂN XÃ PHÚ XUÂN"); None for none.
            counters: the site's counters (the site file's or the API's); those that serve
                the ticket (or the one it was sent to) are printed.
            qr_url: where a phone follows this ticket and rates the service once served:
                `http://server/t/{follow code}` (the code comes with the issued ticket).
        """
        return cls(
            agency=agency or "",
            site_name=site_name,
            number=ticket.number,
            service_name=ticket.service_name,
            people_ahead=ticket.waiting_ahead,
            estimated_wait_minutes=ticket.estimated_wait_minutes,
            issued_at=ticket.issued_at,
            counters=tuple(
                c.name or str(c.number)
                for c in counters
                if (c.number == ticket.target_counter)
                or (ticket.target_counter is None and ticket.service in c.services)
            ),
            qr_url=qr_url,
            priority=ticket.priority,
        )

    @property
    def issued_at_text(self) -> str:
        """The issue time as printed: ``dd/mm/yyyy HH:MM`` in Vietnam's time."""
        return self.issued_at.astimezone(DISPLAY_TIMEZONE).strftime("%d/%m/%Y %H:%M")

    @property
    def counters_text(self) -> str:
        """The counters line, e.g. "Quầy 1, Quầy 3"; bare numbers get the word "Quầy"."""
        return ", ".join(f"Quầy {c}" if c.isdigit() else c for c in self.counters)

    @property
    def people_ahead_text(self) -> str:
        """E.g. "Số người chờ trước Ông/Bà: 12" (the form of address every screen uses)."""
        if self.people_ahead == 0:
            return "Không có người chờ trước Ông/Bà"
        return f"Số người chờ trước Ông/Bà: {self.people_ahead}"

    @property
    def wait_text(self) -> str | None:
        """E.g. "Dự kiến chờ: khoảng 25 phút", or None when there is no estimate."""
        minutes = self.estimated_wait_minutes
        if minutes is None:
            return None
        return f"Dự kiến chờ: {wait_words(minutes)}"


class CounterLike(Protocol):
    """A counter as the site file (`CounterConfig`) or the API (`CounterOut`) gives it."""

    @property
    def number(self) -> int: ...

    @property
    def name(self) -> str | None: ...

    @property
    def services(self) -> Sequence[str]: ...


def nfc(text: str) -> str:
    """Compose Vietnamese text to NFC, the form the font and the code pages are mapped for."""
    return unicodedata.normalize("NFC", text)
