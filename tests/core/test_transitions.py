"""Every transition of a ticket and a counter, and the ones that are refused."""

from datetime import timedelta

import pytest

from queue_core.dispatch import (
    call,
    call_next,
    cancel,
    choose_next,
    close_counter,
    complete,
    ensure_can_call,
    expire,
    front_rank,
    no_show,
    open_counter,
    pause,
    recall,
    release,
    resume,
    transfer,
    walk_in,
)
from queue_core.errors import CounterBusy, CounterPaused, InvalidTransition, NothingWaiting
from queue_core.model import CounterState, Ticket, TicketStatus
from tests.core.builders import MONDAY_8AM, make_counter, make_ticket

LATER = MONDAY_8AM + timedelta(minutes=12)
ALL_STATUSES = list(TicketStatus)


def called(ticket_id: int = 1, counter: int = 1, **kw: object) -> Ticket:
    return make_ticket(ticket_id, status=TicketStatus.CALLED, counter=counter, **kw)  # type: ignore[arg-type]


# --- call and call-next ------------------------------------------------------------------


def test_call_next_puts_the_ticket_at_the_counter() -> None:
    outcome = call_next(make_counter(3, clerk="lan"), None, [make_ticket(1)], "lan", LATER)
    assert outcome.called.status is TicketStatus.CALLED
    assert (outcome.called.called_at, outcome.called.counter) == (LATER, 3)
    assert outcome.called.clerk == "lan"
    assert outcome.counter.current_ticket_id == 1
    assert outcome.completed is None


def test_call_next_completes_the_current_ticket_first() -> None:
    current = called(1)
    counter = make_counter(current_ticket_id=1)
    outcome = call_next(counter, current, [make_ticket(2)], "lan", LATER)
    assert outcome.completed is not None
    assert outcome.completed.id == 1
    assert outcome.completed.status is TicketStatus.DONE
    assert outcome.completed.finished_at == LATER
    assert outcome.counter.current_ticket_id == 2


def test_call_next_leaves_an_already_finished_current_ticket_alone() -> None:
    finished = make_ticket(1, status=TicketStatus.NO_SHOW)
    outcome = call_next(make_counter(), finished, [make_ticket(2)], "lan", LATER)
    assert outcome.completed is None


def test_call_next_with_nobody_waiting_keeps_the_current_ticket() -> None:
    with pytest.raises(NothingWaiting):
        call_next(make_counter(current_ticket_id=1), called(1), [], "lan", LATER)


def test_call_next_at_a_paused_counter_is_refused() -> None:
    counter = make_counter(3, state=CounterState.PAUSED)
    with pytest.raises(CounterPaused) as caught:
        call_next(counter, None, [make_ticket(1)], "lan", LATER)
    assert caught.value.counter == 3
    assert "tạm ngưng" in caught.value.message


def test_another_clerk_cannot_call_at_a_held_counter() -> None:
    with pytest.raises(CounterBusy) as caught:
        call_next(make_counter(2, clerk="lan"), None, [make_ticket(1)], "minh", LATER)
    assert (caught.value.counter, caught.value.clerk) == (2, "lan")
    assert "lan" in caught.value.message


def test_a_device_or_supervisor_may_call_for_the_clerk_signed_in() -> None:
    outcome = call_next(make_counter(clerk="lan"), None, [make_ticket(1)], None, LATER)
    assert outcome.called.clerk == "lan"
    assert outcome.counter.clerk == "lan"


def test_calling_at_a_closed_counter_opens_it_for_the_caller() -> None:
    counter = make_counter(state=CounterState.CLOSED, clerk=None)
    outcome = call_next(counter, None, [make_ticket(1)], "minh", LATER)
    assert outcome.counter.state is CounterState.OPEN
    assert outcome.counter.clerk == "minh"


def test_ensure_can_call_accepts_the_counters_own_clerk() -> None:
    ensure_can_call(make_counter(clerk="lan"), "lan")
    ensure_can_call(make_counter(clerk=None), "minh")


@pytest.mark.parametrize("status", [s for s in ALL_STATUSES if s is not TicketStatus.WAITING])
def test_only_a_waiting_ticket_can_be_called(status: TicketStatus) -> None:
    with pytest.raises(InvalidTransition, match="không ở trạng thái chờ"):
        call(make_counter(), None, make_ticket(1, status=status), "lan", LATER)


