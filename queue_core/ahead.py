"""People ahead: how many calls come before a waiting ticket's own.

The figure on the kiosk, the printed ticket, the follow page and the API. It is read
off the call policy itself (`dispatch.calls_before`, which is `dispatch.call_order`
counted), so it can never disagree with what the counters will do:

- at one counter, the ticket's place in that counter's call order (priority first,
  the anti-starvation ratio, transfers, the counter's call mode);
- where several counters may call it, the fewest calls before it at any of them:
  the counter that reaches it first. The others' calls of other services do not
  delay it, and the tickets ahead of it in its own queue are shared out among all
  its counters, which the wait estimate accounts for by dividing by their number.

Which counters count: the one it was transferred to; else those serving its service
that are not closed (a paused counter will resume); before any of them opens, all
that serve it (they will open, and the estimate assumes the same).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from queue_core.dispatch import DEFAULT_PRIORITY_RATIO, CallCount, Line, alike
from queue_core.lines import WaitingLines
from queue_core.model import Counter, CounterState, Ticket, TicketStatus


def counters_for(ticket: Ticket, counters: Iterable[Counter]) -> list[Counter]:
    """The counters whose call order decides `ticket`'s place (see the module's doc).

    A ticket no configured counter may call (a service no counter serves yet) gets a
    stand-in counter that serves its queue alone, so its place is its place in that
    queue.
    """
    serving = [c for c in counters if c.serves(ticket)]
    staffed = [c for c in serving if c.state is not CounterState.CLOSED]
    chosen = staffed or serving
    if chosen:
        return chosen
    if ticket.target_counter is not None:
        return [Counter(ticket.target_counter, "", ())]
    return [Counter(0, "", (ticket.service,))]


class Place(NamedTuple):
    """A ticket's place: the calls before it, at the counter that reaches it first."""

    ahead: int
    counter: Counter | None  # None for a ticket that is not waiting


def places(
    tickets: Sequence[Ticket],
    counters: Iterable[Counter],
    lines: WaitingLines,
    waiting: Mapping[int, Ticket],
    priority_ratio: int = DEFAULT_PRIORITY_RATIO,
) -> dict[int, Place]:
    """For each of `tickets` (by id), its place (see `waiting_ahead`) and the counter
    where it is that close to the front, counted off the waiting `lines` (`waiting`: the
    waiting tickets by id, for the priority of those transferred to a counter).

    Cost: per ticket, a binary search per line of each counter that may call it, however
    long the queue (see `dispatch.calls_before`)."""
    hall = list(counters)
    # Per counter, worked out once for all of `tickets`: by number and services, which
    # tell the hall's counters apart and each service's stand-in (all numbered 0). For a
    # ticket sent to no counter, a counter no ticket was sent to counts as any other
    # `alike` it: in a hall whose counters serve the same services, a new ticket is placed
    # once, not once per counter.
    counts: dict[tuple[object, ...], CallCount] = {}
    shared: dict[object, Any] = {}  # what counters drawing from the same lines share

    def key_of(counter: Counter, ticket: Ticket) -> tuple[object, ...]:
        if (
            ticket.target_counter is None
            and counter.number
            and not lines.count(Line(counter=counter.number))
        ):
            return alike(counter)
        return (counter.number, counter.services)

    def place(ticket: Ticket) -> Place:
        if ticket.status is not TicketStatus.WAITING:
            return Place(0, None)
        nearest: Place | None = None
        counted: list[CallCount] = []
        for counter in counters_for(ticket, hall):
            key = key_of(counter, ticket)
            count = counts.get(key)
            if count is None:
                count = counts[key] = CallCount(counter, lines, waiting, priority_ratio, shared)
            elif count in counted:
                continue  # as a counter before it: as many calls, and the first one is nearest
            counted.append(count)
            calls = count(ticket)
            if nearest is None or calls < nearest.ahead:
                nearest = Place(calls, counter)
        assert nearest is not None  # counters_for always names one
        return nearest

    return {ticket.id: place(ticket) for ticket in tickets}


def waiting_ahead(
    tickets: Sequence[Ticket],
    counters: Iterable[Counter],
    waiting: Iterable[Ticket],
    priority_ratio: int = DEFAULT_PRIORITY_RATIO,
) -> dict[int, int]:
    """For each of `tickets` (by id), the calls that come before it.

    Args:
        tickets: the tickets to place; any not waiting has nobody ahead (0).
        counters: the hall's counters, with their state and priority streak.
        waiting: every waiting ticket the counters of `tickets` may call (more is
            harmless: each counter keeps only what it serves; `tickets` need not be
            among them).
        priority_ratio: the site's anti-starvation ratio.
    """
    lines = WaitingLines()
    queue = {t.id: t for t in [*waiting, *tickets] if t.status is TicketStatus.WAITING}
    for ticket in queue.values():
        lines.add(ticket)
    found = places(tickets, counters, lines, queue, priority_ratio)
    return {ticket_id: place.ahead for ticket_id, place in found.items()}
