"""People ahead: read off the call policy, so it is exactly the calls before a ticket."""

from hypothesis import given, settings
from hypothesis import strategies as st

from queue_core.ahead import Hall, Place, counters_for, places, waiting_ahead
from queue_core.dispatch import DEFAULT_PRIORITY_RATIO, call, choose_next
from queue_core.errors import NothingWaiting
from queue_core.lines import WaitingLines
from queue_core.model import CallMode, Counter, CounterState, Ticket, TicketStatus
from tests.core.builders import MONDAY_8AM, make_counter, make_ticket


def ahead_of(ticket: Ticket, counters: list[Counter], waiting: list[Ticket], ratio: int = 3) -> int:
    return waiting_ahead([ticket], counters, waiting, ratio)[ticket.id]


def test_a_priority_ticket_behind_five_ordinary_ones_is_next() -> None:
    ordinary = [make_ticket(i) for i in range(1, 6)]
    urgent = make_ticket(6, priority=True)
    assert ahead_of(urgent, [make_counter()], [*ordinary, urgent]) == 0


def test_a_priority_ticket_waits_one_normal_call_when_the_ratio_is_used_up() -> None:
    ordinary = [make_ticket(i) for i in range(1, 6)]
    urgent = make_ticket(6, priority=True)
    tired = make_counter(priority_streak=DEFAULT_PRIORITY_RATIO)
    assert ahead_of(urgent, [tired], [*ordinary, urgent]) == 1


def test_an_ordinary_ticket_counts_the_priority_tickets_that_came_after_it() -> None:
    mine = make_ticket(1)
    later = [make_ticket(i, priority=True) for i in range(2, 7)]
    # Five priority tickets, but the ratio lets the ordinary ticket through after three.
    assert ahead_of(mine, [make_counter()], [mine, *later]) == 3
    second = make_ticket(7)
    assert ahead_of(second, [make_counter()], [mine, *later, second]) == 6


def test_a_ticket_not_waiting_has_nobody_ahead() -> None:
    called = make_ticket(1, status=TicketStatus.CALLED, counter=1)
    assert ahead_of(called, [make_counter()], [make_ticket(2, priority=True)]) == 0


def test_the_counter_that_reaches_the_ticket_first_decides() -> None:
    # Counter 1 serves DD before TP; counter 2 serves TP alone: the TP ticket is next at 2.
    dd_first = make_counter(1, ("DD", "TP"), call_mode=CallMode.SERVICE_ORDER)
    tp_only = make_counter(2, ("TP",))
    land = [make_ticket(i, "DD") for i in range(1, 4)]
    mine = make_ticket(4, "TP")
    assert ahead_of(mine, [dd_first], [*land, mine]) == 3
    assert ahead_of(mine, [dd_first, tp_only], [*land, mine]) == 0


def test_each_counter_has_its_own_priority_streak() -> None:
    normal = make_ticket(1)
    urgent = make_ticket(2, priority=True)
    tired = make_counter(1, priority_streak=DEFAULT_PRIORITY_RATIO)
    fresh = make_counter(2, priority_streak=0)
    assert ahead_of(urgent, [tired], [normal, urgent]) == 1
    assert ahead_of(urgent, [tired, fresh], [normal, urgent]) == 0


def test_closed_counters_do_not_count_while_another_is_staffed() -> None:
    dd_first = make_counter(1, ("DD", "TP"), call_mode=CallMode.SERVICE_ORDER)
    closed = make_counter(2, ("TP",), state=CounterState.CLOSED)
    land = [make_ticket(i, "DD") for i in range(1, 4)]
    mine = make_ticket(4, "TP")
    assert ahead_of(mine, [dd_first, closed], [*land, mine]) == 3
    # Before anyone signs in, every counter that serves it counts.
    nobody = [dd_first.replace(state=CounterState.CLOSED), closed]
    assert ahead_of(mine, nobody, [*land, mine]) == 0
    # A paused counter will resume: it still counts.
    paused = closed.replace(state=CounterState.PAUSED)
    assert ahead_of(mine, [dd_first, paused], [*land, mine]) == 0


def test_a_ticket_transferred_to_a_counter_is_placed_at_that_counter_alone() -> None:
    one = make_counter(1, ("TP",))
    two = make_counter(2, ("TP",))
    queue = [make_ticket(i) for i in range(1, 4)]
    sent = make_ticket(9, rank=0, target_counter=2)
    earlier = make_ticket(8, rank=-1, target_counter=2)
    assert ahead_of(sent, [one, two], [*queue, earlier, sent]) == 1
    assert ahead_of(queue[0], [one, two], [*queue, earlier, sent]) == 0
    assert counters_for(sent, [one, two]) == [two]


