"""Today's hall in memory: what every hot read and every command needs, without a query.

The counters, today's tickets (and any a past day left open), the waiting lines in call
order, each service's last number of the day, today's idempotency keys, recent service
times, staff names, the last event's `seq` and the latest calls. Rebuilt from the store
when the server starts, so a crash loses nothing; kept current by applying `Change`s.

Two copies exist: the writer's, which a command reads and changes as it runs (and which
is rebuilt when a transaction fails), used by one batch at a time, on the event loop or on
the writer's thread (see `writer.py`), never by both at once; and the event loop's, which
takes each batch's changes once they are committed, so every read on the loop (the
services, the counters, a ticket, a clerk's list, a snapshot) sees committed state only,
consistent with the events delivered so far.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from queue_core import ahead
from queue_core.alerts import Alert, AlertKey
from queue_core.dispatch import DEFAULT_PRIORITY_RATIO, Line, lines_of
from queue_core.errors import UnknownCounter
from queue_core.estimate import RECENT_COMPLETIONS
from queue_core.lines import WaitingLines
from queue_core.model import Counter, Ticket, TicketStatus
from queue_core.protocol import CallOut, Event, TicketCalled, TicketRecalled, parse_event
from queue_core.site import SiteConfig
from queue_server.store import Device, IssueRecord, Store


@dataclass(frozen=True, slots=True)
class TicketChange:
    """A ticket stored or changed; `issue` when it is new."""

    ticket: Ticket
    issue: IssueRecord | None = None


@dataclass(frozen=True, slots=True)
class CounterChange:
    counter: Counter


@dataclass(frozen=True, slots=True)
class NameChange:
    """A clerk's name as their colleagues and the boards read it."""

    username: str
    display_name: str


@dataclass(frozen=True, slots=True)
class DayChange:
    """The day changed: yesterday's numbers, keys and figures are forgotten."""

    day: date


@dataclass(frozen=True, slots=True)
class DeviceChange:
    """A device heard from (its last word, as the store now keeps it) or revoked."""

    device: Device


@dataclass(frozen=True, slots=True)
class AlertChange:
    """An alert raised, or `cleared`."""

    alert: Alert
    cleared: bool = False


@dataclass(frozen=True, slots=True)
class IssuingChange:
    """A supervisor closed `service`'s issuing early today (`closed_at`), or reopened it
    (None)."""

    service: str
    closed_at: datetime | None


@dataclass(frozen=True, slots=True)
class SiteReplaced:
    """The site changed (services, counters, hours…): the service's views follow it."""

    site: SiteConfig


Change = (
    TicketChange
    | CounterChange
    | NameChange
    | DayChange
    | SiteReplaced
    | DeviceChange
    | AlertChange
    | IssuingChange
)


def midnight(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(timezone))


def call_of(event: Event) -> CallOut | None:
    """A call as the boards list it, for a call or recall event."""
    if not isinstance(event, TicketCalled | TicketRecalled) or event.counter is None:
        return None
    return CallOut(
        seq=event.seq,
        at=event.at,
        number=event.ticket.number,
        counter=event.counter,
        service=event.ticket.service,
        recall=isinstance(event, TicketRecalled),
    )


