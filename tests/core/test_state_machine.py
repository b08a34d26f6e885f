"""A hall simulated over the pure functions, checking the queue's promises.

Citizens take numbers (`numbering.grant_number`), clerks call (`dispatch.call_next`),
recall, complete, mark no-shows (and take them back, or put the late citizen back in
the queue), transfer, pause and serve walk-ins, while the clock
moves across lunch breaks, weekends and midnights. Whatever the order:

- numbers strictly increase per service per local day, and never repeat that day;
- no ticket is called twice, unless a transfer or a requeue sent it back to waiting;
- every waiting ticket is eventually called when the counters keep calling;
- priority never makes a counter pass over a waiting normal ticket more than K times
  in a row.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from queue_core import dispatch
from queue_core.clock import FrozenClock
from queue_core.errors import (
    CounterPaused,
    DailyLimitReached,
    InvalidTransition,
    NothingWaiting,
    ServiceClosed,
)
from queue_core.hours import IssuingHours
from queue_core.model import CallMode, Counter, CounterState, Service, Ticket, TicketStatus
from queue_core.numbering import grant_number, local_day, local_time

K = 2  # priority ratio: small, so the rule is exercised often
OFFICE = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))
SERVICES = {
    # One digit, so the sequence soon grows past its width (19 → 110).
    "TP": Service("TP", "Tư pháp – Hộ tịch", prefix="1", digits=1),
    "DD": Service(
        "DD",
        "Đất đai",
        prefix="2",
        daily_cap=4,
        hours=IssuingHours(weekly=(OFFICE,) * 5 + (OFFICE[:1], ())),
    ),
    "LD": Service("LD", "Lao động – Thương binh và Xã hội", prefix="A"),
}
COUNTERS = (
    Counter(1, "Quầy 1", ("TP",)),
    Counter(2, "Quầy 2", ("TP", "DD")),
    Counter(3, "Quầy 3", ("DD", "LD"), call_mode=CallMode.SERVICE_ORDER),
)
COUNTER_NUMBERS = st.sampled_from([c.number for c in COUNTERS])
SERVICE_CODES = st.sampled_from(list(SERVICES))


def clerk_of(number: int) -> str:
    return f"clerk-{number}"


class Hall(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # Monday 2026-11-23, 07:30 in Vietnam, as the office opens.
        self.clock = FrozenClock(datetime(2026, 11, 23, 0, 30, tzinfo=UTC))
        self.tickets: dict[int, Ticket] = {}
        self.counters = {c.number: dispatch.open_counter(c, clerk_of(c.number)) for c in COUNTERS}
        self.last_sequence: dict[tuple[str, date], int] = {}
        self.numbers_today: dict[date, set[str]] = {}
        # Times each ticket reached `called` since it last started waiting.
        self.calls: dict[int, int] = {}
        # Per counter: priority calls in a row that passed over a waiting normal ticket.
        self.passed_over: dict[int, int] = {c.number: 0 for c in COUNTERS}
        self.today = self.local_day()

    # --- helpers ---------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock.now()

    def local_day(self) -> date:
        return local_day(self.now())

    def waiting(self) -> list[Ticket]:
        return [t for t in self.tickets.values() if t.status is TicketStatus.WAITING]

    def current(self, number: int) -> Ticket | None:
        ticket_id = self.counters[number].current_ticket_id
        return None if ticket_id is None else self.tickets[ticket_id]

    def grant(self, code: str, priority: bool) -> Ticket | None:
        service = SERVICES[code]
        day = self.local_day()
        last = self.last_sequence.get((code, day), 0)
        try:
            grant = grant_number(service, last, self.now())
        except ServiceClosed as closed:
            self.check_closed(service, closed.opens_at)
            return None
        except DailyLimitReached:
            assert last == service.daily_cap
            return None
        assert grant.day == day
        assert grant.sequence == last + 1  # strictly increasing, without a gap
        assert grant.number.startswith(service.prefix)
        assert int(grant.number[len(service.prefix) :]) == grant.sequence
        assert grant.number not in self.numbers_today.setdefault(day, set())
        self.numbers_today[day].add(grant.number)
        self.last_sequence[(code, day)] = grant.sequence
        ticket_id = len(self.tickets) + 1
        ticket = Ticket(
            id=ticket_id,
            number=grant.number,
            service=code,
            day=grant.day,
            sequence=grant.sequence,
            issued_at=self.now(),
            rank=ticket_id,
            priority=priority,
        )
        self.tickets[ticket_id] = ticket
        self.calls[ticket_id] = 0
        return ticket

    def check_closed(self, service: Service, opens_at: datetime | None) -> None:
        local = local_time(self.now())
        assert not service.hours.is_open(local)
        assert opens_at is None or opens_at > local
        assert opens_at is None or service.hours.is_open(opens_at)

    def apply_call(self, number: int, outcome: dispatch.CallOutcome) -> None:
        if outcome.completed is not None:
            assert outcome.completed.id == self.counters[number].current_ticket_id
            self.tickets[outcome.completed.id] = outcome.completed
        called = outcome.called
        assert self.tickets[called.id].status is TicketStatus.WAITING
        self.calls[called.id] += 1
        assert self.calls[called.id] == 1, f"ticket {called.number} called twice"
        self.tickets[called.id] = called
        self.counters[number] = outcome.counter

    def leave_counter(self, number: int, ticket: Ticket) -> None:
        self.tickets[ticket.id] = ticket
        self.counters[number] = dispatch.release(self.counters[number], ticket.id)

    def normal_ticket_waits_for(self, counter: Counter) -> bool:
        return any(
            not t.priority and t.target_counter is None and counter.serves(t)
            for t in self.waiting()
        )

    def call_next(self, number: int) -> bool:
        """One call-next at counter `number`; False when nobody waits for it."""
        counter = self.counters[number]
        normal_waits = self.normal_ticket_waits_for(counter)
        try:
            outcome = dispatch.call_next(
                counter, self.current(number), self.waiting(), clerk_of(number), self.now(), K
            )
        except CounterPaused:
            assert counter.state is CounterState.PAUSED
            return False
        except NothingWaiting:
            assert not any(counter.serves(t) for t in self.waiting())
            return False
        called = self.tickets[outcome.called.id]
        if not called.priority:
            self.passed_over[number] = 0
        elif called.target_counter is None and normal_waits:
            self.passed_over[number] += 1
            assert self.passed_over[number] <= K, "priority starved a normal ticket"
        self.apply_call(number, outcome)
        return True

    def drain(self) -> None:
        """Every counter resumes and keeps calling until nobody waits."""
        for number, counter in self.counters.items():
            if counter.state is CounterState.PAUSED:
                self.counters[number] = dispatch.resume(counter)
        for _ in range(len(self.tickets) + 1):
            # Each counter calls once per round, whether or not another one did.
            called = [self.call_next(number) for number in self.counters]
            if not any(called):
                break
        assert self.waiting() == [], "a waiting ticket was never called"

    # --- rules -----------------------------------------------------------------------

    @rule(code=SERVICE_CODES, priority=st.booleans())
    def take_a_number(self, code: str, priority: bool) -> None:
        self.grant(code, priority)

    @rule(code=SERVICE_CODES, people=st.integers(2, 6), priority=st.booleans())
    def a_crowd_arrives(self, code: str, people: int, priority: bool) -> None:
        for _ in range(people):
            self.grant(code, priority)

    @rule(number=COUNTER_NUMBERS)
    def call_next_at(self, number: int) -> None:
        self.call_next(number)

    @rule(number=COUNTER_NUMBERS)
    def recall(self, number: int) -> None:
        ticket = self.current(number)
        if ticket is not None:
            self.tickets[ticket.id] = dispatch.recall(ticket)

    @rule(number=COUNTER_NUMBERS)
    def complete(self, number: int) -> None:
        ticket = self.current(number)
        if ticket is not None:
            self.leave_counter(number, dispatch.complete(ticket, self.now()))

    @rule(number=COUNTER_NUMBERS)
    def no_show(self, number: int) -> None:
        ticket = self.current(number)
        if ticket is not None:
            self.leave_counter(number, dispatch.no_show(ticket, self.now()))

    @rule(number=COUNTER_NUMBERS)
    def undo_the_last_no_show(self, number: int) -> None:
        marked = [
            t
            for t in self.tickets.values()
            if t.status is TicketStatus.NO_SHOW and t.counter == number
        ]
        if not marked:
            return
        ticket = max(marked, key=lambda t: (t.finished_at, t.id))
        counter, current = self.counters[number], self.current(number)
        try:
            outcome = dispatch.undo_no_show(counter, current, ticket, clerk_of(number), self.now())
        except CounterPaused:
            assert counter.state is CounterState.PAUSED
            return
        except InvalidTransition:
            assert ticket.finished_at is not None
            late = self.now() - ticket.finished_at > dispatch.UNDO_NO_SHOW_WINDOW
            assert late or current is not None
            return
        assert (outcome.called.id, outcome.called.status) == (ticket.id, TicketStatus.CALLED)
        self.tickets[ticket.id] = outcome.called
        self.counters[number] = outcome.counter

    @rule(number=COUNTER_NUMBERS, which=st.integers(0, 50))
    def a_late_citizen_queues_again(self, number: int, which: int) -> None:
        absent = sorted(t.id for t in self.tickets.values() if t.status is TicketStatus.NO_SHOW)
        if not absent:
            return
        ticket = self.tickets[absent[which % len(absent)]]
        counter = self.counters[number]
        queue = [
            t for t in self.waiting() if t.service == ticket.service and t.target_counter is None
        ]
        try:
            back = dispatch.requeue(ticket, queue, self.local_day(), by=counter)
        except InvalidTransition:
            assert ticket.day != self.local_day() or ticket.service not in counter.services
            return
        assert (back.id, back.number, back.status) == (
            ticket.id,
            ticket.number,
            TicketStatus.WAITING,
        )
        assert all(back.rank < t.rank for t in queue)
        self.calls[back.id] = 0
        self.tickets[back.id] = back

    @rule(number=COUNTER_NUMBERS, code=SERVICE_CODES)
    def transfer_to_service(self, number: int, code: str) -> None:
        ticket = self.current(number)
        if ticket is None:
            return
        queue = [t for t in self.waiting() if t.service == code and t.target_counter is None]
        moved = dispatch.transfer(ticket, queue, service=code)
        assert (moved.id, moved.number, moved.status) == (
            ticket.id,
            ticket.number,
            TicketStatus.WAITING,
        )
        assert all(moved.rank < t.rank for t in queue)
        self.calls[moved.id] = 0
        self.leave_counter(number, moved)

    @rule(number=COUNTER_NUMBERS, to=COUNTER_NUMBERS)
    def transfer_to_counter(self, number: int, to: int) -> None:
        ticket = self.current(number)
        if ticket is None:
            return
        queue = [t for t in self.waiting() if t.target_counter == to]
        moved = dispatch.transfer(ticket, queue, counter=to)
        assert moved.target_counter == to
        self.calls[moved.id] = 0
        self.leave_counter(number, moved)

    @rule(number=COUNTER_NUMBERS, which=st.integers(0, 1), priority=st.booleans())
    def walk_in(self, number: int, which: int, priority: bool) -> None:
        counter = self.counters[number]
        if counter.state is CounterState.PAUSED:
            return
        ticket = self.grant(counter.services[which % len(counter.services)], priority)
        if ticket is None:
            return
        outcome = dispatch.walk_in(
            counter, self.current(number), ticket, clerk_of(number), self.now()
        )
        assert outcome.called.walk_in
        if not ticket.priority:
            self.passed_over[number] = 0
        self.apply_call(number, outcome)

    @rule(number=COUNTER_NUMBERS)
    def pause_or_resume(self, number: int) -> None:
        counter = self.counters[number]
        if counter.state is CounterState.PAUSED:
            self.counters[number] = dispatch.resume(counter)
        else:
            self.counters[number] = dispatch.pause(counter, "Họp giao ban")

    @rule(minutes=st.sampled_from([1, 7, 45, 180, 600, 1440]))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)
        today = self.local_day()
        if today == self.today:
            return
        # Yesterday's open tickets expire at the day change, at the counters too.
        self.today = today
        for ticket in list(self.tickets.values()):
            if ticket.is_open and ticket.day < today:
                self.tickets[ticket.id] = dispatch.expire(ticket, self.now())
                for number in self.counters:
                    self.counters[number] = dispatch.release(self.counters[number], ticket.id)

    @rule()
    def everyone_is_served(self) -> None:
        self.drain()

    # --- invariants ------------------------------------------------------------------

    @invariant()
    def each_counter_holds_its_own_called_ticket(self) -> None:
        held = [c.current_ticket_id for c in self.counters.values() if c.current_ticket_id]
        assert len(held) == len(set(held)), "two counters hold one ticket"
        for number, counter in self.counters.items():
            if counter.current_ticket_id is not None:
                ticket = self.tickets[counter.current_ticket_id]
                assert ticket.status is TicketStatus.CALLED
                assert ticket.counter == number

    @invariant()
    def called_tickets_are_at_a_counter(self) -> None:
        held = {c.current_ticket_id for c in self.counters.values()}
        for ticket in self.tickets.values():
            if ticket.status is TicketStatus.CALLED:
                assert ticket.id in held
            if ticket.status is TicketStatus.WAITING:
                assert ticket.day == self.today

    def teardown(self) -> None:
        self.drain()


Hall.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
test_hall = Hall.TestCase
