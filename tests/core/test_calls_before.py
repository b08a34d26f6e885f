"""`dispatch.calls_before` is `call_order` solved for one ticket: the same answer, counted
off the waiting lines instead of sorting the queue (issue #15: nothing on the hot path
grows with the queue)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from queue_core.dispatch import call_order, calls_before
from queue_core.lines import WaitingLines
from queue_core.model import CallMode, Counter, Ticket
from tests.core.builders import make_counter, make_ticket

SERVICES = ("A", "B", "C")


@st.composite
def halls(draw: st.DrawFn) -> tuple[Counter, list[Ticket], int]:
    services = tuple(draw(st.permutations(SERVICES))[: draw(st.integers(1, 3))])
    counter = make_counter(
        1,
        services,
        call_mode=draw(st.sampled_from(CallMode)),
        priority_streak=draw(st.integers(0, 5)),
    )
    tickets = []
    for ticket_id in range(1, draw(st.integers(0, 40)) + 1):
        tickets.append(
            make_ticket(
                ticket_id,
                draw(st.sampled_from(SERVICES)),
                priority=draw(st.booleans()),
                # Transfers and requeues lower a rank below every other.
                rank=draw(st.sampled_from([ticket_id, ticket_id, ticket_id, -ticket_id])),
                target_counter=draw(st.sampled_from([None, None, None, 1, 2])),
            )
        )
    return counter, tickets, draw(st.integers(0, 5))


@settings(max_examples=400, deadline=None)
@given(halls())
def test_calls_before_is_the_index_in_call_order(hall: tuple[Counter, list[Ticket], int]) -> None:
    counter, tickets, ratio = hall
    lines = WaitingLines()
    for ticket in tickets:
        lines.add(ticket)
    by_id = {t.id: t for t in tickets}
    order = call_order(counter, tickets, ratio)
    assert [calls_before(counter, t, lines, by_id, ratio) for t in order] == list(range(len(order)))


def test_a_ticket_not_yet_in_the_lines_is_placed_where_it_would_stand() -> None:
    counter = make_counter(1, ("A",))
    lines = WaitingLines()
    waiting = [make_ticket(i, "A", priority=i % 2 == 0) for i in range(1, 8)]
    for ticket in waiting:
        lines.add(ticket)
    newcomer = make_ticket(8, "A")
    by_id = {t.id: t for t in waiting}
    expected = call_order(counter, [*waiting, newcomer]).index(newcomer)
    assert calls_before(counter, newcomer, lines, by_id) == expected == 7