class Live:
    """Today's hall, as one thread sees it (see the module's doc)."""

    def __init__(self, day: date, history: int) -> None:
        self.day = day
        self.last_seq = 0
        # Moves with every change taken or event noted: what was read off the hall at one
        # version (a snapshot) holds until the next.
        self.version = 0
        self.last_ticket_id = 0
        self._counters: dict[int, Counter] = {}
        # The counters by number and how they count (`counters()`), until one changes.
        self._hall: ahead.Hall | None = None
        self._tickets: dict[int, Ticket] = {}
        self._lines = WaitingLines()
        self._sequences: dict[str, int] = {}  # issued service -> last sequence of the day
        self._keys: dict[tuple[str, str], IssueRecord] = {}
        self._recent: dict[str, deque[float]] = {}  # service -> seconds, newest first
        self._names: dict[str, str] = {}
        self.calls: deque[CallOut] = deque(maxlen=history)  # newest first
        self._devices: dict[int, Device] = {}
        self._alerts: dict[AlertKey, Alert] = {}  # the active ones
        self._closed_early: dict[str, datetime] = {}  # service -> when, today
        # People ahead, as worked out at one version of the hall (see `places`).
        self._placed: dict[int, tuple[Ticket, ahead.Place]] = {}
        self._placed_at: tuple[int, int] = (-1, 0)

    @classmethod
    def load(cls, store: Store, day: date, timezone: str, history: int) -> Live:
        """Today's hall as the store holds it: a few indexed reads, in one snapshot."""
        live = cls(day, history)
        with store.read_transaction():
            for counter in store.counters():
                live._counters[counter.number] = counter
            for user in store.users():
                live._names[user.username] = user.display_name
            issues = {issue.ticket_id: issue for issue in store.issues_of_day(day)}
            tickets = [*store.open_tickets_before(day), *store.tickets_of_day(day)]
            for ticket in sorted(tickets, key=lambda t: t.finished_at or t.issued_at):
                live._put(ticket, issues.get(ticket.id), track_recent=True)
            for device in store.devices():
                live._devices[device.id] = device
            for alert in store.active_alerts():
                live._alerts[alert.key] = alert
            live._closed_early = store.early_closures(day)
            live.last_ticket_id = store.last_ticket_id()
            live.last_seq = store.last_seq()
            since = midnight(day, timezone)
            for body in reversed(store.latest_calls(since, history)):
                call = call_of(parse_event(body))
                if call is not None:
                    live.calls.appendleft(call)
        return live

    # --- changes --------------------------------------------------------------------

    def apply(self, changes: Iterable[Change]) -> None:
        self.version += 1
        for change in changes:
            if isinstance(change, TicketChange):
                self._put(change.ticket, change.issue)
            elif isinstance(change, CounterChange):
                self._counters[change.counter.number] = change.counter
                self._hall = None
            elif isinstance(change, NameChange):
                self._names[change.username] = change.display_name
            elif isinstance(change, DeviceChange):
                self._devices[change.device.id] = change.device
            elif isinstance(change, AlertChange):
                if change.cleared:
                    self._alerts.pop(change.alert.key, None)
                else:
                    self._alerts[change.alert.key] = change.alert
            elif isinstance(change, IssuingChange):
                if change.closed_at is None:
                    self._closed_early.pop(change.service, None)
                else:
                    self._closed_early[change.service] = change.closed_at
            elif isinstance(change, DayChange):
                self._start_day(change.day)
            # SiteReplaced: the hall's own state does not change (see QueueService)

    def note(self, events: Sequence[Event]) -> None:
        """Events appended (the writer's copy) or delivered (the loop's)."""
        self.version += 1
        for event in events:
            self.last_seq = max(self.last_seq, event.seq)
            call = call_of(event)
            if call is not None:
                self.calls.appendleft(call)

    def _put(self, ticket: Ticket, issue: IssueRecord | None, track_recent: bool = False) -> None:
        old = self._tickets.get(ticket.id)
        if old is not None:
            self._lines.discard(old)
        self._lines.add(ticket)
        self._tickets[ticket.id] = ticket
        self.last_ticket_id = max(self.last_ticket_id, ticket.id)
        if issue is not None and ticket.day == self.day:
            last = self._sequences.get(issue.issued_service, 0)
            self._sequences[issue.issued_service] = max(last, ticket.sequence)
            if issue.issued_by is not None and issue.idempotency_key is not None:
                self._keys[issue.issued_by, issue.idempotency_key] = issue
        finished = ticket.status is TicketStatus.DONE and (
            track_recent or (old is not None and old.status is TicketStatus.CALLED)
        )
        if finished and not ticket.walk_in and ticket.day == self.day:
            assert ticket.called_at is not None
            assert ticket.finished_at is not None
            seconds = (ticket.finished_at - ticket.called_at).total_seconds()
            recent = self._recent.setdefault(ticket.service, deque(maxlen=RECENT_COMPLETIONS))
            recent.appendleft(seconds)

    def _start_day(self, day: date) -> None:
        self.day = day
        self._tickets = {i: t for i, t in self._tickets.items() if t.is_open}
        self._sequences.clear()
        self._keys.clear()
        self._recent.clear()
        self.calls.clear()
        self._closed_early.clear()  # an early closing lasts the day it was decided

    # --- reads ----------------------------------------------------------------------

    def counters(self) -> Sequence[Counter]:
        """Every counter, by number: read by each ticket's view, sorted once per change."""
        return self._counter_hall().counters

    def _counter_hall(self) -> ahead.Hall:
        if self._hall is None:
            self._hall = ahead.Hall(self._counters[n] for n in sorted(self._counters))
        return self._hall

    def counter(self, number: int) -> Counter:
        found = self._counters.get(number)
        if found is None:
            raise UnknownCounter(number)
        return found

    def ticket(self, ticket_id: int) -> Ticket | None:
        """Today's ticket `ticket_id` (or one a past day left open); None for others."""
        return self._tickets.get(ticket_id)

    def current(self, stored: Ticket) -> Ticket:
        """`stored` (read from the store) as this copy of the hall has it now, if it is one
        of today's or still open."""
        return self._tickets.get(stored.id, stored)

    def tickets_of_day(self) -> list[Ticket]:
        """Today's tickets, every status (for the running figures of the supervision page)."""
        return [t for t in self._tickets.values() if t.day == self.day]

    def open_before(self, day: date) -> list[Ticket]:
        """Waiting or called tickets of days before `day`."""
        return [t for t in self._tickets.values() if t.is_open and t.day < day]

    def heads(self, lines: Iterable[Line]) -> list[Ticket]:
        """The first waiting ticket of each of `lines` that has one."""
        heads = [self._lines.head(line) for line in lines]
        return [self._tickets[ticket_id] for ticket_id in heads if ticket_id is not None]

    def waiting(
        self, lines: Iterable[Line] | None = None, first: int | None = None
    ) -> list[Ticket]:
        """The waiting tickets of `lines` (all when None), line by line; only the `first`
        of each line when given."""
        chosen = self._lines.lines() if lines is None else lines
        return [self._tickets[i] for line in chosen for i in self._lines.ids(line, first)]

    def waiting_for(self, counter: Counter, first: int | None = None) -> list[Ticket]:
        """The waiting tickets `counter` may call (the `first` of each of its lines), in no
        particular order."""
        return self.waiting(lines_of(counter.calls_services, counter.number), first)

    def waiting_count(self, service: str) -> int:
        """Waiting tickets of `service`, those sent to one counter apart."""
        return self._lines.count(Line(service=service, priority=True)) + self._lines.count(
            Line(service=service, priority=False)
        )

    def places(
        self, tickets: Sequence[Ticket], priority_ratio: int = DEFAULT_PRIORITY_RATIO
    ) -> dict[int, ahead.Place]:
        """People ahead of each of `tickets` (see `queue_core.ahead`).

        Worked out once per version of the hall: after an event, every desk reads its
        waiting list, and with all counters serving all services these are the same
        tickets, each placed at every counter that may call it. A ticket is taken from
        what was worked out only if it is the very object placed then (the hall's own, not
        a changed copy of it)."""
        key = (self.version, priority_ratio)
        if self._placed_at != key:
            self._placed.clear()
            self._placed_at = key
        placed = self._placed
        missing = [t for t in tickets if (seen := placed.get(t.id)) is None or seen[0] is not t]
        if missing:
            found = ahead.places(
                missing, self._counter_hall(), self._lines, self._tickets, priority_ratio
            )
            for ticket in missing:
                placed[ticket.id] = (ticket, found[ticket.id])
        return {ticket.id: placed[ticket.id][1] for ticket in tickets}

    def last_sequence(self, service: str, day: date) -> int:
        return self._sequences.get(service, 0) if day == self.day else 0

    def issued_under(self, issued_by: str, key: str) -> IssueRecord | None:
        """Today's ticket `issued_by` issued under Idempotency-Key `key`."""
        return self._keys.get((issued_by, key))

    def recent_service_s(self, service: str, day: date) -> list[float]:
        """Call-to-completion seconds of `service`'s latest completions of `day` (walk-ins
        apart), newest first."""
        return list(self._recent.get(service, ())) if day == self.day else []

    def display_name(self, username: str) -> str:
        return self._names.get(username, username)

    def oldest_waiting(self, service: str) -> datetime | None:
        """When the oldest ticket of `service` waiting for its first call was issued (None
        when none waits). Such tickets stand in their line in issue order, behind any that
        were called before and came back (a transfer, a requeue): only those are skipped,
        so this reads a line's first few places, not the line."""
        oldest: datetime | None = None
        for priority in (True, False):
            for ticket_id in self._lines.iter_ids(Line(service=service, priority=priority)):
                ticket = self._tickets[ticket_id]
                if ticket.called_at is None:
                    if oldest is None or ticket.issued_at < oldest:
                        oldest = ticket.issued_at
                    break
        return oldest

    def closed_early(self, service: str) -> datetime | None:
        """When a supervisor closed `service`'s issuing early today (None: it was not)."""
        return self._closed_early.get(service)

    def devices(self) -> list[Device]:
        """Every registered device as last heard, by id."""
        return [self._devices[i] for i in sorted(self._devices)]

    def device(self, device_id: int) -> Device | None:
        return self._devices.get(device_id)

    def alerts(self) -> dict[AlertKey, Alert]:
        """The active alerts, by kind and subject."""
        return dict(self._alerts)