def test_a_counter_cannot_call_a_ticket_of_a_service_it_does_not_serve() -> None:
    with pytest.raises(InvalidTransition, match="không phục vụ"):
        call(make_counter(services=("TP",)), None, make_ticket(1, "DD"), "lan", LATER)


def test_calling_a_ticket_transferred_here_clears_its_target() -> None:
    ticket = make_ticket(1, "DD", target_counter=1)
    outcome = call(make_counter(1, ("TP",)), None, ticket, "lan", LATER)
    assert outcome.called.target_counter is None


def test_priority_streak_counts_priority_calls_and_resets_on_a_normal_one() -> None:
    counter = make_counter()
    counter = call(counter, None, make_ticket(1, priority=True), "lan", LATER).counter
    counter = call(counter, None, make_ticket(2, priority=True), "lan", LATER).counter
    assert counter.priority_streak == 2
    assert call(counter, None, make_ticket(3), "lan", LATER).counter.priority_streak == 0


# --- walk-in -----------------------------------------------------------------------------


def test_a_walk_in_is_called_at_once_and_marked() -> None:
    outcome = walk_in(make_counter(2), None, make_ticket(7), "lan", LATER)
    assert outcome.called.walk_in
    assert outcome.called.status is TicketStatus.CALLED
    assert outcome.counter.current_ticket_id == 7


def test_a_walk_in_completes_the_current_ticket() -> None:
    outcome = walk_in(make_counter(current_ticket_id=1), called(1), make_ticket(7), "lan", LATER)
    assert outcome.completed is not None
    assert outcome.completed.status is TicketStatus.DONE


def test_a_walk_in_at_a_paused_counter_is_refused() -> None:
    with pytest.raises(CounterPaused):
        walk_in(make_counter(state=CounterState.PAUSED), None, make_ticket(7), "lan", LATER)


# --- recall, complete, no-show, cancel, expire -------------------------------------------


def test_recall_counts_and_keeps_the_ticket_called() -> None:
    once = recall(called())
    twice = recall(once)
    assert (once.recalls, twice.recalls) == (1, 2)
    assert twice.status is TicketStatus.CALLED


def test_complete_finishes_a_called_ticket() -> None:
    done = complete(called(), LATER)
    assert (done.status, done.finished_at) == (TicketStatus.DONE, LATER)


def test_no_show_finishes_a_called_ticket() -> None:
    gone = no_show(called(), LATER)
    assert (gone.status, gone.finished_at) == (TicketStatus.NO_SHOW, LATER)


@pytest.mark.parametrize("status", [TicketStatus.WAITING, TicketStatus.CALLED])
def test_cancel_ends_an_open_ticket(status: TicketStatus) -> None:
    ticket = make_ticket(1, status=status)
    assert ticket.is_open
    cancelled = cancel(ticket, LATER)
    assert (cancelled.status, cancelled.finished_at) == (TicketStatus.CANCELLED, LATER)
    assert not cancelled.is_open


@pytest.mark.parametrize("status", [TicketStatus.WAITING, TicketStatus.CALLED])
def test_the_day_change_expires_an_open_ticket(status: TicketStatus) -> None:
    expired = expire(make_ticket(1, status=status), LATER)
    assert (expired.status, expired.finished_at) == (TicketStatus.EXPIRED, LATER)


@pytest.mark.parametrize(
    ("action", "allowed"),
    [
        (lambda t: recall(t), {TicketStatus.CALLED}),
        (lambda t: complete(t, LATER), {TicketStatus.CALLED}),
        (lambda t: no_show(t, LATER), {TicketStatus.CALLED}),
        (lambda t: cancel(t, LATER), {TicketStatus.WAITING, TicketStatus.CALLED}),
        (lambda t: expire(t, LATER), {TicketStatus.WAITING, TicketStatus.CALLED}),
        (lambda t: transfer(t, [], service="DD"), {TicketStatus.WAITING, TicketStatus.CALLED}),
    ],
    ids=["recall", "complete", "no_show", "cancel", "expire", "transfer"],
)
def test_each_transition_refuses_the_other_statuses(action, allowed) -> None:  # type: ignore[no-untyped-def]
    for status in ALL_STATUSES:
        ticket = make_ticket(1, status=status)
        if status in allowed:
            action(ticket)
        else:
            with pytest.raises(InvalidTransition, match=f"trạng thái {status.value}"):
                action(ticket)


# --- transfer ----------------------------------------------------------------------------


