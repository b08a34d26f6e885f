"""Vietnamese tickets on ESC/POS thermal printers.

The public face; everything else is importable but internal::

    from printer_drivers import EscposPrinter, TicketContent, PrinterStatus, PrinterError

    printer = EscposPrinter("tcp://192.168.1.50:9100")   # any PRINTER URL, see docs/hardware.md
    if printer.status() is PrinterStatus.PAPER_OUT: ...
    printer.print_ticket(TicketContent(...))            # raises PaperOut, CoverOpen, PrinterOffline
"""

from printer_drivers.backend import EscposPrinter, open_printer
from printer_drivers.content import TicketContent
from printer_drivers.errors import (
    CoverOpen,
    DriverUnavailable,
    InvalidPrinterUrl,
    PaperOut,
    PrinterError,
    PrinterOffline,
)
from printer_drivers.layout import PaperWidth, render_ticket, warm_up
from printer_drivers.protocol import TicketPrinter
from printer_drivers.status import PrinterStatus
from printer_drivers.url import PrinterUrl, parse_printer_url

__all__ = [
    "CoverOpen",
    "DriverUnavailable",
    "EscposPrinter",
    "InvalidPrinterUrl",
    "PaperOut",
    "PaperWidth",
    "PrinterError",
    "PrinterOffline",
    "PrinterStatus",
    "PrinterUrl",
    "TicketContent",
    "TicketPrinter",
    "open_printer",
    "parse_printer_url",
    "render_ticket",
    "warm_up",
]
