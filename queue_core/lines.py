"""The waiting lines, kept in order so that the call policy can be read off them by
counting, without walking the queue.

Each waiting ticket stands in one `dispatch.Line`: its service's priority or ordinary
line, or the line of the counter it was transferred to; within a line, first come first
in (rank, then id). A line's head is what `choose_next` needs, and how many stand before
a given place is what `dispatch.calls_before` needs: both are a lookup or a binary search
here, whatever the length of the queue.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterator

from queue_core.dispatch import Line, place_of
from queue_core.model import Ticket, TicketStatus

Place = tuple[int, int]  # (rank, id): a ticket's place in its line


def line_of(ticket: Ticket) -> Line:
    """The line `ticket` stands in while it waits."""
    if ticket.target_counter is not None:
        return Line(counter=ticket.target_counter)
    return Line(service=ticket.service, priority=ticket.priority)


class WaitingLines:
    """Every waiting ticket's place, line by line, in order.

    A list per line kept sorted with `bisect`: a new ticket usually goes to the end and a
    call takes the head, so the memory moves are short; the standard library has no
    sorted container, and this needs no more than `insort` and `bisect_left`.
    """

    def __init__(self) -> None:
        self._lines: dict[Line, list[Place]] = {}

    def add(self, ticket: Ticket) -> None:
        """Put a waiting ticket in its line (a ticket that is not waiting is ignored)."""
        if ticket.status is TicketStatus.WAITING:
            insort(self._lines.setdefault(line_of(ticket), []), place_of(ticket))

    def discard(self, ticket: Ticket) -> None:
        """Take `ticket`, as it stood (its line and rank then), out of its line if there."""
        places = self._lines.get(line_of(ticket))
        if not places:
            return
        place = place_of(ticket)
        i = bisect_left(places, place)
        if i < len(places) and places[i] == place:
            del places[i]

    def counters_sent_to(self) -> frozenset[int]:
        """The numbers of the counters that tickets waiting were transferred to."""
        return frozenset(
            line.counter
            for line, places in self._lines.items()
            if line.counter is not None and places
        )

    def count(self, line: Line) -> int:
        return len(self._lines.get(line, ()))

    def count_before(self, line: Line, place: Place) -> int:
        """How many of `line` stand before `place` (which need not be in it)."""
        return bisect_left(self._lines.get(line, ()), place)

    def head(self, line: Line) -> int | None:
        """The id of the first ticket of `line`, or None when it is empty."""
        places = self._lines.get(line)
        return places[0][1] if places else None

    def ids(self, line: Line, first: int | None = None) -> list[int]:
        """The ids of `line`'s tickets, first to last (the `first` of them when given)."""
        return [ticket_id for _, ticket_id in self._lines.get(line, [])[:first]]

    def iter_ids(self, line: Line) -> Iterator[int]:
        """The ids of `line`'s tickets, first to last, read as far as the caller goes."""
        return (ticket_id for _, ticket_id in self._lines.get(line, ()))

    def lines(self) -> list[Line]:
        """The lines that have anyone in them."""
        return [line for line, places in self._lines.items() if places]

    def __len__(self) -> int:
        return sum(len(places) for places in self._lines.values())
