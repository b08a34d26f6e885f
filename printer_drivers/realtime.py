"""Real-time status (DLE EOT n): the queries, the reply bits, and how to read them.

Pure: the backend supplies a `query` callable that sends ``DLE EOT n`` and returns the
printer's one-byte reply (or None when nothing came back in time); the virtual printer
builds its replies from the same bit definitions.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum

from printer_drivers.status import PrinterStatus

DLE_EOT = b"\x10\x04"

# Every reply byte has bits 1 and 4 set and bits 0 and 7 clear (ESC/POS, DLE EOT).
_FIXED_MASK = 0x93
_FIXED_BITS = 0x12


class Query(IntEnum):
    """The ``n`` of ``DLE EOT n``."""

    PRINTER = 1
    OFFLINE_CAUSE = 2
    ERROR_CAUSE = 3
    PAPER = 4


# n=1
PRINTER_OFFLINE = 0x08
# n=2
COVER_OPEN = 0x04
FEED_BUTTON = 0x08
STOPPED_BY_PAPER_END = 0x20
ERROR_OCCURRED = 0x40
# n=3
CUTTER_ERROR = 0x08
UNRECOVERABLE_ERROR = 0x20
AUTO_RECOVERABLE_ERROR = 0x40
# n=4
PAPER_NEAR_END = 0x0C
PAPER_END = 0x60

BASE = _FIXED_BITS


def command(query: Query) -> bytes:
    """The bytes that ask one real-time status question."""
    return DLE_EOT + bytes((query,))


def is_reply(byte: int) -> bool:
    """Whether a byte has the fixed bits every DLE EOT reply carries."""
    return byte & _FIXED_MASK == _FIXED_BITS


def read_status(ask: Callable[[Query], int | None]) -> PrinterStatus | None:
    """Ask the printer what it is doing, paper first.

    A printer out of paper also reports itself offline on ``DLE EOT 1``, so the paper sensor
    is read first, or an empty roll would show up as a lost connection.

    Args:
        ask: sends one query and returns the reply byte, or None if none came in time.

    Returns:
        The status, or None if the printer never answered the first question (a printer that
        does not support status looks exactly like one that is switched off).
    """
    paper = _valid(ask(Query.PAPER))
    if paper is None:
        return None
    if paper & PAPER_END:
        return PrinterStatus.PAPER_OUT
    printer = _valid(ask(Query.PRINTER))
    if printer is None:
        return PrinterStatus.OFFLINE
    if printer & PRINTER_OFFLINE:
        cause = _valid(ask(Query.OFFLINE_CAUSE))
        if cause is not None and cause & COVER_OPEN:
            return PrinterStatus.COVER_OPEN
        if cause is not None and cause & STOPPED_BY_PAPER_END:
            return PrinterStatus.PAPER_OUT
        return PrinterStatus.OFFLINE
    if paper & PAPER_NEAR_END:
        return PrinterStatus.PAPER_NEAR_END
    return PrinterStatus.OK


def replies_for(status: PrinterStatus) -> dict[Query, int]:
    """The replies a healthy ESC/POS printer in `status` gives to each query.

    Used by the virtual printer. `UNKNOWN` is answered like `OK`: a printer that does not
    answer at all is played by not replying, not by a status byte.
    """
    replies = dict.fromkeys(Query, BASE)
    if status is PrinterStatus.PAPER_NEAR_END:
        replies[Query.PAPER] = BASE | PAPER_NEAR_END
    elif status is PrinterStatus.PAPER_OUT:
        replies[Query.PRINTER] = BASE | PRINTER_OFFLINE
        replies[Query.OFFLINE_CAUSE] = BASE | STOPPED_BY_PAPER_END
        replies[Query.PAPER] = BASE | PAPER_NEAR_END | PAPER_END
    elif status is PrinterStatus.COVER_OPEN:
        replies[Query.PRINTER] = BASE | PRINTER_OFFLINE
        replies[Query.OFFLINE_CAUSE] = BASE | COVER_OPEN
    elif status is PrinterStatus.OFFLINE:
        replies[Query.PRINTER] = BASE | PRINTER_OFFLINE
        replies[Query.OFFLINE_CAUSE] = BASE | ERROR_OCCURRED
        replies[Query.ERROR_CAUSE] = BASE | AUTO_RECOVERABLE_ERROR
    return replies


def _valid(reply: int | None) -> int | None:
    return reply if reply is not None and is_reply(reply) else None
