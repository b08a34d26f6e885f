"""The state of a ticket printer, as `motcua printer status` prints it."""

from __future__ import annotations

from enum import StrEnum


class PrinterStatus(StrEnum):
    """What a printer can tell about itself; the values are the words of the CLI contract."""

    OK = "ok"
    PAPER_NEAR_END = "paper-near-end"
    PAPER_OUT = "paper-out"
    COVER_OPEN = "cover-open"
    OFFLINE = "offline"
    UNKNOWN = "unknown"

    @property
    def can_print(self) -> bool:
        """Whether a ticket sent now would come out (as far as the printer says)."""
        return self in _PRINTABLE

    @property
    def description(self) -> str:
        """A short Vietnamese sentence for a kiosk screen or a log line."""
        return _DESCRIPTIONS[self]


_PRINTABLE = frozenset({PrinterStatus.OK, PrinterStatus.PAPER_NEAR_END, PrinterStatus.UNKNOWN})

_DESCRIPTIONS = {
    PrinterStatus.OK: "Máy in sẵn sàng",
    PrinterStatus.PAPER_NEAR_END: "Máy in sắp hết giấy",
    PrinterStatus.PAPER_OUT: "Máy in đã hết giấy",
    PrinterStatus.COVER_OPEN: "Nắp máy in đang mở",
    PrinterStatus.OFFLINE: "Mất kết nối với máy in",
    PrinterStatus.UNKNOWN: "Máy in không báo trạng thái",
}
