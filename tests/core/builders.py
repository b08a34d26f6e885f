"""Small builders for core values, so each test states only what it is about."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from queue_core.model import CallMode, Counter, CounterState, Ticket, TicketStatus

# A Monday morning in Hà Nội: 2026-11-23 08:00 +07:00.
MONDAY_8AM = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def make_ticket(
    id: int,
    service: str = "TP",
    *,
    priority: bool = False,
    status: TicketStatus = TicketStatus.WAITING,
    rank: int | None = None,
    target_counter: int | None = None,
    counter: int | None = None,
    issued_at: datetime | None = None,
) -> Ticket:
    return Ticket(
        id=id,
        number=f"1{id:03d}",
        service=service,
        day=date(2026, 11, 23),
        sequence=id,
        issued_at=issued_at or MONDAY_8AM + timedelta(minutes=id),
        rank=id if rank is None else rank,
        priority=priority,
        status=status,
        target_counter=target_counter,
        counter=counter,
    )


def make_counter(
    number: int = 1,
    services: tuple[str, ...] = ("TP",),
    *,
    call_mode: CallMode = CallMode.LONGEST_WAITING,
    state: CounterState = CounterState.OPEN,
    clerk: str | None = "lan",
    priority_streak: int = 0,
    current_ticket_id: int | None = None,
) -> Counter:
    return Counter(
        number=number,
        name=f"Quầy {number}",
        services=services,
        call_mode=call_mode,
        state=state,
        clerk=clerk,
        priority_streak=priority_streak,
        current_ticket_id=current_ticket_id,
    )