def test_transfer_to_a_service_goes_to_the_front_of_its_queue() -> None:
    queue = [make_ticket(2, "DD"), make_ticket(3, "DD")]
    moved = transfer(called(9), queue, service="DD")
    assert moved.status is TicketStatus.WAITING
    assert (moved.id, moved.number) == (9, "1009")
    assert moved.service == "DD"
    assert moved.rank < 2
    assert (moved.called_at, moved.counter, moved.clerk, moved.target_counter) == (
        None,
        None,
        None,
        None,
    )
    assert choose_next(make_counter(4, ("DD",)), [*queue, moved]).id == 9


def test_transfer_forgets_the_recalls_of_the_first_counter() -> None:
    moved = transfer(recall(recall(called(9))), [], service="DD")
    assert moved.recalls == 0


def test_transfer_to_a_counter_waits_for_that_counter_alone() -> None:
    moved = transfer(called(9, counter=1), [], counter=5)
    assert (moved.service, moved.target_counter, moved.status) == ("TP", 5, TicketStatus.WAITING)
    assert make_counter(5, ("DD",)).serves(moved)
    assert not make_counter(1, ("TP",)).serves(moved)


def test_transfer_of_a_waiting_ticket_is_allowed() -> None:
    assert transfer(make_ticket(4), [make_ticket(1, "DD")], service="DD").rank == 0


@pytest.mark.parametrize("targets", [{}, {"service": "DD", "counter": 5}])
def test_transfer_needs_exactly_one_target(targets: dict[str, object]) -> None:
    with pytest.raises(InvalidTransition, match="một lĩnh vực hoặc một quầy"):
        transfer(called(), [], **targets)  # type: ignore[arg-type]


def test_front_rank_is_before_every_other_ticket_of_the_queue() -> None:
    queue = [make_ticket(5), make_ticket(8), make_ticket(3, rank=-2)]
    assert front_rank(make_ticket(10), queue) == -3


def test_front_rank_keeps_a_rank_that_is_already_in_front() -> None:
    assert front_rank(make_ticket(1), [make_ticket(5)]) == 1
    assert front_rank(make_ticket(4), []) == 4


def test_front_rank_ignores_the_ticket_itself_in_the_queue() -> None:
    ticket = make_ticket(2)
    assert front_rank(ticket, [ticket, make_ticket(5)]) == 2


# --- counters ----------------------------------------------------------------------------


def test_release_frees_the_counter_of_its_current_ticket() -> None:
    assert release(make_counter(current_ticket_id=4), 4).current_ticket_id is None


def test_release_of_another_ticket_changes_nothing() -> None:
    counter = make_counter(current_ticket_id=4)
    assert release(counter, 5) is counter


def test_a_clerk_opens_a_closed_counter() -> None:
    opened = open_counter(make_counter(state=CounterState.CLOSED, clerk=None), "lan")
    assert (opened.state, opened.clerk) == (CounterState.OPEN, "lan")


def test_the_same_clerk_may_open_again() -> None:
    assert open_counter(make_counter(clerk="lan"), "lan").clerk == "lan"


def test_another_clerk_cannot_open_a_held_counter_without_force() -> None:
    with pytest.raises(CounterBusy):
        open_counter(make_counter(clerk="lan"), "minh")
    assert open_counter(make_counter(clerk="lan"), "minh", force=True).clerk == "minh"


def test_opening_clears_a_pause() -> None:
    paused = pause(make_counter(), "Họp giao ban")
    opened = open_counter(paused, "lan")
    assert (opened.state, opened.pause_reason) == (CounterState.OPEN, None)


def test_closing_signs_the_clerk_out() -> None:
    closed = close_counter(pause(make_counter(clerk="lan"), "Nghỉ trưa"))
    assert (closed.state, closed.clerk, closed.pause_reason) == (CounterState.CLOSED, None, None)


def test_pause_keeps_its_reason_and_resume_clears_it() -> None:
    paused = pause(make_counter(), "Họp giao ban")
    assert (paused.state, paused.pause_reason) == (CounterState.PAUSED, "Họp giao ban")
    resumed = resume(paused)
    assert (resumed.state, resumed.pause_reason) == (CounterState.OPEN, None)


def test_pausing_twice_is_refused() -> None:
    with pytest.raises(InvalidTransition, match="đã tạm ngưng"):
        pause(pause(make_counter(), "Họp"), "Họp")


def test_resuming_a_counter_that_is_not_paused_is_refused() -> None:
    with pytest.raises(InvalidTransition, match="không tạm ngưng"):
        resume(make_counter())