def test_a_ticket_no_counter_serves_is_placed_in_its_own_queue() -> None:
    queue = [make_ticket(i, "LD") for i in range(1, 4)]
    urgent = make_ticket(4, "LD", priority=True)
    assert ahead_of(queue[2], [make_counter(1, ("TP",))], queue) == 2
    assert ahead_of(urgent, [], [*queue, urgent]) == 0
    gone = make_ticket(5, target_counter=7)
    assert ahead_of(gone, [make_counter(1)], [make_ticket(4, target_counter=7), gone]) == 1


def test_the_placed_tickets_need_not_be_in_the_queue_read() -> None:
    queue = [make_ticket(i) for i in range(1, 4)]
    mine = make_ticket(4)
    assert ahead_of(mine, [make_counter()], queue) == 3


def test_a_whole_list_is_placed_at_once_with_the_same_figures() -> None:
    counters = [make_counter(1, ("TP",)), make_counter(2, ("TP", "DD"), priority_streak=2)]
    queue = [make_ticket(i, "TP" if i % 3 else "DD", priority=i % 4 == 0) for i in range(1, 13)]
    together = waiting_ahead(queue, counters, queue)
    assert together == {t.id: ahead_of(t, counters, queue) for t in queue}


# --- the property: the figure is the number of calls made before the ticket -----------

waiting_tickets = st.lists(
    st.tuples(
        st.sampled_from(["TP", "DD", "XD"]),
        st.booleans(),
        st.integers(min_value=1, max_value=60),
        st.sampled_from([None, None, None, 1, 2]),
    ),
    min_size=1,
    max_size=20,
)
counter_specs = st.lists(
    st.tuples(
        # The same services in two orders: counters by rank share their lines' counts.
        st.sampled_from(
            [("TP",), ("DD", "TP"), ("TP", "DD"), ("TP", "XD"), ("DD",), ("XD", "DD", "TP")]
        ),
        st.sampled_from(list(CallMode)),
        st.integers(min_value=0, max_value=4),
    ),
    min_size=1,
    max_size=3,
)


def hall_of(
    waiting: list[tuple[str, bool, int, int | None]],
    specs: list[tuple[tuple[str, ...], CallMode, int]],
) -> tuple[list[Ticket], list[Counter]]:
    """The waiting tickets and the counters the strategies above describe."""
    tickets = [
        make_ticket(i + 1, service, priority=priority, rank=rank, target_counter=target)
        for i, (service, priority, rank, target) in enumerate(waiting)
    ]
    counters = [
        make_counter(n + 1, services, call_mode=mode, priority_streak=streak)
        for n, (services, mode, streak) in enumerate(specs)
    ]
    return tickets, counters


def calls_before(counter: Counter, tickets: list[Ticket], mine: Ticket, ratio: int) -> int | None:
    """Call again and again at `counter` alone until it calls `mine`: how many calls first."""
    pending = {t.id: t for t in tickets}
    calls = 0
    while True:
        try:
            chosen = choose_next(counter, pending.values(), ratio)
        except NothingWaiting:
            return None
        if chosen.id == mine.id:
            return calls
        counter = call(counter, None, chosen, "lan", MONDAY_8AM).counter
        del pending[chosen.id]
        calls += 1


@settings(max_examples=200, deadline=None)
@given(
    waiting=waiting_tickets,
    specs=counter_specs,
    ratio=st.integers(min_value=1, max_value=4),
    pick=st.integers(min_value=0),
)
def test_people_ahead_is_the_calls_made_before_the_ticket_when_nobody_else_comes(
    waiting: list[tuple[str, bool, int, int | None]],
    specs: list[tuple[tuple[str, ...], CallMode, int]],
    ratio: int,
    pick: int,
) -> None:
    tickets, counters = hall_of(waiting, specs)
    mine = tickets[pick % len(tickets)]
    at_each = [calls_before(c, tickets, mine, ratio) for c in counters]
    reachable = [n for n in at_each if n is not None]
    figure = waiting_ahead([mine], counters, tickets, ratio)[mine.id]
    if reachable:
        assert figure == min(reachable)
    else:
        # No counter may call it: its place in its own queue, as a lone counter would call it.
        stand_in = counters_for(mine, counters)[0]
        assert figure == calls_before(stand_in, tickets, mine, ratio)


