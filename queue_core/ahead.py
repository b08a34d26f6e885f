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

from collections.abc import Iterable, Mapping, Sequence, Set
from typing import Any, NamedTuple

from queue_core.dispatch import DEFAULT_PRIORITY_RATIO, CallCount, alike
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


def _count_key(counter: Counter, ticket: Ticket, sent_to: Set[int]) -> tuple[object, ...]:
    """What tells `counter`'s count for `ticket` apart: by number and services, which tell
    the hall's counters apart and each service's stand-in (all numbered 0); for a ticket
    sent to no counter, at a counter no ticket was sent to (`sent_to`: the numbers of
    those with tickets sent to them), what counters `alike` share: in a hall whose
    counters serve the same services, a new ticket is counted once, not once per counter."""
    if ticket.target_counter is None and counter.number and counter.number not in sent_to:
        return alike(counter)
    return (counter.number, counter.services)


class Hall:
    """The hall's counters as they stand (a counter that changes makes another hall), and
    for each service the counters whose counts differ, worked out once.

    A new ticket's place is the fewest calls before it at the counters that may call it,
    the first of them on a tie; counters alike (`_count_key`) make as many calls before it,
    so the first of those alike stands for them all. Grouping the counters per ticket
    cost a key per counter per ticket, more than the count itself in a hall of sixteen
    (bench/hot_path.py)."""

    def __init__(self, counters: Iterable[Counter]) -> None:
        self.counters = tuple(counters)
        self._counting: dict[tuple[str, frozenset[int]], tuple[Counter, ...]] = {}

    def counting(self, ticket: Ticket, sent_to: frozenset[int]) -> Sequence[Counter]:
        """The counters that may call `ticket` whose counts for it differ, each the first
        of those alike, in `counters_for`'s order."""
        if ticket.target_counter is not None:
            return counters_for(ticket, self.counters)  # they draw from a line of their own
        key = (ticket.service, sent_to)
        found = self._counting.get(key)
        if found is None:
            firsts: dict[tuple[object, ...], Counter] = {}
            for counter in counters_for(ticket, self.counters):
                firsts.setdefault(_count_key(counter, ticket, sent_to), counter)
            found = self._counting[key] = tuple(firsts.values())
        return found


def places(
    tickets: Sequence[Ticket],
    counters: Hall | Iterable[Counter],
    lines: WaitingLines,
    waiting: Mapping[int, Ticket],
    priority_ratio: int = DEFAULT_PRIORITY_RATIO,
) -> dict[int, Place]:
    """For each of `tickets` (by id), its place (see `waiting_ahead`) and the counter
    where it is that close to the front, counted off the waiting `lines` (`waiting`: the
    waiting tickets by id, for the priority of those transferred to a counter).
    `counters`: the hall's, grouped once (a `Hall` kept while they stand) or not.

    Cost: per ticket, a binary search per line of each counter that may call it and
    counts differently, however long the queue (see `dispatch.calls_before`)."""
    hall = counters if isinstance(counters, Hall) else Hall(counters)
    sent_to = lines.counters_sent_to()
    # Per counter key, worked out once for all of `tickets`.
    counts: dict[tuple[object, ...], CallCount] = {}
    shared: dict[object, Any] = {}  # what counters drawing from the same lines share

    def place(ticket: Ticket) -> Place:
        if ticket.status is not TicketStatus.WAITING:
            return Place(0, None)
        nearest: Place | None = None
        for counter in hall.counting(ticket, sent_to):
            key = _count_key(counter, ticket, sent_to)
            count = counts.get(key)
            if count is None:
                count = counts[key] = CallCount(counter, lines, waiting, priority_ratio, shared)
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
