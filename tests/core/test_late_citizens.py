"""A citizen who came late: the no-show taken back, or the ticket put back in its queue."""

from datetime import date, timedelta

import pytest

from queue_core.dispatch import (
    UNDO_NO_SHOW_WINDOW,
    call_next,
    choose_next,
    no_show,
    requeue,
    undo_no_show,
)
from queue_core.errors import CounterBusy, CounterPaused, InvalidTransition
from queue_core.model import CounterState, Ticket, TicketStatus
from tests.core.builders import MONDAY_8AM, make_counter, make_ticket

CALLED_AT = MONDAY_8AM + timedelta(minutes=30)
MARKED_AT = CALLED_AT + timedelta(minutes=2)
TODAY = date(2026, 11, 23)


def absent(ticket_id: int = 1, counter: int = 1, service: str = "TP") -> Ticket:
    """Ticket `ticket_id`, called at `counter` and marked absent at MARKED_AT."""
    waiting = make_ticket(ticket_id, service)
    at_counter = call_next(
        make_counter(counter, (service,)), None, [waiting], "lan", CALLED_AT
    ).called
    return no_show(at_counter.replace(recalls=2), MARKED_AT)


# --- undo -----------------------------------------------------------------------------------


def test_undo_puts_the_ticket_back_at_its_counter_as_it_was() -> None:
    ticket = absent()
    outcome = undo_no_show(make_counter(1), None, ticket, "lan", MARKED_AT + timedelta(minutes=1))
    assert outcome.called.status is TicketStatus.CALLED
    assert outcome.called.finished_at is None
    # Restored, not called anew: the call time and the recalls are those before the mark.
    assert (outcome.called.called_at, outcome.called.recalls) == (CALLED_AT, 2)
    assert (outcome.called.id, outcome.called.number) == (ticket.id, ticket.number)
    assert outcome.counter.current_ticket_id == ticket.id
    assert outcome.counter.state is CounterState.OPEN
    assert outcome.completed is None


def test_undo_is_allowed_up_to_the_end_of_the_window_and_not_after() -> None:
    ticket = absent()
    at_end = MARKED_AT + UNDO_NO_SHOW_WINDOW
    assert undo_no_show(make_counter(1), None, ticket, "lan", at_end).called.status is (
        TicketStatus.CALLED
    )
    with pytest.raises(InvalidTransition, match="Đã quá 5 phút"):
        undo_no_show(make_counter(1), None, ticket, "lan", at_end + timedelta(seconds=1))


def test_undo_by_another_counter_is_refused() -> None:
    with pytest.raises(InvalidTransition, match="quầy khác"):
        undo_no_show(make_counter(2), None, absent(counter=1), "lan", MARKED_AT)


def test_undo_while_serving_another_citizen_is_refused_until_that_one_is_done() -> None:
    ticket = absent()
    serving = make_ticket(2).replace(status=TicketStatus.CALLED, counter=1)
    counter = make_counter(1, current_ticket_id=2)
    with pytest.raises(InvalidTransition, match="đang phục vụ số 1002"):
        undo_no_show(counter, serving, ticket, "lan", MARKED_AT)
    finished = serving.replace(status=TicketStatus.DONE)
    outcome = undo_no_show(counter, finished, ticket, "lan", MARKED_AT)
    assert outcome.counter.current_ticket_id == ticket.id


@pytest.mark.parametrize("status", [s for s in TicketStatus if s is not TicketStatus.NO_SHOW])
def test_undo_of_a_ticket_that_is_not_a_no_show_is_refused(status: TicketStatus) -> None:
    ticket = absent().replace(status=status)
    with pytest.raises(InvalidTransition, match="hoàn tác vắng mặt"):
        undo_no_show(make_counter(1), None, ticket, "lan", MARKED_AT)


def test_undo_without_a_mark_time_is_refused() -> None:
    ticket = absent().replace(finished_at=None)
    with pytest.raises(InvalidTransition, match="Đã quá"):
        undo_no_show(make_counter(1), None, ticket, "lan", MARKED_AT)


def test_undo_at_a_paused_or_held_counter_is_refused() -> None:
    ticket = absent()
    with pytest.raises(CounterPaused):
        undo_no_show(make_counter(1, state=CounterState.PAUSED), None, ticket, "lan", MARKED_AT)
    with pytest.raises(CounterBusy):
        undo_no_show(make_counter(1, clerk="hung"), None, ticket, "lan", MARKED_AT)


def test_undo_by_a_supervisor_keeps_the_counters_clerk() -> None:
    outcome = undo_no_show(make_counter(1, clerk="lan"), None, absent(), None, MARKED_AT)
    assert outcome.counter.clerk == "lan"


# --- requeue --------------------------------------------------------------------------------


def test_requeue_puts_the_ticket_first_in_its_service_queue_with_its_number() -> None:
    ticket = absent(1)
    queue = [make_ticket(5), make_ticket(6)]
    back = requeue(ticket, queue, TODAY, by=make_counter(3, ("DD", "TP")))
    assert back.status is TicketStatus.WAITING
    assert (back.id, back.number, back.service) == (ticket.id, ticket.number, "TP")
    assert (back.called_at, back.finished_at, back.counter, back.clerk) == (None, None, None, None)
    assert (back.recalls, back.target_counter) == (0, None)
    # The next call of the service is theirs, at any counter serving it.
    assert choose_next(make_counter(2), [*queue, back]).id == ticket.id


def test_requeue_by_a_supervisor_needs_no_counter_and_fits_an_empty_queue() -> None:
    back = requeue(absent(1), [], TODAY)
    assert back.status is TicketStatus.WAITING


def test_requeue_leaves_priority_tickets_their_precedence() -> None:
    back = requeue(absent(1), [make_ticket(7, priority=True)], TODAY, by=make_counter(1))
    assert choose_next(make_counter(1), [make_ticket(7, priority=True), back]).id == 7


def test_requeue_by_a_counter_that_does_not_serve_the_service_is_refused() -> None:
    with pytest.raises(InvalidTransition, match="không phục vụ"):
        requeue(absent(1), [], TODAY, by=make_counter(4, ("DD",)))


def test_requeue_of_another_days_ticket_is_refused() -> None:
    with pytest.raises(InvalidTransition, match="ngày khác"):
        requeue(absent(1), [], TODAY + timedelta(days=1))


@pytest.mark.parametrize("status", [s for s in TicketStatus if s is not TicketStatus.NO_SHOW])
def test_requeue_of_a_ticket_that_is_not_a_no_show_is_refused(status: TicketStatus) -> None:
    with pytest.raises(InvalidTransition, match="hàng chờ"):
        requeue(absent(1).replace(status=status), [], TODAY)
