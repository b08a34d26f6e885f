"""The call policy alone decides which lines a counter draws from: the first ticket of each
of `lines_of` is all `choose_next` needs, whatever waits behind them."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queue_core.dispatch import Line, call_order, choose_next, lines_of
from queue_core.errors import NothingWaiting
from queue_core.model import CallMode, Counter, Ticket, TicketStatus
from tests.core.builders import make_counter, make_ticket

SERVICES = ("TP", "DD", "XD")


def heads(lines: list[Line], waiting: list[Ticket]) -> list[Ticket]:
    """What a store answers for `lines`: the first waiting ticket of each, by (rank, id)."""

    def in_line(line: Line, t: Ticket) -> bool:
        if line.counter is not None:
            return t.target_counter == line.counter
        return (
            t.target_counter is None
            and t.service == line.service
            and (line.priority is None or t.priority == line.priority)
        )

    found = []
    for line in lines:
        members = [t for t in waiting if in_line(line, t)]
        if members:
            found.append(min(members, key=lambda t: (t.rank, t.id)))
    return found


def previous_choose_next(counter: Counter, waiting: list[Ticket], ratio: int) -> Ticket | None:
    """`choose_next` as it was written before it became the first of `call_order`: the
    oracle that the one rule calls as the two did."""
    eligible = [t for t in waiting if t.status is TicketStatus.WAITING and counter.serves(t)]
    if not eligible:
        return None
    targeted = [t for t in eligible if t.target_counter == counter.number]
    if targeted:
        return min(targeted, key=lambda t: (t.rank, t.id))
    priority = [t for t in eligible if t.priority]
    normal = [t for t in eligible if not t.priority]
    pool = priority if priority and (not normal or counter.priority_streak < ratio) else normal
    if counter.call_mode is CallMode.SERVICE_ORDER:
        for code in counter.services:
            in_service = [t for t in pool if t.service == code]
            if in_service:
                return min(in_service, key=lambda t: (t.rank, t.id))
    return min(pool, key=lambda t: (t.rank, t.id))


def test_a_counter_draws_from_its_transfers_then_each_services_two_lines() -> None:
    assert lines_of(("TP", "DD"), 3) == [
        Line(counter=3),
        Line(service="TP", priority=True),
        Line(service="TP", priority=False),
        Line(service="DD", priority=True),
        Line(service="DD", priority=False),
    ]
    assert lines_of(("TP",)) == [
        Line(service="TP", priority=True),
        Line(service="TP", priority=False),
    ]


tickets = st.lists(
    st.tuples(
        st.sampled_from(SERVICES),
        st.booleans(),
        st.integers(-5, 5),  # rank: transfers and requeues put tickets in front
        st.sampled_from([None, None, None, 1, 2]),  # sent to a counter
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=200, deadline=None)
@given(
    tickets,
    st.sampled_from([("TP",), ("TP", "DD"), ("DD", "XD", "TP")]),
    st.sampled_from(list(CallMode)),
    st.integers(0, 4),
    st.integers(1, 4),
)
def test_the_heads_of_the_lines_choose_as_the_whole_queue_does(
    spec: list[tuple[str, bool, int, int | None]],
    services: tuple[str, ...],
    mode: CallMode,
    streak: int,
    ratio: int,
) -> None:
    waiting = [
        make_ticket(i, service, priority=priority, rank=rank, target_counter=target)
        for i, (service, priority, rank, target) in enumerate(spec, start=1)
    ]
    counter = make_counter(1, services, call_mode=mode, priority_streak=streak)
    order = call_order(counter, waiting, ratio)
    assert (order[0] if order else None) == previous_choose_next(counter, waiting, ratio)
    if not order:
        with pytest.raises(NothingWaiting):
            choose_next(counter, waiting, ratio)
        return
    assert choose_next(counter, waiting, ratio) == order[0]
    assert choose_next(counter, heads(lines_of(services, 1), waiting), ratio) == order[0]
