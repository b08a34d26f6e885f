"""`WaitingLines` read a line at a time: in order, as far as the reader goes."""

from __future__ import annotations

from queue_core.dispatch import Line
from queue_core.lines import WaitingLines
from tests.core.builders import make_ticket


def test_a_line_is_read_first_to_last_and_only_as_far_as_asked() -> None:
    lines = WaitingLines()
    for ticket in [
        make_ticket(1, "A"),
        make_ticket(2, "A", priority=True),
        make_ticket(3, "A", rank=-3),  # transferred: at the front
        make_ticket(4, "B"),
    ]:
        lines.add(ticket)
    ids = lines.iter_ids(Line(service="A", priority=False))
    assert next(ids) == 3
    assert list(ids) == [1]
    assert list(lines.iter_ids(Line(service="C", priority=False))) == []
    assert len(lines) == 4
