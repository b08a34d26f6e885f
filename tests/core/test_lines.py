"""The waiting lines kept sorted: heads, counts and places without walking the queue."""

from __future__ import annotations

import pytest

from queue_core.dispatch import Line, ensure_can_call, ensure_one_counter, open_counter
from queue_core.errors import ClerkElsewhere, InvalidTransition
from queue_core.lines import WaitingLines, line_of
from queue_core.model import TicketStatus
from tests.core.builders import make_counter, make_ticket


def test_a_line_keeps_its_tickets_first_come_first_in() -> None:
    lines = WaitingLines()
    for ticket in (make_ticket(3), make_ticket(1), make_ticket(2, rank=-2)):
        lines.add(ticket)
    tp = Line(service="TP", priority=False)
    assert lines.ids(tp) == [2, 1, 3]
    assert lines.ids(tp, first=2) == [2, 1]
    assert lines.head(tp) == 2
    assert (lines.count(tp), len(lines)) == (3, 3)
    assert lines.count_before(tp, (1, 1)) == 1  # ticket 2 moved ahead of it
    assert lines.lines() == [tp]


def test_a_ticket_leaves_its_line_as_it_stood_and_others_are_ignored() -> None:
    lines = WaitingLines()
    waiting = make_ticket(1)
    lines.add(waiting)
    lines.add(make_ticket(2, status=TicketStatus.CALLED))  # not waiting: not in a line
    lines.discard(make_ticket(9))  # never there
    lines.discard(make_ticket(1, service="DD"))  # an empty line
    lines.discard(make_ticket(1, rank=0))  # not where it stands
    assert len(lines) == 1
    lines.discard(waiting)
    assert (len(lines), lines.head(line_of(waiting)), lines.lines()) == (0, None, [])


def test_a_ticket_sent_to_a_counter_stands_in_that_counters_line() -> None:
    assert line_of(make_ticket(1, target_counter=4)) == Line(counter=4)
    assert line_of(make_ticket(1, priority=True)) == Line(service="TP", priority=True)


def test_a_retired_counter_calls_nothing_and_opens_no_more() -> None:
    retired = make_counter(1, ("TP",)).replace(retired=True)
    assert not retired.serves(make_ticket(1))
    with pytest.raises(InvalidTransition, match="ngừng hoạt động"):
        ensure_can_call(retired, "lan")
    with pytest.raises(InvalidTransition):
        open_counter(retired, "lan")


def test_a_clerk_holds_one_counter_at_a_time() -> None:
    at_one = make_counter(1, clerk="lan")
    free = make_counter(2, clerk=None)
    with pytest.raises(ClerkElsewhere, match="quầy số 1") as refused:
        ensure_one_counter([at_one, free], free, "lan")
    assert refused.value.counter == 1
    ensure_one_counter([at_one, free], at_one, "lan")  # the clerk's own counter
    ensure_one_counter([at_one, free], free, None)  # a supervisor holds none
    ensure_one_counter([at_one, free], free, "hung")
