"""The call policy and the transitions of a ticket's life at the counters.

    issue ──> waiting ──call──> called ──complete──> done
                 ^  │             │ ├──no-show──> no_show
                 │  │             │ └──recall (counted, stays called)
                 └──┴─transfer────┘
    waiting/called ──cancel──> cancelled;  ──day change──> expired
    no_show ──undo (same counter, 5 min)──> called;  ──requeue (same day)──> waiting

Every function takes values and returns new ones; the server persists them.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from queue_core.errors import (
    ClerkElsewhere,
    CounterBusy,
    CounterPaused,
    InvalidTransition,
    NothingWaiting,
)
from queue_core.model import CallMode, Counter, CounterState, Ticket, TicketStatus

if TYPE_CHECKING:
    from queue_core.lines import WaitingLines

DEFAULT_PRIORITY_RATIO = 3


class Line(NamedTuple):
    """One line of waiting tickets, first come first in (rank, then id): a service's
    priority or ordinary tickets sent to no counter in particular (`service`,
    `priority`), or the tickets transferred to one counter (`counter`).

    A named tuple, not a dataclass: it is a dictionary key on every hot read, and a
    tuple hashes in C."""

    service: str | None = None
    priority: bool | None = None
    counter: int | None = None


def lines_of(services: Iterable[str], counter: int | None = None) -> list[Line]:
    """The lines a counter serving `services` (and numbered `counter`, for the tickets sent
    to it) draws from.

    The call policy only ever takes the first ticket of a line (`call_order` keeps each
    line's order), so the first ticket of each of these lines is all `choose_next`
    needs, however long the queues, and all a transfer needs to get in front of them.
    """
    lines = [Line(counter=counter)] if counter is not None else []
    lines += [Line(service=code, priority=p) for code in services for p in (True, False)]
    return lines


def choose_next(
    counter: Counter, waiting: Iterable[Ticket], priority_ratio: int = DEFAULT_PRIORITY_RATIO
) -> Ticket:
    """The ticket `counter` should call next among `waiting`: the first of its
    `call_order` (one rule, so the next call and the clerk's list never disagree).

    `waiting` may be only the first ticket of each of `lines_of(counter)`.

    Raises:
        NothingWaiting: no waiting ticket may be called here.
    """
    order = call_order(counter, waiting, priority_ratio)
    if not order:
        raise NothingWaiting(counter.number)
    return order[0]


def call_order(
    counter: Counter, waiting: Iterable[Ticket], priority_ratio: int = DEFAULT_PRIORITY_RATIO
) -> list[Ticket]:
    """The order in which `counter` would call `waiting` if nobody else came or called:
    the call policy.

    Tickets transferred to this very counter come first. Then priority tickets, except
    that after `priority_ratio` priority calls in a row a waiting normal ticket gets its
    turn. Within each, the longest-waiting ticket (lowest rank) among the counter's
    services, or with `CallMode.SERVICE_ORDER` the first service in the counter's order
    that has one. Its first ticket is the next call (`choose_next`); the clerk's list
    and the people ahead (`queue_core.ahead`) read the rest.
    """
    eligible = [t for t in waiting if t.status is TicketStatus.WAITING and counter.serves(t)]
    targeted = sorted((t for t in eligible if t.target_counter == counter.number), key=place_of)
    rest = [t for t in eligible if t.target_counter != counter.number]
    if counter.call_mode is CallMode.SERVICE_ORDER:
        precedence = {code: i for i, code in enumerate(counter.calls_services)}

        def key(t: Ticket) -> tuple[int, int, int]:
            return (precedence.get(t.service, len(precedence)), *place_of(t))

    else:

        def key(t: Ticket) -> tuple[int, int, int]:
            return (0, *place_of(t))

    priority = deque(sorted((t for t in rest if t.priority), key=key))
    normal = deque(sorted((t for t in rest if not t.priority), key=key))
    order = list(targeted)
    streak = counter.priority_streak
    for ticket in targeted:  # they count towards the streak like any call
        streak = streak + 1 if ticket.priority else 0
    while priority or normal:
        if priority and (not normal or streak < priority_ratio):
            order.append(priority.popleft())
            streak += 1
        else:
            order.append(normal.popleft())
            streak = 0
    return order


def place_of(ticket: Ticket) -> tuple[int, int]:
    """Where `ticket` stands in its line: first come first in, by rank, then id."""
    return ticket.rank, ticket.id


def calls_before(
    counter: Counter,
    ticket: Ticket,
    lines: WaitingLines,
    tickets: Mapping[int, Ticket],
    priority_ratio: int = DEFAULT_PRIORITY_RATIO,
) -> int:
    """How many calls `counter` makes before `ticket`: its index in `call_order`, counted
    off the waiting `lines` instead of sorting the queue (`tickets` by id gives the
    priority of those transferred to the counter). See `CallCount`."""
    return CallCount(counter, lines, tickets, priority_ratio)(ticket)


@functools.lru_cache(maxsize=4096)
def _layout(
    number: int, services: tuple[str, ...]
) -> tuple[Line, tuple[tuple[Line, int], ...], Mapping[str, int], frozenset[str]]:
    """A counter's lines (its own, then each service's priority and ordinary lines with the
    service's precedence) and its services as a set: the same for every ticket placed while
    the site stands, so worked out once rather than for each new ticket at each of its
    counters."""
    precedence = {code: i for i, code in enumerate(services)}
    lines = tuple(
        (Line(service=code, priority=priority), precedence[code])
        for code in services
        for priority in (True, False)
    )
    return Line(counter=number), lines, precedence, frozenset(services)


def _drawn_from(counter: Counter) -> tuple[object, bool]:
    """The service lines a counter draws from and whether by rank: equal for counters that
    draw from the same lines the same way. By rank, the order of the services does not
    matter, only which they are."""
    services = counter.calls_services
    if counter.call_mode is CallMode.SERVICE_ORDER:
        return services, False
    return _layout(counter.number, services)[3], True


def alike(counter: Counter) -> tuple[object, ...]:
    """A key equal for counters whose `CallCount` is the same for any ticket sent to
    neither (besides its number and its own line, a count reads the lines it draws from,
    whether by rank or in its services' order, and its priority streak): in a hall whose
    counters serve the same services, one count does for all."""
    return (*_drawn_from(counter), counter.priority_streak)


class CallCount:
    """`calls_before` at one counter, what does not depend on the ticket worked out once.

    `call_order` is the rule; this is the same rule solved for one ticket, and a property
    test holds the two equal. Transferred tickets come first; then, with `a` priority calls
    allowed before the first ordinary one (the ratio less the streak) and `r` between two
    ordinary ones, the n-th ordinary ticket (from 0) follows min(P, a + n·r) priority calls
    of the P waiting, and the m-th priority ticket follows min(N, (m - a) // r + 1) of the
    N ordinary ones once m ≥ a (none before). Cost per ticket: a binary search per line of
    the counter; once per counter, one step per ticket transferred to it (a handful).

    What depends only on the service lines a counter draws from (`_ServiceQueues`: their
    totals and how many stand before a ticket) is shared, through `shared`, by every
    counter that draws from the same ones the same way: in a hall where four counters
    serve the same services, a new ticket is counted off the lines once, not four times.
    """

    def __init__(
        self,
        counter: Counter,
        lines: WaitingLines,
        tickets: Mapping[int, Ticket],
        priority_ratio: int = DEFAULT_PRIORITY_RATIO,
        shared: dict[object, _ServiceQueues] | None = None,
    ) -> None:
        self._lines = lines
        services = counter.calls_services
        self._own, service_lines, precedence, _ = _layout(counter.number, services)
        self._number = counter.number
        self._transferred = lines.count(self._own)
        streak = counter.priority_streak
        if self._transferred:
            for ticket_id in lines.ids(self._own):  # they count towards the streak too
                streak = streak + 1 if tickets[ticket_id].priority else 0
        self._ratio = max(priority_ratio, 0)
        self._first_run = max(0, self._ratio - streak)
        key = _drawn_from(counter)
        rank_first = key[1]
        queues = shared.get(key) if shared is not None else None
        if queues is None:
            queues = _ServiceQueues(lines, service_lines, precedence, rank_first)
            if shared is not None:
                shared[key] = queues
        self._queues = queues

    def __call__(self, ticket: Ticket) -> int:
        if ticket.target_counter == self._number:
            return self._lines.count_before(self._own, place_of(ticket))
        queues = self._queues
        before = queues.before(ticket)  # waiting ahead of it in its class's order
        ratio, first_run = self._ratio, self._first_run
        if ticket.priority:
            if ratio == 0:
                ordinary = queues.ordinary
            elif before < first_run:
                ordinary = 0
            else:
                ordinary = min(queues.ordinary, (before - first_run) // ratio + 1)
            return self._transferred + before + ordinary
        return self._transferred + before + min(queues.priority, first_run + before * ratio)


class _ServiceQueues:
    """A counter's service lines as the call policy reads them (see `CallCount`)."""

    def __init__(
        self,
        lines: WaitingLines,
        service_lines: tuple[tuple[Line, int], ...],
        precedence: Mapping[str, int],
        rank_first: bool,
    ) -> None:
        self._lines = lines
        self._service_lines = service_lines
        self._precedence = precedence
        self._rank_first = rank_first
        self.priority = 0  # waiting in the priority lines
        self.ordinary = 0
        for line, _ in service_lines:
            if line.priority:
                self.priority += lines.count(line)
            else:
                self.ordinary += lines.count(line)
        self._before: dict[int, int] = {}

    def before(self, ticket: Ticket) -> int:
        """How many of `ticket`'s class (priority or not) come before it."""
        found = self._before.get(ticket.id)
        if found is not None:
            return found
        place = place_of(ticket)
        mine_at = self._precedence.get(ticket.service, len(self._precedence))
        count = 0
        for line, at in self._service_lines:
            if line.priority is not ticket.priority:
                continue
            if self._rank_first or at == mine_at:
                count += self._lines.count_before(line, place)
            elif at < mine_at:
                count += self._lines.count(line)
        self._before[ticket.id] = count
        return count


def front_rank(ticket: Ticket, queue: Iterable[Ticket]) -> int:
    """A rank that puts `ticket` before every ticket of `queue` (its target queue)."""
    ranks = [t.rank for t in queue if t.id != ticket.id]
    return min([ticket.rank, *(r - 1 for r in ranks)])


def ensure_free_for(counter: Counter, clerk: str | None) -> None:
    """Who holds a counter: raise unless `clerk` may act at `counter`, that is unless no
    other clerk holds it. `clerk` None (a supervisor, an administrator, a device) acts
    without taking the counter over, so it is never refused here.

    Raises:
        CounterBusy: another clerk holds `counter`.
    """
    if clerk is not None and counter.clerk is not None and counter.clerk != clerk:
        raise CounterBusy(counter.number, counter.clerk)


def holder_after(counter: Counter, clerk: str | None) -> str | None:
    """Who holds `counter` once `clerk` acted there: the clerk, who signs in by acting; a
    supervisor, an administrator or a device (None) leaves it to whoever held it."""
    return clerk if clerk is not None else counter.clerk


def held_by(counters: Iterable[Counter], clerk: str) -> list[Counter]:
    """The counters `clerk` holds, in the order given."""
    return [c for c in counters if c.clerk == clerk]


def ensure_one_counter(counters: Iterable[Counter], counter: Counter, clerk: str | None) -> None:
    """One counter per clerk: raise when acting at `counter` would make `clerk` hold it
    while holding another (one clerk signed in at all eight desks locks colleagues out).
    A supervisor frees the other counter (`close`, or `open` with `force`).

    Raises:
        ClerkElsewhere: `clerk` holds another counter.
    """
    if clerk is None or counter.clerk == clerk:
        return
    elsewhere = [c.number for c in held_by(counters, clerk) if c.number != counter.number]
    if elsewhere:
        raise ClerkElsewhere(elsewhere[0])


def ensure_can_call(counter: Counter, clerk: str | None) -> None:
    """Raise unless `clerk` may call at `counter` now (None: a device or supervisor)."""
    ensure_in_service(counter)
    if counter.state is CounterState.PAUSED:
        raise CounterPaused(counter.number)
    ensure_free_for(counter, clerk)


@dataclass(frozen=True, slots=True)
class CallOutcome:
    counter: Counter
    called: Ticket
    completed: Ticket | None  # the ticket that was at the counter, now done


def call(
    counter: Counter,
    current: Ticket | None,
    ticket: Ticket,
    clerk: str | None,
    at: datetime,
) -> CallOutcome:
    """Call `ticket` to `counter`, completing the counter's current ticket first."""
    ensure_can_call(counter, clerk)
    if ticket.status is not TicketStatus.WAITING:
        raise InvalidTransition(f"Số {ticket.number} không ở trạng thái chờ")
    if not counter.serves(ticket):
        raise InvalidTransition(f"Quầy số {counter.number} không phục vụ số {ticket.number}")
    completed = (
        complete(current, at)
        if current is not None and current.status is TicketStatus.CALLED
        else None
    )
    called = ticket.replace(
        status=TicketStatus.CALLED,
        called_at=at,
        counter=counter.number,
        clerk=holder_after(counter, clerk),
        target_counter=None,
    )
    streak = counter.priority_streak + 1 if ticket.priority else 0
    new_counter = counter.replace(
        state=CounterState.OPEN,
        clerk=holder_after(counter, clerk),
        current_ticket_id=called.id,
        priority_streak=streak,
    )
    return CallOutcome(new_counter, called, completed)


def call_next(
    counter: Counter,
    current: Ticket | None,
    waiting: Iterable[Ticket],
    clerk: str | None,
    at: datetime,
    priority_ratio: int = DEFAULT_PRIORITY_RATIO,
) -> CallOutcome:
    """Complete the current ticket and call the one `choose_next` picks.

    Raises:
        CounterPaused, CounterBusy: the counter may not call now.
        NothingWaiting: nobody waits for this counter (the current ticket stays).
    """
    ensure_can_call(counter, clerk)
    return call(counter, current, choose_next(counter, waiting, priority_ratio), clerk, at)


def walk_in(
    counter: Counter, current: Ticket | None, ticket: Ticket, clerk: str | None, at: datetime
) -> CallOutcome:
    """Serve at once a citizen who came without a kiosk ticket (`ticket` is freshly issued)."""
    return call(counter, current, ticket.replace(walk_in=True), clerk, at)


def _require(ticket: Ticket, *statuses: TicketStatus, action: str) -> None:
    if ticket.status not in statuses:
        raise InvalidTransition(
            f"Không thể {action} số {ticket.number} (trạng thái {ticket.status.value})"
        )


def recall(ticket: Ticket) -> Ticket:
    _require(ticket, TicketStatus.CALLED, action="gọi lại")
    return ticket.replace(recalls=ticket.recalls + 1)


def complete(ticket: Ticket, at: datetime) -> Ticket:
    _require(ticket, TicketStatus.CALLED, action="hoàn thành")
    return ticket.replace(status=TicketStatus.DONE, finished_at=at)


def no_show(ticket: Ticket, at: datetime) -> Ticket:
    _require(ticket, TicketStatus.CALLED, action="đánh dấu vắng mặt")
    return ticket.replace(status=TicketStatus.NO_SHOW, finished_at=at)


def cancel(ticket: Ticket, at: datetime) -> Ticket:
    _require(ticket, TicketStatus.WAITING, TicketStatus.CALLED, action="hủy")
    return ticket.replace(status=TicketStatus.CANCELLED, finished_at=at)


def expire(ticket: Ticket, at: datetime) -> Ticket:
    _require(ticket, TicketStatus.WAITING, TicketStatus.CALLED, action="hết hạn")
    return ticket.replace(status=TicketStatus.EXPIRED, finished_at=at)


def transfer(
    ticket: Ticket,
    queue: Iterable[Ticket],
    *,
    service: str | None = None,
    counter: int | None = None,
) -> Ticket:
    """Send `ticket` back to waiting, at the front of `queue` (the target's waiting tickets).

    To a service (`service=`): any counter of that service may call it. To a counter
    (`counter=`): that counter alone may. It keeps its id and number.
    """
    _require(ticket, TicketStatus.WAITING, TicketStatus.CALLED, action="chuyển")
    if (service is None) == (counter is None):
        raise InvalidTransition("Chuyển đến một lĩnh vực hoặc một quầy")
    return ticket.replace(
        status=TicketStatus.WAITING,
        service=service if service is not None else ticket.service,
        target_counter=counter,
        rank=front_rank(ticket, queue),
        called_at=None,
        counter=None,
        clerk=None,
        recalls=0,
    )


def release(counter: Counter, ticket_id: int) -> Counter:
    """`counter` once its current ticket `ticket_id` left it (done, no-show, transferred)."""
    if counter.current_ticket_id != ticket_id:
        return counter
    return counter.replace(current_ticket_id=None)


def ensure_in_service(counter: Counter) -> None:
    """Raise when `counter` was retired from the site: kept for its history, it opens and
    calls no more."""
    if counter.retired:
        raise InvalidTransition(f"{counter.name} đã ngừng hoạt động")


def open_counter(counter: Counter, clerk: str | None, *, force: bool = False) -> Counter:
    """A clerk signs in at `counter`; `force` lets a supervisor take it over."""
    ensure_in_service(counter)
    if not force:
        ensure_free_for(counter, clerk)
    # A supervisor or device (no clerk) opens the counter without signing anyone out,
    # unless forcing, which frees the counter for whoever signs in next.
    keep = None if force and clerk is None else holder_after(counter, clerk)
    return counter.replace(state=CounterState.OPEN, clerk=keep, pause_reason=None)


def send_to_help(counter: Counter, service: str, today: date) -> Counter:
    """A supervisor sends `counter` to help `service` for the rest of `today`: it calls
    that service's line too (after its own, in `CallMode.SERVICE_ORDER`).

    Raises:
        InvalidTransition: a retired counter, or a service it already serves.
    """
    ensure_in_service(counter)
    if service in counter.services:
        raise InvalidTransition(f"{counter.name} đã phục vụ lĩnh vực này")
    return counter.replace(helps=service, helps_on=today)


def end_help(counter: Counter) -> Counter:
    """`counter` back to its own services alone."""
    return counter.replace(helps=None, helps_on=None)


def help_is_over(counter: Counter, today: date) -> bool:
    """Whether `counter` still helps a service from a day before `today`: help lasts
    the day it was given, even across a restart."""
    return counter.helps is not None and counter.helps_on != today


def close_counter(counter: Counter) -> Counter:
    return counter.replace(state=CounterState.CLOSED, clerk=None, pause_reason=None)


def pause(counter: Counter, reason: str) -> Counter:
    if counter.state is CounterState.PAUSED:
        raise InvalidTransition(f"Quầy số {counter.number} đã tạm ngưng")
    return counter.replace(state=CounterState.PAUSED, pause_reason=reason)


def resume(counter: Counter) -> Counter:
    if counter.state is not CounterState.PAUSED:
        raise InvalidTransition(f"Quầy số {counter.number} không tạm ngưng")
    return counter.replace(state=CounterState.OPEN, pause_reason=None)


# --- a citizen who came late ---------------------------------------------------------------

# Long enough for a citizen who stepped out to hear the recall and walk back; short
# enough that an undo never pulls back a ticket the counter has long moved on from.
# The same in every centre: it guards a click, not a local custom.
UNDO_NO_SHOW_WINDOW = timedelta(minutes=5)


def undo_no_show(
    counter: Counter, current: Ticket | None, ticket: Ticket, clerk: str | None, at: datetime
) -> CallOutcome:
    """Take back a no-show: `ticket` is at `counter` again, as it was before the mark.

    Only the counter that marked it, within `UNDO_NO_SHOW_WINDOW`, and only while that
    counter serves nobody else (the clerk completes the next citizen first). The ticket
    keeps its call time and recalls: the undo restores it, it is not a new call.

    Raises:
        CounterPaused, CounterBusy: the counter may not call now.
        InvalidTransition: not a no-show, another counter's, too late, or the counter
            is serving another citizen.
    """
    ensure_can_call(counter, clerk)
    _require(ticket, TicketStatus.NO_SHOW, action="hoàn tác vắng mặt cho")
    if ticket.counter != counter.number:
        raise InvalidTransition(
            f"Số {ticket.number} được đánh dấu vắng mặt ở quầy khác, không phải quầy số "
            f"{counter.number}: hãy đưa số vào lại hàng chờ"
        )
    if ticket.finished_at is None or at - ticket.finished_at > UNDO_NO_SHOW_WINDOW:
        minutes = int(UNDO_NO_SHOW_WINDOW.total_seconds() // 60)
        raise InvalidTransition(
            f"Đã quá {minutes} phút kể từ khi số {ticket.number} bị đánh dấu vắng mặt: "
            "hãy đưa số vào lại hàng chờ"
        )
    if current is not None and current.status is TicketStatus.CALLED:
        raise InvalidTransition(
            f"Quầy số {counter.number} đang phục vụ số {current.number}: hoàn thành số đó trước"
        )
    restored = ticket.replace(status=TicketStatus.CALLED, finished_at=None)
    return CallOutcome(
        counter.replace(
            state=CounterState.OPEN,
            clerk=holder_after(counter, clerk),
            current_ticket_id=ticket.id,
        ),
        restored,
        None,
    )


def requeue(
    ticket: Ticket, queue: Iterable[Ticket], today: date, *, by: Counter | None = None
) -> Ticket:
    """Put a late citizen's no-show `ticket` back in its service's queue, at its front.

    The citizen already waited their turn and was called: the next call of the service
    is where a hall expects them, not the back of the line (priority tickets still keep
    their precedence, as after a transfer). `by` is the clerk's counter, which must
    serve the ticket's service (None: a supervisor, for the whole hall); `queue` is that
    service's waiting tickets. It keeps its id and number; only a ticket of `today`
    comes back.

    Raises:
        InvalidTransition: not a no-show, of another day, or of a service `counter`
            does not serve.
    """
    _require(ticket, TicketStatus.NO_SHOW, action="đưa vào lại hàng chờ")
    if ticket.day != today:
        raise InvalidTransition(f"Số {ticket.number} là số của ngày khác")
    if by is not None and ticket.service not in by.services:
        raise InvalidTransition(
            f"Quầy số {by.number} không phục vụ lĩnh vực của số {ticket.number}"
        )
    return ticket.replace(
        status=TicketStatus.WAITING,
        target_counter=None,
        rank=front_rank(ticket, queue),
        called_at=None,
        finished_at=None,
        counter=None,
        clerk=None,
        recalls=0,
    )
