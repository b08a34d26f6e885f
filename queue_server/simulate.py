"""Past days of a hall's traffic, for demos, training, reports and benchmarks.

`generate_day` plays one working day of a site in memory (pure: no store, no clock):
citizens arrive in a busy morning and a second, smaller peak after lunch, draw numbers for
services of different popularity, some with priority; each counter's clerk calls the
oldest waiting ticket it serves (priority first), serves for a log-normal time around the
service's average, and now and then finds nobody (a no-show after one recall) or sends the
citizen to another service; about 40 % of the served rate their visit, most of them
satisfied. Tickets still waiting when the hall closes expire, as the day change would.

`write_day` puts such a day into a store in one transaction, with the same rows and the
same event JSON (`queue_core.protocol`) the server writes. It and the two functions beside
it at the end of this module are the only code here that calls the store, so a change of the
store's methods is adapted there alone. Retired services and counters take no part.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from random import Random
from typing import Any
from zoneinfo import ZoneInfo

from queue_core import dispatch
from queue_core.model import Counter, CounterState, Service, Ticket, TicketStatus
from queue_core.numbering import format_number, local_day
from queue_core.protocol import (
    CounterOut,
    CounterUpdated,
    TicketCalled,
    TicketCompleted,
    TicketExpired,
    TicketIssued,
    TicketNoShow,
    TicketOut,
    TicketRated,
    TicketRecalled,
    TicketTransferred,
)
from queue_core.site import SiteConfig
from queue_server.store import EventRecord, IssueRecord, Rating, Store

# Arrivals per hour, relative, by local hour span: people come when the hall opens, most
# between 8 and 10, few at lunch, a second peak in the early afternoon.
ARRIVAL_PROFILE: tuple[tuple[float, float, float], ...] = (
    (7.5, 8.0, 0.6),
    (8.0, 9.0, 1.6),
    (9.0, 10.0, 1.8),
    (10.0, 11.0, 1.3),
    (11.0, 11.5, 0.7),
    (11.5, 13.5, 0.12),
    (13.5, 14.5, 1.2),
    (14.5, 15.5, 1.3),
    (15.5, 16.5, 0.8),
    (16.5, 17.0, 0.4),
)
# The clerks' day: from opening to the end of the lunch break's start, and after it, to
# a quarter past closing (the last citizens are still served). Hours, local time.
WORK_START, LUNCH_START, LUNCH_END, WORK_END = 7.5, 11.75, 13.5, 17.25
WORK_S_PER_COUNTER = (LUNCH_START - WORK_START + WORK_END - LUNCH_END) * 3600
# When the day's demand would keep the counters busier than this at their services'
# configured averages, service times are scaled down (a simulated large centre still ends
# its day with the hall empty, not with a thousand expired tickets).
TARGET_LOAD = 0.7

PRIORITY_SHARE = 0.08
NO_SHOW_SHARE = 0.05
TRANSFER_SHARE = 0.02
RATED_SHARE = 0.40
TURNOVER_S = (10.0, 40.0)  # between one citizen leaving and the next call
RECALL_AFTER_S = 60.0
NO_SHOW_AFTER_S = 120.0
SERVICE_SIGMA = 0.5  # log-normal spread of service times around their mean
SHORTEST_SERVICE_S = 30.0
# How ratings spread, from least to most satisfied, per scale size: most citizens are
# satisfied, a few are not (the proportions provinces publish).
RATING_WEIGHTS: dict[int, tuple[float, ...]] = {
    3: (0.04, 0.31, 0.65),
    4: (0.03, 0.09, 0.33, 0.55),
    5: (0.02, 0.03, 0.08, 0.32, 0.55),
}
# Events a statement logs at most: SQLite binds at most 32,766 values (7 an event).
EVENTS_PER_STATEMENT = 2000
KIOSK_ACTOR = "Kiosk"
SIMULATED_KIOSK = "device:simulated-kiosk"  # the issuer a simulated kiosk ticket names
SYSTEM_ACTOR = "system"
CLERK_NAMES = (
    "Nguyễn Thị Lan",
    "Trần Văn Hùng",
    "Lê Thị Hương",
    "Phạm Minh Tuấn",
    "Hoàng Thị Mai",
    "Vũ Đức Anh",
    "Đặng Thu Trang",
    "Bùi Quang Huy",
    "Đỗ Thị Ngọc",
    "Ngô Văn Nam",
)


@dataclass(frozen=True, slots=True)
class Clerk:
    username: str
    display_name: str


@dataclass(frozen=True, slots=True)
class Step:
    """One event of the day: the ticket as it is after it (or a counter's change)."""

    at: datetime
    order: int  # ties at one instant keep the order they happened in
    kind: type[Any]
    actor: str | None
    counter: int | None
    visit: int | None = None  # index in SimDay.visits; None for a counter's event
    ticket: Ticket | None = None
    waiting_ahead: int = 0
    estimated_wait_minutes: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    counter_out: CounterOut | None = None


@dataclass(frozen=True, slots=True)
class Rated:
    """A citizen's rating, before its ticket has an id."""

    score: int
    at: datetime
    reasons: tuple[str, ...]


@dataclass(slots=True)
class Visit:
    """One ticket of the day: as issued, and as the day left it."""

    issued: Ticket
    final: Ticket
    rating: Rated | None = None


@dataclass(frozen=True, slots=True)
class SimDay:
    day: date
    visits: list[Visit]
    steps: list[Step]


@dataclass(slots=True)
class _Hall:
    """The day's moving parts while it is played."""

    site: SiteConfig
    services: dict[str, Service]
    rng: Random
    start: datetime  # local midnight of the day, aware
    visits: list[Visit] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    # Per service: heaps of (rank, visit index), priority tickets apart.
    normal: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    priority: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    front_rank: int = 0  # transferred tickets go before every rank handed out so far
    pushes: int = 0  # the order of re-queued tickets at one instant

    def at(self, seconds: float) -> datetime:
        return (self.start + timedelta(seconds=seconds)).astimezone(UTC)

    def step(self, seconds: float, kind: type[Any], actor: str | None, **fields: Any) -> None:
        self.steps.append(Step(self.at(seconds), len(self.steps), kind, actor, **fields))


def working_days(last: date, days: int, site: SiteConfig) -> list[date]:
    """The days of the `days` days ending on `last` that the hall works, oldest first:
    weekends and the site's closed dates are left out."""
    services = site.services_domain().values()
    found = []
    for back in range(days - 1, -1, -1):
        day = last - timedelta(days=back)
        if day.weekday() >= 5:
            continue
        if not any(service.hours.windows_on(day) for service in services):
            continue
        found.append(day)
    return found


def active_services(site: SiteConfig) -> dict[str, Service]:
    """The services that still issue numbers (a retired one is kept for its history)."""
    return {code: s for code, s in site.services_domain().items() if not s.retired}


def active_counters(site: SiteConfig) -> list[Counter]:
    """The counters that still call (a retired one is kept for its history)."""
    return [c for c in site.counters_domain() if not c.retired]


def default_clerks(site: SiteConfig, known: Sequence[Clerk]) -> dict[int, Clerk]:
    """One clerk for each counter (a clerk works at one counter): the site's clerk
    accounts first, then made-up names (usernames `canbo1`, `canbo2`, … with no account)."""
    numbers = [c.number for c in active_counters(site)]
    made_up = [Clerk(f"canbo{n}", CLERK_NAMES[i % len(CLERK_NAMES)]) for i, n in enumerate(numbers)]
    return {n: known[i] if i < len(known) else made_up[i] for i, n in enumerate(numbers)}


def day_rng(seed: int, day: date) -> Random:
    """One generator per day, so a day's traffic depends on the seed and the day alone."""
    return Random(f"{seed}:{day.isoformat()}")


def generate_day(
    site: SiteConfig,
    day: date,
    per_day: int,
    rng: Random,
    clerks: dict[int, Clerk],
    last_sequences: dict[str, int] | None = None,
) -> SimDay:
    """One working day of `site`, about `per_day` tickets; `last_sequences` are numbers
    already issued that day per service (0 when none)."""
    tz = ZoneInfo(site.site.timezone)
    hall = _Hall(site, active_services(site), rng, datetime.combine(day, time(), tz))
    _arrive(hall, day, per_day, dict(last_sequences or {}))
    _serve(hall, clerks, _speed(hall, per_day))
    return SimDay(day, hall.visits, hall.steps)


def generate_today(
    site: SiteConfig,
    until: datetime,
    served: int,
    waiting: int,
    clerks: dict[int, Clerk],
    last_sequences: dict[str, int] | None = None,
) -> SimDay:
    """A day so far, up to `until` (aware): `served` tickets issued, called and completed
    at the counters in turn, then `waiting` tickets still waiting, spread evenly from the
    local midnight. For benchmarks that measure a server late in a busy day."""
    tz = ZoneInfo(site.site.timezone)
    local = until.astimezone(tz)
    services = active_services(site)
    hall = _Hall(site, services, Random(0), datetime.combine(local.date(), time(), tz))
    end = max(1.0, (local - hall.start).total_seconds() - 1.0)
    total = served + waiting
    gap = end / (total + 1)
    counters = active_counters(site)
    sequences = dict(last_sequences or {})
    codes = list(services)
    for index in range(total):
        seconds = gap * (index + 1)
        at_counter = counters[index % len(counters)] if index < served else None
        if at_counter is not None:
            code = at_counter.services[(index // len(counters)) % len(at_counter.services)]
        else:
            code = codes[index % len(codes)]
        service = services[code]
        sequence = sequences[code] = sequences.get(code, 0) + 1
        ticket = Ticket(
            id=0,
            number=format_number(service.prefix, sequence, service.digits),
            service=code,
            day=local.date(),
            sequence=sequence,
            issued_at=hall.at(seconds),
            rank=index + 1,
        )
        visit = Visit(ticket, ticket)
        hall.visits.append(visit)
        ahead = 0 if at_counter is not None else index - served
        hall.step(
            seconds,
            TicketIssued,
            KIOSK_ACTOR,
            counter=None,
            visit=index,
            ticket=ticket,
            waiting_ahead=ahead,
        )
        if at_counter is None:
            continue
        clerk = clerks[at_counter.number]
        called = ticket.replace(
            status=TicketStatus.CALLED,
            called_at=hall.at(seconds + gap * 0.2),
            counter=at_counter.number,
            clerk=clerk.username,
        )
        hall.step(
            seconds + gap * 0.2,
            TicketCalled,
            clerk.display_name,
            counter=at_counter.number,
            visit=index,
            ticket=called,
        )
        visit.final = dispatch.complete(called, hall.at(seconds + gap * 0.9))
        hall.step(
            seconds + gap * 0.9,
            TicketCompleted,
            clerk.display_name,
            counter=at_counter.number,
            visit=index,
            ticket=visit.final,
        )
    return SimDay(local.date(), hall.visits, hall.steps)


def _arrive(hall: _Hall, day: date, per_day: int, sequences: dict[str, int]) -> None:
    """Draw the day's citizens: when they come, for which service, with priority or not."""
    rng, services = hall.rng, list(hall.services.values())
    count = max(0, round(rng.gauss(per_day, per_day * 0.08)))
    spans = [(a * 3600, b * 3600) for a, b, _ in ARRIVAL_PROFILE]
    weights = [(b - a) * rate for a, b, rate in ARRIVAL_PROFILE]
    times = sorted(rng.uniform(*span) for span in rng.choices(spans, weights=weights, k=count))
    # Citizens come for each service in about the share of the counters' time it gets:
    # a centre staffs its counters for its demand.
    popularity = [
        sum(1 / len(c.services) for c in active_counters(hall.site) if s.code in c.services) or 0.01
        for s in services
    ]
    # Each service's issuing windows that day, in seconds from midnight.
    windows = [[(_seconds(a), _seconds(b)) for a, b in s.hours.windows_on(day)] for s in services]
    for seconds in times:
        open_ = [
            (s, w)
            for s, w, spans_open in zip(services, popularity, windows, strict=True)
            if any(a <= seconds < b for a, b in spans_open)
            and (s.daily_cap is None or sequences.get(s.code, 0) < s.daily_cap)
        ]
        if not open_:
            continue  # closed at that hour, or every cap reached: the citizen goes home
        service = rng.choices([s for s, _ in open_], weights=[w for _, w in open_])[0]
        sequence = sequences.get(service.code, 0) + 1
        sequences[service.code] = sequence
        index = len(hall.visits)
        ticket = Ticket(
            id=0,
            number=format_number(service.prefix, sequence, service.digits),
            service=service.code,
            day=day,
            sequence=sequence,
            issued_at=hall.at(seconds),
            rank=index + 1,
            priority=rng.random() < PRIORITY_SHARE,
        )
        hall.visits.append(Visit(ticket, ticket))


def _seconds(moment: time) -> float:
    if moment == time.max:
        return 86400.0
    return moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6


def _speed(hall: _Hall, per_day: int) -> float:
    """The factor on the services' average times that keeps the counters' load near
    `TARGET_LOAD` at most."""
    if not hall.visits:
        return 1.0
    demand = sum(hall.services[v.issued.service].average_service_s for v in hall.visits)
    capacity = WORK_S_PER_COUNTER * len(active_counters(hall.site)) * TARGET_LOAD
    return min(1.0, capacity / demand)


def _serve(hall: _Hall, clerks: dict[int, Clerk], speed: float) -> None:
    """Play the counters through the day, in time order."""
    rng = hall.rng
    counters = {c.number: c for c in active_counters(hall.site)}
    # Future arrivals into the queues: (time s, order, visit index, to the front).
    pending: list[tuple[float, int, int, bool]] = [
        ((v.issued.issued_at - hall.start).total_seconds(), i, i, False)
        for i, v in enumerate(hall.visits)
    ]
    heapq.heapify(pending)
    free: list[tuple[float, int]] = []
    for number, counter in counters.items():
        opens = WORK_START * 3600 + rng.uniform(0, 300)
        heapq.heappush(free, (opens, number))
        _counter_step(hall, opens, counter, clerks[number], CounterState.OPEN)
    serving = {
        code: sum(1 for c in counters.values() if code in c.services) for code in hall.services
    }
    while free:
        now, number = heapq.heappop(free)
        counter, clerk = counters[number], clerks[number]
        if now >= WORK_END * 3600:
            _counter_step(hall, now, counter, clerk, CounterState.CLOSED)
            continue
        if LUNCH_START * 3600 <= now < LUNCH_END * 3600:
            heapq.heappush(free, (LUNCH_END * 3600, number))
            continue
        _admit(hall, pending, now, serving, speed)
        picked = _pick(hall, counter)
        if picked is None:
            later = pending[0][0] if pending else now + 600
            heapq.heappush(free, (max(later, now + 1.0), number))
            continue
        done_at = _visit_counter(hall, picked, now, counter, clerk, speed, pending)
        heapq.heappush(free, (done_at + rng.uniform(*TURNOVER_S), number))
    _admit(hall, pending, math.inf, serving, speed)
    _expire_left(hall)


def _admit(
    hall: _Hall,
    pending: list[tuple[float, int, int, bool]],
    now: float,
    serving: dict[str, int],
    speed: float,
) -> None:
    """Put into the queues every citizen who has come (or been sent on) by `now`."""
    while pending and pending[0][0] <= now:
        seconds, _, index, to_front = heapq.heappop(pending)
        ticket = hall.visits[index].final
        queue = (hall.priority if ticket.priority else hall.normal).setdefault(ticket.service, [])
        if to_front:
            hall.front_rank -= 1
            ticket = ticket.replace(rank=hall.front_rank)
            hall.visits[index].final = ticket
            heapq.heappush(queue, (ticket.rank, index))
            continue
        ahead = len(hall.priority.get(ticket.service, ()))
        if not ticket.priority:
            ahead += len(queue)
        service = hall.services[ticket.service]
        minutes = ahead * service.average_service_s * speed / 60 / max(1, serving[service.code])
        hall.step(
            seconds,
            TicketIssued,
            KIOSK_ACTOR,
            counter=None,
            visit=index,
            ticket=ticket,
            waiting_ahead=ahead,
            estimated_wait_minutes=math.ceil(minutes) if ahead else 0,
        )
        heapq.heappush(queue, (ticket.rank, index))


def _pick(hall: _Hall, counter: Counter) -> int | None:
    """The next citizen `counter` calls: the oldest priority ticket of its services, or
    else the first ticket of their queues (transferred ones first)."""
    for queues in (hall.priority, hall.normal):
        heads = [(q[0], code) for code in counter.services if (q := queues.get(code))]
        if heads:
            (_, index), code = min(heads)
            heapq.heappop(queues[code])
            return index
    return None


def _visit_counter(
    hall: _Hall,
    index: int,
    now: float,
    counter: Counter,
    clerk: Clerk,
    speed: float,
    pending: list[tuple[float, int, int, bool]],
) -> float:
    """Call ticket `index` at `counter` and play what follows; returns when the counter
    is free again (seconds)."""
    rng, visit = hall.rng, hall.visits[index]
    called = visit.final.replace(
        status=TicketStatus.CALLED,
        called_at=hall.at(now),
        counter=counter.number,
        clerk=clerk.username,
    )
    who = clerk.display_name
    hall.step(now, TicketCalled, who, counter=counter.number, visit=index, ticket=called)
    draw = rng.random()
    if draw < NO_SHOW_SHARE:
        recalled = dispatch.recall(called)
        hall.step(
            now + RECALL_AFTER_S,
            TicketRecalled,
            who,
            counter=counter.number,
            visit=index,
            ticket=recalled,
        )
        end = now + NO_SHOW_AFTER_S
        gone = dispatch.no_show(recalled, hall.at(end))
        hall.step(end, TicketNoShow, who, counter=counter.number, visit=index, ticket=gone)
        visit.final = gone
        return end
    service = hall.services[called.service]
    mean = service.average_service_s * speed
    took = max(
        SHORTEST_SERVICE_S,
        rng.lognormvariate(math.log(mean) - SERVICE_SIGMA**2 / 2, SERVICE_SIGMA),
    )
    others = [code for code in hall.services if code != called.service]
    first_time = visit.final.service == visit.issued.service
    if draw < NO_SHOW_SHARE + TRANSFER_SHARE and others and first_time:
        end = now + took / 2
        target = rng.choice(others)
        moved = dispatch.transfer(called, (), service=target)
        hall.step(
            end,
            TicketTransferred,
            who,
            counter=None,
            visit=index,
            ticket=moved,
            extra={"from_service": called.service, "from_counter": counter.number},
        )
        visit.final = moved
        hall.pushes += 1
        heapq.heappush(pending, (end, len(hall.visits) + hall.pushes, index, True))
        return end
    end = now + took
    done = dispatch.complete(called, hall.at(end))
    hall.step(end, TicketCompleted, who, counter=counter.number, visit=index, ticket=done)
    visit.final = done
    if rng.random() < RATED_SHARE:
        visit.rating = _rate(hall, end + rng.uniform(10, 90), index, done)
    return end


def _rate(hall: _Hall, seconds: float, index: int, done: Ticket) -> Rated:
    size = hall.site.site.rating_scale
    score = hall.rng.choices(range(1, size + 1), weights=RATING_WEIGHTS[size])[0]
    reasons: tuple[str, ...] = ()
    if score == 1 and hall.site.site.rating_reasons:
        reasons = (hall.rng.choice(hall.site.site.rating_reasons),)
    hall.step(
        seconds,
        TicketRated,
        None,
        counter=done.counter,
        visit=index,
        ticket=done,
        extra={"score": score},
    )
    return Rated(score, hall.at(seconds), reasons)


def _expire_left(hall: _Hall) -> None:
    """Tickets nobody called by the end of the day expire, as the day change does."""
    end = WORK_END * 3600 + 60
    left = [i for queues in (hall.priority, hall.normal) for q in queues.values() for _, i in q]
    for index in sorted(left):
        expired = dispatch.expire(hall.visits[index].final, hall.at(end))
        hall.step(end, TicketExpired, SYSTEM_ACTOR, counter=None, visit=index, ticket=expired)
        hall.visits[index].final = expired
    hall.priority.clear()
    hall.normal.clear()


def _counter_step(
    hall: _Hall, seconds: float, counter: Counter, clerk: Clerk, state: CounterState
) -> None:
    view = CounterOut(
        number=counter.number,
        name=counter.name,
        services=list(counter.services),
        call_mode=counter.call_mode,
        state=state,
        clerk=clerk.display_name if state is CounterState.OPEN else None,
    )
    hall.step(seconds, CounterUpdated, clerk.display_name, counter=counter.number, counter_out=view)


# --- from a played day to rows --------------------------------------------------------------


def event_rows(
    site: SiteConfig, day: SimDay, ids: Sequence[int], first_seq: int
) -> Iterator[EventRecord]:
    """The day's events in time order, numbered from `first_seq`, their bodies the JSON
    the server sends (`ids`: the stored ticket ids, in `day.visits` order)."""
    tz = ZoneInfo(site.site.timezone)
    names = {s.code: s.name for s in site.services}
    steps = sorted(day.steps, key=lambda s: (s.at, s.order))
    for seq, step in enumerate(steps, start=first_seq):
        local = step.at.astimezone(tz)
        ticket_id = None
        if step.counter_out is not None:
            event: Any = step.kind(seq=seq, at=local, counter=step.counter_out)
        else:
            assert step.ticket is not None
            assert step.visit is not None
            ticket_id = ids[step.visit]
            view = _view(step.ticket, ticket_id, tz, names, step)
            event = step.kind(seq=seq, at=local, ticket=view, counter=step.counter, **step.extra)
        yield EventRecord(
            seq, event.type, step.at, step.actor, ticket_id, step.counter, event.model_dump_json()
        )


def _view(
    ticket: Ticket, ticket_id: int, tz: ZoneInfo, names: dict[str, str], step: Step
) -> TicketOut:
    def local(at: datetime | None) -> datetime | None:
        return at.astimezone(tz) if at is not None else None

    return TicketOut(
        id=ticket_id,
        number=ticket.number,
        service=ticket.service,
        service_name=names.get(ticket.service, ticket.service),
        priority=ticket.priority,
        status=ticket.status,
        issued_at=ticket.issued_at.astimezone(tz),
        called_at=local(ticket.called_at),
        finished_at=local(ticket.finished_at),
        counter=ticket.counter,
        target_counter=ticket.target_counter,
        recalls=ticket.recalls,
        walk_in=ticket.walk_in,
        waiting_ahead=step.waiting_ahead,
        estimated_wait_minutes=step.estimated_wait_minutes,
    )


def rating_rows(day: SimDay, ids: Sequence[int], size: int) -> Iterator[Rating]:
    """The day's ratings as the server records them (see `QueueService._record_rating`)."""
    for visit, ticket_id in zip(day.visits, ids, strict=True):
        rating = visit.rating
        if rating is None:
            continue
        yield Rating(
            ticket_id=ticket_id,
            score=rating.score,
            scale=size,
            reasons=rating.reasons,
            comment=None,
            rated_at=rating.at,
            counter=visit.final.counter,
            clerk=visit.final.clerk,
            service=visit.final.service,
            device=None,
        )


# --- the store: every call to it is here ------------------------------------------------------


def fill_past_days(
    store: Store, now: datetime, days: int, per_day: int, seed: int
) -> tuple[int, int, int]:
    """`motcua simulate`: the working days of the `days` days before `now`'s local day,
    each written in its own transaction. Returns (working days, tickets, events)."""
    site = store.site()
    if site is None:
        raise ValueError("the store holds no site")
    known = [
        Clerk(u.username, u.display_name or u.username)
        for u in store.users()
        if u.role == "clerk" and not u.disabled
    ]
    clerks = default_clerks(site, known)
    yesterday = local_day(now, site.site.timezone) - timedelta(days=1)
    worked = working_days(yesterday, days, site)
    tickets = events = 0
    for day in worked:
        played = generate_day(
            site, day, per_day, day_rng(seed, day), clerks, sequences_of_day(store, day)
        )
        events += write_day(store, site, played)
        tickets += len(played.visits)
    return len(worked), tickets, events


def sequences_of_day(store: Store, day: date) -> dict[str, int]:
    """The last sequence issued on `day` per service, from the tickets already there."""
    sequences: dict[str, int] = {}
    numbers = {t.id: t.sequence for t in store.tickets_of_day(day)}
    for issue in store.issues_of_day(day):
        sequence = numbers.get(issue.ticket_id, 0)
        sequences[issue.issued_service] = max(sequences.get(issue.issued_service, 0), sequence)
    return sequences


def _issue_record(ticket_id: int, service: str, walk_in: bool) -> IssueRecord:
    """A kiosk's ticket as a kiosk issues it: from the kiosk's device, under an
    Idempotency-Key of its own (one per touch; random-looking, as `uuid4().hex` is, yet
    the same on every run). A walk-in is issued at the counter, with neither."""
    if walk_in:
        return IssueRecord(ticket_id, service)
    key = hashlib.blake2b(ticket_id.to_bytes(8, "big"), digest_size=16).hexdigest()
    return IssueRecord(ticket_id, service, SIMULATED_KIOSK, key)


def write_day(store: Store, site: SiteConfig, day: SimDay) -> int:
    """Store `day`'s tickets, events and ratings in one transaction; returns the number
    of events written."""
    with store.transaction():
        first = store.last_ticket_id() + 1
        ids = list(range(first, first + len(day.visits)))
        for visit, ticket_id in zip(day.visits, ids, strict=True):
            # As the day left it; its rank its id, as the server gives a new ticket, unless
            # a transfer put it in front of a queue. Its number counts in the service it
            # was issued for, which a transfer never changes.
            rank = visit.final.rank if visit.final.rank < 0 else ticket_id
            store.insert_ticket(
                visit.final.replace(id=ticket_id, rank=rank),
                _issue_record(ticket_id, visit.issued.service, visit.final.walk_in),
            )
        events = list(event_rows(site, day, ids, store.last_seq() + 1))
        for start in range(0, len(events), EVENTS_PER_STATEMENT):
            store.append_events(events[start : start + EVENTS_PER_STATEMENT])
        for rating in rating_rows(day, ids, site.site.rating_scale):
            store.insert_rating(rating)
    return len(events)
