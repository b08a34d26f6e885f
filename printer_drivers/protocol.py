"""The interface the kiosk prints through; `EscposPrinter` and tests' fakes implement it."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from printer_drivers.content import TicketContent
from printer_drivers.status import PrinterStatus


@runtime_checkable
class TicketPrinter(Protocol):
    """A printer of queue tickets."""

    def print_ticket(self, ticket: TicketContent) -> None:
        """Print one ticket.

        Raises:
            printer_drivers.errors.PrinterError: the ticket did not come out (`PaperOut`,
                `CoverOpen`, `PrinterOffline`); the kiosk then shows it on screen.
        """
        ...

    def status(self) -> PrinterStatus:
        """The printer's state, within a few seconds at most; never raises."""
        ...
