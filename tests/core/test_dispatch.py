"""The call policy: which waiting ticket a counter calls next."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queue_core.dispatch import DEFAULT_PRIORITY_RATIO, call, call_order, choose_next
from queue_core.errors import NothingWaiting
from queue_core.model import CallMode, Ticket, TicketStatus
from tests.core.builders import MONDAY_8AM, make_counter, make_ticket


def calls_in_order(
    counter_services: tuple[str, ...], waiting: list[Ticket], **kw: object
) -> list[int]:
    """Ids in the order one counter calls them, calling until nothing waits."""
    counter = make_counter(services=counter_services, **kw)  # type: ignore[arg-type]
    pending = {t.id: t for t in waiting}
    order: list[int] = []
    while True:
        try:
            ticket = choose_next(counter, pending.values())
        except NothingWaiting:
            return order
        outcome = call(counter, None, ticket, "lan", MONDAY_8AM)
        counter = outcome.counter
        del pending[ticket.id]
        order.append(ticket.id)


def test_the_default_ratio_is_three() -> None:
    assert DEFAULT_PRIORITY_RATIO == 3


def test_nothing_waiting_raises_for_that_counter() -> None:
    with pytest.raises(NothingWaiting) as caught:
        choose_next(make_counter(4), [])
    assert caught.value.counter == 4
    assert "Quầy số 4" in caught.value.message


def test_tickets_of_other_services_are_not_eligible() -> None:
    with pytest.raises(NothingWaiting):
        choose_next(make_counter(services=("TP",)), [make_ticket(1, "DD")])


def test_tickets_no_longer_waiting_are_not_eligible() -> None:
    waiting = [
        make_ticket(1, status=TicketStatus.CALLED),
        make_ticket(2, status=TicketStatus.DONE),
        make_ticket(3, status=TicketStatus.NO_SHOW),
    ]
    with pytest.raises(NothingWaiting):
        choose_next(make_counter(), waiting)


def test_the_oldest_ticket_is_called_first() -> None:
    assert choose_next(make_counter(), [make_ticket(3), make_ticket(1), make_ticket(2)]).id == 1


def test_longest_waiting_among_all_the_counters_services() -> None:
    waiting = [make_ticket(1, "DD"), make_ticket(2, "TP"), make_ticket(3, "DD")]
    assert calls_in_order(("TP", "DD"), waiting) == [1, 2, 3]


def test_service_order_mode_serves_the_first_service_before_the_second() -> None:
    waiting = [
        make_ticket(1, "DD"),
        make_ticket(2, "TP"),
        make_ticket(3, "DD"),
        make_ticket(4, "TP"),
    ]
    order = calls_in_order(("TP", "DD"), waiting, call_mode=CallMode.SERVICE_ORDER)
    assert order == [2, 4, 1, 3]


def test_priority_goes_first() -> None:
    waiting = [make_ticket(1), make_ticket(2), make_ticket(3, priority=True)]
    assert choose_next(make_counter(), waiting).id == 3


def test_priority_gives_way_to_a_normal_ticket_after_three_in_a_row() -> None:
    waiting = [make_ticket(1), make_ticket(2)] + [
        make_ticket(i, priority=True) for i in range(3, 10)
    ]
    assert calls_in_order(("TP",), waiting) == [3, 4, 5, 1, 6, 7, 8, 2, 9]


def test_the_ratio_is_configurable() -> None:
    counter = make_counter(priority_streak=1)
    waiting = [make_ticket(1), make_ticket(2, priority=True)]
    assert choose_next(counter, waiting, priority_ratio=1).id == 1
    assert choose_next(counter, waiting, priority_ratio=2).id == 2


def test_priority_keeps_calling_when_no_normal_ticket_waits() -> None:
    counter = make_counter(priority_streak=7)
    assert (
        choose_next(counter, [make_ticket(1, priority=True), make_ticket(2, priority=True)]).id == 1
    )


def test_anti_starvation_turn_goes_to_the_longest_waiting_normal_ticket() -> None:
    counter = make_counter(services=("TP", "DD"), priority_streak=3)
    waiting = [make_ticket(1, priority=True), make_ticket(3, "TP"), make_ticket(2, "DD")]
    assert choose_next(counter, waiting).id == 2


def test_priority_comes_before_service_order() -> None:
    counter = make_counter(services=("TP", "DD"), call_mode=CallMode.SERVICE_ORDER)
    waiting = [make_ticket(1, "TP"), make_ticket(2, "DD", priority=True)]
    assert choose_next(counter, waiting).id == 2


def test_service_order_within_the_priority_pool() -> None:
    counter = make_counter(services=("TP", "DD"), call_mode=CallMode.SERVICE_ORDER)
    waiting = [make_ticket(1, "DD", priority=True), make_ticket(2, "TP", priority=True)]
    assert choose_next(counter, waiting).id == 2


def test_a_ticket_transferred_to_this_counter_comes_before_everyone() -> None:
    waiting = [
        make_ticket(1, priority=True),
        make_ticket(2),
        make_ticket(9, "DD", target_counter=1),
    ]
    assert choose_next(make_counter(1, ("TP",)), waiting).id == 9


def test_a_ticket_transferred_to_another_counter_is_not_called_here() -> None:
    waiting = [make_ticket(1, target_counter=2), make_ticket(2)]
    assert choose_next(make_counter(1), waiting).id == 2
    with pytest.raises(NothingWaiting):
        choose_next(make_counter(1), [make_ticket(1, target_counter=2)])


def test_transferred_tickets_for_this_counter_follow_their_rank() -> None:
    waiting = [make_ticket(5, target_counter=1, rank=5), make_ticket(6, target_counter=1, rank=-1)]
    assert choose_next(make_counter(1), waiting).id == 6


def test_a_lower_rank_jumps_the_queue_and_equal_ranks_fall_back_to_id() -> None:
    waiting = [make_ticket(1), make_ticket(7, rank=0), make_ticket(8, rank=0)]
    assert calls_in_order(("TP",), waiting) == [7, 8, 1]


def test_service_order_skips_services_with_nobody_waiting() -> None:
    counter = make_counter(services=("TP", "DD", "LD"), call_mode=CallMode.SERVICE_ORDER)
    assert choose_next(counter, [make_ticket(4, "LD"), make_ticket(3, "DD")]).id == 3


# --- the clerk's list: the whole call order at once ------------------------------------

waiting_tickets = st.lists(
    st.tuples(
        st.sampled_from(["TP", "DD", "XD"]),
        st.booleans(),
        st.integers(min_value=1, max_value=60),
        st.sampled_from([None, 1, 2]),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(
    waiting=waiting_tickets,
    mode=st.sampled_from(list(CallMode)),
    streak=st.integers(min_value=0, max_value=4),
    ratio=st.integers(min_value=1, max_value=4),
)
def test_the_call_order_is_what_calling_again_and_again_would_give(
    waiting: list[tuple[str, bool, int, int | None]], mode: CallMode, streak: int, ratio: int
) -> None:
    tickets = [
        make_ticket(i + 1, service, priority=priority, rank=rank, target_counter=target)
        for i, (service, priority, rank, target) in enumerate(waiting)
    ]
    counter = make_counter(1, ("DD", "TP"), call_mode=mode, priority_streak=streak)
    expected: list[int] = []
    pending = {t.id: t for t in tickets}
    while True:
        try:
            ticket = choose_next(counter, pending.values(), ratio)
        except NothingWaiting:
            break
        counter = call(counter, None, ticket, "lan", MONDAY_8AM).counter
        del pending[ticket.id]
        expected.append(ticket.id)
    start = make_counter(1, ("DD", "TP"), call_mode=mode, priority_streak=streak)
    assert [t.id for t in call_order(start, tickets, ratio)] == expected


def test_the_call_order_puts_priority_first_but_lets_a_normal_ticket_through() -> None:
    tickets = [make_ticket(1), *(make_ticket(i, priority=True) for i in range(2, 7))]
    assert [t.id for t in call_order(make_counter(), tickets)] == [2, 3, 4, 1, 5, 6]
