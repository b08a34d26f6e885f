"""One counter per clerk, read off the counters as stored, and the waiting lines' size:
the pure rules behind the server's checks."""

from __future__ import annotations

import pytest

from queue_core.dispatch import ensure_one_counter
from queue_core.errors import ClerkElsewhere
from queue_core.lines import WaitingLines
from tests.core.builders import make_counter, make_ticket


def test_a_clerk_holding_another_counter_is_sent_back_to_it() -> None:
    counters = [make_counter(1, clerk="lan"), make_counter(2, clerk=None)]
    with pytest.raises(ClerkElsewhere) as caught:
        ensure_one_counter(counters, counters[1], "lan")
    assert "quầy số 1" in caught.value.message


def test_the_counter_a_clerk_holds_is_no_obstacle_to_acting_there() -> None:
    # The counter acted at may come as it was before this change (not yet held): the
    # stored list, where the clerk holds it, is what counts, and it is the same counter.
    stored = [make_counter(1, clerk="lan"), make_counter(2, clerk="hung")]
    ensure_one_counter(stored, make_counter(1, clerk=None), "lan")
    ensure_one_counter(stored, stored[0], "lan")
    ensure_one_counter(stored, stored[1], None)  # a supervisor takes no counter


def test_the_waiting_lines_count_every_waiting_ticket() -> None:
    lines = WaitingLines()
    tickets = [make_ticket(1), make_ticket(2, "DD"), make_ticket(3, priority=True)]
    for ticket in tickets:
        lines.add(ticket)
    assert len(lines) == 3
    lines.discard(tickets[1])
    assert len(lines) == 2
