"""Errors raised by the printer drivers.

The tree::

    PrinterError                  anything that kept a ticket from being printed
     ├── PrinterOffline           not reachable, or the printer reports itself offline
     │    └── DriverUnavailable   the connection needs a library or an OS that is missing
     ├── PaperOut                 the roll is empty
     ├── CoverOpen                the paper cover is open
     └── InvalidPrinterUrl        a PRINTER URL that cannot be understood (also a ValueError)

Third-party exceptions (pyserial, sockets, python-escpos) are translated at the boundary, in
`printer_drivers.backend`, so callers only ever catch these.
"""

from __future__ import annotations


class PrinterError(Exception):
    """Base class of every printer failure; its message is Vietnamese, fit for a screen."""


class PrinterOffline(PrinterError):
    """The printer cannot be reached, or says it is offline."""


class DriverUnavailable(PrinterOffline):
    """The connection type needs a library or an operating system that is not present."""


class PaperOut(PrinterError):
    """The printer has run out of paper."""


class CoverOpen(PrinterError):
    """The printer's paper cover is open."""


class InvalidPrinterUrl(PrinterError, ValueError):
    """A PRINTER URL that names no known connection or carries a bad option."""
