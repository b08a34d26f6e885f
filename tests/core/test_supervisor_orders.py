"""A supervisor's orders for the day in the core (issue #14): a counter sent to help
another service calls its line (one rule: `Counter.calls_services`) until the day ends;
a service's issuing closed early refuses numbers; and today's running figures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queue_core import dispatch
from queue_core.errors import InvalidTransition, IssuingClosedToday
from queue_core.estimate import serving_capacity
from queue_core.hall_figures import today_figures
from queue_core.lines import WaitingLines
from queue_core.model import Counter, Service, Ticket, TicketStatus
from queue_core.numbering import grant_number
from tests.core.builders import MONDAY_8AM, make_counter, make_ticket
from tests.core.test_calls_before import SERVICES, halls

TODAY = date(2026, 11, 23)


def test_a_counter_sent_to_help_calls_that_line_after_its_own() -> None:
    counter = dispatch.send_to_help(make_counter(1, ("TP",)), "DD", TODAY)
    assert counter.calls_services == ("TP", "DD")
    assert counter.services == ("TP",)
    land = make_ticket(1, "DD")
    assert counter.serves(land)
    assert dispatch.choose_next(counter, [land]) == land
    assert {line.service for line in dispatch.lines_of(counter.calls_services)} == {"TP", "DD"}


def test_helping_counts_in_the_estimates() -> None:
    alone = make_counter(3, ("DD",))
    helper = dispatch.send_to_help(make_counter(1, ("TP",)), "DD", TODAY)
    assert serving_capacity("DD", [alone, make_counter(1, ("TP",))]) == 1
    assert serving_capacity("DD", [alone, helper]) == 1.5


def test_a_counter_cannot_help_its_own_service_nor_when_retired() -> None:
    with pytest.raises(InvalidTransition):
        dispatch.send_to_help(make_counter(1, ("TP", "DD")), "DD", TODAY)
    with pytest.raises(InvalidTransition):
        dispatch.send_to_help(make_counter(1).replace(retired=True), "DD", TODAY)


def test_help_lasts_its_day() -> None:
    counter = dispatch.send_to_help(make_counter(1), "DD", TODAY)
    assert not dispatch.help_is_over(counter, TODAY)
    assert dispatch.help_is_over(counter, TODAY + timedelta(days=1))
    home = dispatch.end_help(counter)
    assert home.calls_services == ("TP",)
    assert not dispatch.help_is_over(home, TODAY + timedelta(days=1))


def test_a_help_for_a_service_it_came_to_serve_adds_nothing() -> None:
    # A site change may give the counter the service it was helping.
    counter = make_counter(1, ("TP", "DD")).replace(helps="DD", helps_on=TODAY)
    assert counter.calls_services == ("TP", "DD")


def test_issuing_closed_early_refuses_a_number_with_the_reason() -> None:
    service = Service(code="TP", name="Tư pháp – Hộ tịch", prefix="1")
    assert grant_number(service, 4, MONDAY_8AM).number == "1005"
    with pytest.raises(IssuingClosedToday) as refused:
        grant_number(service, 4, MONDAY_8AM, closed_today=True)
    assert refused.value.message.startswith("Tư pháp – Hộ tịch: hôm nay đã dừng cấp số sớm")


def test_todays_figures() -> None:
    at = MONDAY_8AM
    called_soon = make_ticket(1, status=TicketStatus.DONE).replace(
        called_at=at + timedelta(minutes=6)
    )  # issued 08:01, waited 5 minutes
    called_late = make_ticket(2, "DD", status=TicketStatus.NO_SHOW).replace(
        called_at=at + timedelta(minutes=32)
    )  # waited 30 minutes, over DD's 20
    at_counter = make_ticket(3, "XX", status=TicketStatus.CALLED).replace(
        called_at=at + timedelta(minutes=13)
    )  # a service with no target named: 20 minutes
    walk_in = make_ticket(4, status=TicketStatus.DONE).replace(
        called_at=at + timedelta(minutes=4), walk_in=True
    )
    tickets = [
        called_soon,
        called_late,
        at_counter,
        walk_in,
        make_ticket(5),
        make_ticket(6, status=TicketStatus.CANCELLED),
        make_ticket(7, status=TicketStatus.EXPIRED),
    ]
    figures = today_figures(tickets, {"TP": 600, "DD": 1200})
    assert figures.issued == 5
    assert figures.waiting == 1
    assert figures.called == 4
    assert figures.served == 2
    assert figures.no_show == 1
    assert figures.cancelled == 1
    assert figures.wait_avg_minutes == 15.0  # (5 + 30 + 10) / 3, the walk-in apart
    assert figures.within_target_pct == 66.7


def test_no_figures_before_the_first_call() -> None:
    figures = today_figures([make_ticket(1)], {})
    assert (figures.wait_avg_minutes, figures.within_target_pct) == (None, None)
    assert figures.issued == figures.waiting == 1


@settings(max_examples=300, deadline=None)
@given(halls(), st.sampled_from(SERVICES))
def test_a_helping_counters_people_ahead_follow_its_call_order(
    hall: tuple[Counter, list[Ticket], int], helps: str
) -> None:
    """The property of tests/core/test_calls_before.py, for a counter sent to help."""
    counter, tickets, ratio = hall
    if helps not in counter.services:
        counter = dispatch.send_to_help(counter, helps, TODAY)
    lines = WaitingLines()
    for ticket in tickets:
        lines.add(ticket)
    by_id = {t.id: t for t in tickets}
    order = dispatch.call_order(counter, tickets, ratio)
    assert {t.service for t in order if t.target_counter is None} <= set(counter.calls_services)
    assert [dispatch.calls_before(counter, t, lines, by_id, ratio) for t in order] == list(
        range(len(order))
    )