@settings(max_examples=200, deadline=None)
@given(waiting=waiting_tickets, specs=counter_specs, ratio=st.integers(min_value=1, max_value=4))
def test_a_whole_queue_placed_at_once_gets_what_each_ticket_gets_alone(
    waiting: list[tuple[str, bool, int, int | None]],
    specs: list[tuple[tuple[str, ...], CallMode, int]],
    ratio: int,
) -> None:
    """What one placing works out once and reuses (each counter's count, shared by counters
    alike) changes no ticket's figure, nor the counter that reaches it first."""
    tickets, counters = hall_of(waiting, specs)
    lines = WaitingLines()
    for ticket in tickets:
        lines.add(ticket)
    by_id = {t.id: t for t in tickets}

    def where(placed: Place) -> tuple[int, int | None]:
        return placed.ahead, placed.counter.number if placed.counter else None

    together = places(tickets, counters, lines, by_id, ratio)
    alone = {t.id: places([t], counters, lines, by_id, ratio)[t.id] for t in tickets}
    assert {i: where(p) for i, p in together.items()} == {i: where(p) for i, p in alone.items()}


@settings(max_examples=200, deadline=None)
@given(waiting=waiting_tickets, specs=counter_specs, ratio=st.integers(min_value=1, max_value=4))
def test_a_hall_kept_while_its_counters_stand_places_as_a_fresh_one(
    waiting: list[tuple[str, bool, int, int | None]],
    specs: list[tuple[tuple[str, ...], CallMode, int]],
    ratio: int,
) -> None:
    """The hall keeps, per service, which counters count apart while the queue changes
    under it (tickets come, some sent to a counter, which then counts apart from the
    counters alike it): each new ticket is placed as a hall made for it would."""
    tickets, counters = hall_of(waiting, specs)
    kept = Hall(counters)
    lines = WaitingLines()
    by_id: dict[int, Ticket] = {}

    def where(placed: Place) -> tuple[int, int | None]:
        return placed.ahead, placed.counter.number if placed.counter else None

    for ticket in tickets:
        lines.add(ticket)
        by_id[ticket.id] = ticket
        queue = list(by_id.values())
        assert {i: where(p) for i, p in places(queue, kept, lines, by_id, ratio).items()} == {
            i: where(p) for i, p in places(queue, counters, lines, by_id, ratio).items()
        }


def test_tickets_of_services_no_counter_serves_each_count_their_own_queue() -> None:
    """Each gets a stand-in counter of its own service, placed in one go."""
    land = [make_ticket(i, "DD") for i in range(1, 4)]
    building = [make_ticket(i, "XD") for i in range(4, 6)]
    justice_only = make_counter(1, ("TP",))
    placed = waiting_ahead([land[2], building[1]], [justice_only], [*land, *building])
    assert placed == {land[2].id: 2, building[1].id: 1}


def test_counters_drawing_from_the_same_services_each_keep_their_own_transfers() -> None:
    """What counters of the same services share (the service lines) is shared; what is
    a counter's own (the tickets sent to it, its streak) is not."""
    sent_here = make_ticket(1, "TP", target_counter=1)
    mine = make_ticket(2, "TP")
    busy = make_counter(1, ("TP", "DD"))
    free = make_counter(2, ("DD", "TP"))  # the same services, in another order
    tired = make_counter(3, ("TP", "DD"), priority_streak=DEFAULT_PRIORITY_RATIO)
    urgent = make_ticket(3, "DD", priority=True)
    assert ahead_of(mine, [busy], [sent_here, mine]) == 1
    assert ahead_of(mine, [busy, free], [sent_here, mine]) == 0
    assert ahead_of(urgent, [tired, busy], [sent_here, mine, urgent]) == 1
    assert ahead_of(urgent, [tired], [mine, urgent]) == 1
    assert ahead_of(urgent, [tired, free], [mine, urgent]) == 0


def test_counters_taking_the_same_services_in_another_order_count_apart() -> None:
    """In service order, the order is the count: such counters are not alike, though the
    services are the same (by rank they are)."""
    land = [make_ticket(i, "DD") for i in range(1, 4)]
    mine = make_ticket(4, "TP")
    for mode, ahead in ((CallMode.SERVICE_ORDER, 0), (CallMode.LONGEST_WAITING, 3)):
        land_first = make_counter(1, ("DD", "TP"), call_mode=mode)
        justice_first = make_counter(2, ("TP", "DD"), call_mode=mode)
        assert ahead_of(mine, [land_first, justice_first], [*land, mine]) == ahead
