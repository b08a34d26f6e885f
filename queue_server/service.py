"""The queue's commands: core rules run inside the writer's transaction.

Every command here validates, changes state and appends its events in one
transaction of the single writer (see `writer.py`); the events are published
only after the commit. Reads run on the caller's own store connection.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from queue_core import dispatch
from queue_core.clock import Clock
from queue_core.errors import (
    AlreadyRated,
    CounterBusy,
    InvalidRequest,
    InvalidTransition,
    NotFound,
    UnknownCounter,
    UnknownService,
)
from queue_core.hours import IssuingHours
from queue_core.model import Counter, CounterState, Service, Ticket, TicketStatus
from queue_core.numbering import grant_number, local_day
from queue_core.protocol import (
    AlertOut,
    CounterOut,
    Event,
    IssueRequest,
    RatingOut,
    RatingRequest,
    RequeueRequest,
    ServiceOut,
    ServiceUpdated,
    SiteUpdated,
    TicketCalled,
    TicketCancelled,
    TicketCompleted,
    TicketExpired,
    TicketIssued,
    TicketNoShow,
    TicketOut,
    TicketRated,
    TicketRecalled,
    TicketRequeued,
    TicketTransferred,
    TransferRequest,
)
from queue_core.rating import scale
from queue_core.site import SiteConfig
from queue_server import alerting, policy
from queue_server.auth import Principal
from queue_server.journal import Answer, Tx
from queue_server.live import (
    Change,
    CounterChange,
    DeviceChange,
    IssuingChange,
    Live,
    SiteReplaced,
)
from queue_server.policy import Action
from queue_server.snapshot import build_snapshot
from queue_server.store import Device, IssueRecord, Rating, Store
from queue_server.views import Views
from queue_server.writer import Outcome, Unfinished, Writer

T = TypeVar("T")

# How long one snapshot serves the streams that start while the hall does not change.
SNAPSHOT_REUSE = timedelta(seconds=1)

REUSED_KEY = "Idempotency-Key đã dùng cho một yêu cầu khác"
NOT_YOURS = "Số {number} đang chờ: chỉ giám sát viên mới chuyển được số chưa gọi đến quầy"


def _midnight(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(timezone))


class QueueService:
    """The one-stop hall's operations, for the HTTP routes and the demo."""

    def __init__(self, site: SiteConfig, writer: Writer, reader: Store, clock: Clock) -> None:
        self._writer = writer
        self._reader = reader
        self._clock = clock
        self._swept_day: date | None = None
        # (the hall's version, when, seq, JSON) of the last snapshot made.
        self._snapshot_made: tuple[int, datetime, int, str] | None = None
        # Devices are watched from now: one is not offline because the server was down.
        self._started = clock.now()
        # The event loop's views and hall: every read below. The writer has its own copy
        # of each, for its commands, which the loop's follow once a batch is committed.
        self.views = Views(site)
        self.live = self._load(reader, site)
        self._writer_views = self.views
        self._writer_live = self.live  # replaced by `reload` on the writer's thread
        self.site_revision = reader.site_revision()

    @classmethod
    def with_writer(
        cls,
        site: SiteConfig,
        reader: Store,
        clock: Clock,
        open_store: Callable[[], Store],
        publish: Callable[[Sequence[Event], Sequence[str]], None] = lambda events, texts: None,
        batch_max: int = 64,
    ) -> QueueService:
        """The service and its single writer, wired together: the writer sweeps the day
        before each batch, rebuilds its copy of the hall on opening and after a
        rolled-back batch, and hands each committed batch to the event loop's copy before
        `publish` sends its events on. Start the writer (`service.writer.start()`) on the
        event loop."""
        service: QueueService | None = None

        def sweep(store: Store) -> Outcome[None]:
            return service.sweep(store) if service is not None else Outcome(None)

        def reload(store: Store) -> None:
            if service is not None:
                service.reload(store)

        def committed(outcome: Outcome[Any]) -> None:
            # The hall's state first, so that a snapshot taken after any event includes it.
            if service is not None:
                service.committed(outcome.events, outcome.changes)
            publish(outcome.events, outcome.texts)

        def swept() -> bool:
            # Read between batches only, when no batch is using the writer's state.
            return service is not None and service.swept_today()

        writer = Writer(
            open_store,
            committed,
            batch_max=batch_max,
            prepare=sweep,
            reload=reload,
            prepare_is_light=swept,
        )
        service = cls(site, writer, reader, clock)
        return service

    @property
    def writer(self) -> Writer:
        return self._writer

    @property
    def site(self) -> SiteConfig:
        """The site as the event loop knows it."""
        return self.views.site

    @property
    def _timezone(self) -> str:
        return self.views.site.site.timezone

    def _load(self, store: Store, site: SiteConfig) -> Live:
        timezone = site.site.timezone
        today = local_day(self._clock.now(), timezone)
        return Live.load(store, today, timezone, site.display.history)

    def reload(self, store: Store) -> None:
        """(Re)build the writer's copy of the hall; the writer calls it on its thread when
        it opens the store and after a rolled-back batch."""
        self._writer_live = self._load(store, self._writer_views.site)
        self._swept_day = None

    def committed(self, events: Sequence[Event], changes: Sequence[Change]) -> None:
        """A batch committed: the event loop's hall takes its changes (on the loop)."""
        for change in changes:
            if isinstance(change, SiteReplaced):
                self.views = Views(change.site)
        self.live.apply(changes)
        self.live.note(events)

    # --- the site, changed while the server runs -------------------------------------

    def take_site(self, store: Store) -> Outcome[None]:
        """The writer's command that takes the stored site live when it changed (`motcua
        site apply` stored it from another process): the counters as stored, new views,
        and `site.updated` carrying the new state for every screen to redraw from."""
        site = store.site()
        if site is None or site == self._writer_views.site:
            return Outcome(None)
        views = Views(site)
        tx = Tx(store, self._writer_live, views, self._clock.now(), "system")
        tx.adopt(SiteReplaced(site))
        for counter in store.counters():
            tx.adopt(CounterChange(counter))
        snapshot = build_snapshot(views, tx.live, tx.now).model_copy(
            update={"seq": tx.live.last_seq + 1}
        )
        tx.append(SiteUpdated(seq=0, at=tx.now, snapshot=snapshot))
        tx.flush()
        self._writer_views = views
        return tx.outcome(None)

    # --- reads -------------------------------------------------------------------------

    def services(self) -> list[ServiceOut]:
        now = self._clock.now()
        return [self.views.service(self.live, s, now) for s in self.views.offered()]

    def counters(self) -> list[CounterOut]:
        now = self._clock.now()
        return [
            self.views.counter(self.live, c, now) for c in self.live.counters() if not c.retired
        ]

    def counter(self, number: int) -> CounterOut:
        return self.views.counter(self.live, self.live.counter(number), self._clock.now())

    def ticket(self, ticket_id: int) -> TicketOut:
        ticket = self.live.ticket(ticket_id) or self._reader.ticket(ticket_id)
        return self.views.ticket(self.live, ticket, self._clock.now())

    def waiting(self, counter: int | None = None, limit: int = 100) -> list[TicketOut]:
        """The first `limit` waiting tickets: of the whole hall in queue order, or of those
        `counter` may call in the order it would call them.

        Only the first `limit` of each line can be among the first `limit` of an order
        that keeps each line's order, so that is all that is read and sorted: the cost
        follows `limit`, not the length of the queue."""
        now = self._clock.now()
        if counter is None:
            tickets = sorted(self.live.waiting(first=limit), key=lambda t: (t.rank, t.id))
        else:
            found = self.live.counter(counter)
            tickets = dispatch.call_order(
                found, self.live.waiting_for(found, first=limit), self.site.site.priority_ratio
            )
        return self.views.tickets(self.live, tickets[:limit], now)

    def tickets_by_number(self, number: str) -> list[TicketOut]:
        """Today's tickets printed with `number` (one at most: prefixes are distinct)."""
        now = self._clock.now()
        found = self._reader.tickets_by_number(number, local_day(now, self._timezone))
        return self.views.tickets(self.live, [self.live.current(t) for t in found], now)

    def snapshot_text(self) -> tuple[int, str]:
        """The whole live state as a `Snapshot`'s JSON, with the `seq` of the last event it
        includes. It is made once for every stream that starts while the
        hall stays as it is (for at most `SNAPSHOT_REUSE`: its waits are estimates of
        the moment). Three hundred boards coming back together after a network blip then
        cost one snapshot, not three hundred, and the kiosks' requests are not queued
        behind them."""
        now = self._clock.now()
        made = self._snapshot_made
        if (
            made is None
            # A new site comes as a change the hall takes too: its version covers the views.
            or made[0] != self.live.version
            or not timedelta(0) <= now - made[1] <= SNAPSHOT_REUSE
        ):
            snapshot = build_snapshot(self.views, self.live, now)
            made = self._snapshot_made = (
                self.live.version,
                now,
                snapshot.seq,
                snapshot.model_dump_json(),
            )
        return made[2], made[3]

    # --- the writer's plumbing ----------------------------------------------------------

    async def _run(
        self, actor: Principal | None, body: Callable[[Tx], T], *, light: bool = True
    ) -> T:
        """Run `body` in the writer. Light by default: a ticket's or a counter's step
        reads the hall from memory and writes a few rows (see `writer.py`)."""

        def command(store: Store) -> Outcome[T]:
            tx = self._tx(store, actor.display_name if actor else None)
            if actor is not None and actor.clerk is not None:
                # A clerk added since the start is named on the counters from their token.
                tx.know_name(actor.clerk, actor.display_name)
            try:
                result = body(tx)
                tx.flush()
            except Exception as exc:
                if isinstance(exc, CounterBusy):
                    # The core knows usernames; the clerk at the next desk knows names.
                    exc = CounterBusy(exc.counter, tx.live.display_name(exc.clerk))
                if tx.changed:
                    raise Unfinished(exc) from exc
                raise exc from None
            return tx.outcome(result)

        return await self._writer.run(command, light=light)

    def _tx(self, store: Store, actor: str | None) -> Tx:
        return Tx(store, self._writer_live, self._writer_views, self._clock.now(), actor)

    def swept_today(self) -> bool:
        """Whether `sweep` has nothing to do now (the day is already started)."""
        today = local_day(self._clock.now(), self._writer_views.site.site.timezone)
        return self._swept_day == today

    def sweep(self, store: Store) -> Outcome[None]:
        """Expire the open tickets of past days and start the day; the writer runs it
        before each batch."""
        now = self._clock.now()
        today = local_day(now, self._writer_views.site.site.timezone)
        if self._swept_day == today:
            return Outcome(None)
        tx = self._tx(store, "system")
        stale = tx.live.open_before(today)
        for ticket in stale:
            expired = dispatch.expire(ticket, now)
            tx.put(expired)
            tx.emit(TicketExpired, expired, expired.counter)
        stale_ids = {t.id for t in stale}
        # Yesterday's clerks are not at their desks this morning: they sign in again.
        left_open = store.counters_open_since_before(
            _midnight(today, self._writer_views.site.site.timezone)
        )
        for counter in tx.live.counters():
            changed = counter
            if counter.current_ticket_id in stale_ids or counter.number in left_open:
                changed = dispatch.close_counter(changed).replace(
                    current_ticket_id=None, priority_streak=0
                )
            if dispatch.help_is_over(changed, today):  # help was for its day (issue #14)
                changed = dispatch.end_help(changed)
            if changed != counter:
                tx.save_counter(changed, announce=True)
        if tx.live.day != today:
            tx.start_day(today)
        tx.flush()
        self._swept_day = today
        return tx.outcome(None)

    def _service(self, code: str) -> Service:
        service = self.views.services.get(code)
        if service is None:
            raise UnknownService(code)
        return service

    @staticmethod
    def _acting_counter(tx: Tx, number: int, who: Principal, action: Action) -> Counter:
        """The counter `who` does `action` at, if the policy's scope rules let them."""
        counter = policy.ensure_at_counter(who, action, tx.counter(number))
        policy.ensure_one_counter(who, action, counter, tx.live.counters())
        return counter

    def _ticket_counter(
        self, tx: Tx, ticket: Ticket, who: Principal, action: Action
    ) -> Counter | None:
        """The counter `ticket` is at, where `who` does `action` on it (None: a waiting
        ticket, at no counter, which only a supervisor moves)."""
        if ticket.counter is None or ticket.status is TicketStatus.WAITING:
            policy.ensure_bound_to(who, action, None)
            if action is Action.TRANSFER:
                policy.ensure_may(who, Action.MOVE_TICKET, NOT_YOURS.format(number=ticket.number))
            return None
        return self._acting_counter(tx, ticket.counter, who, action)

    def _current(self, tx: Tx, counter: Counter) -> Ticket | None:
        if counter.current_ticket_id is None:
            return None
        return tx.ticket(counter.current_ticket_id)

    def _apply_call(
        self, tx: Tx, outcome: dispatch.CallOutcome, announce_counter: bool
    ) -> TicketOut:
        if outcome.completed is not None:
            tx.put(outcome.completed)
            tx.emit(TicketCompleted, outcome.completed, outcome.completed.counter)
        tx.put(outcome.called)
        tx.save_counter(outcome.counter, announce=announce_counter)
        return tx.emit(TicketCalled, outcome.called, outcome.counter.number)

    def _issue_number(
        self,
        tx: Tx,
        service: Service,
        priority: bool,
        issued_by: str | None,
        key: str | None,
        *,
        walk_in: bool = False,
    ) -> tuple[Ticket, str]:
        day = local_day(tx.now, tx.views.site.site.timezone)
        grant = grant_number(
            service,
            tx.live.last_sequence(service.code, day),
            tx.now,
            tx.views.site.site.timezone,
            # The citizen at the counter is served: an early closing stops the kiosks.
            closed_today=not walk_in and tx.live.closed_early(service.code) is not None,
        )
        ticket_id = tx.next_ticket_id()
        ticket = Ticket(
            id=ticket_id,
            number=grant.number,
            service=service.code,
            day=grant.day,
            sequence=grant.sequence,
            issued_at=tx.now,
            rank=ticket_id,
            priority=priority,
        )
        return tx.issue(ticket, IssueRecord(ticket_id, service.code, issued_by, key))

    # --- tickets -----------------------------------------------------------------------

    async def issue(
        self, request: IssueRequest, who: Principal, idempotency_key: str | None
    ) -> TicketOut:
        """Issue the next number of a service (lấy số).

        The same `idempotency_key` again returns the ticket it first issued, so a
        kiosk that retries a touch never prints two numbers.
        """
        return (await self.issue_answer(request, who, idempotency_key)).out()

    async def issue_answer(
        self, request: IssueRequest, who: Principal, idempotency_key: str | None
    ) -> Answer:
        """`issue`, as the route sends it (see `journal.Answer`)."""
        service = self._service(request.service)

        issuer = f"{who.kind}:{who.subject}"

        def body(tx: Tx) -> Answer:
            if idempotency_key is not None:
                found = tx.live.issued_under(issuer, idempotency_key)
                if found is not None:
                    ticket = tx.ticket(found.ticket_id)
                    if found.issued_service != request.service or (
                        ticket.priority != request.priority
                    ):
                        raise InvalidRequest(REUSED_KEY)
                    view = tx.views.ticket(tx.live, ticket, tx.now)
                    return tx.answer(view, tx.store.follow_code(ticket.id))
            # A key is remembered for its day (the writer's memory holds every key of it):
            # a retry comes within seconds, and yesterday's ticket expired at midnight.
            ticket, code = self._issue_number(
                tx, service, request.priority, issuer, idempotency_key
            )
            # The event (seen by every screen) goes out without the code; only the issuer
            # gets it, to print in the QR code.
            return tx.answer(tx.emit(TicketIssued, ticket, None), code)

        return await self._run(who, body)

    async def call_next(self, number: int, who: Principal) -> TicketOut | None:
        """Complete the counter's current ticket and call the next; None when nobody waits."""
        answer = await self.call_next_answer(number, who)
        return answer.ticket if answer is not None else None

    async def call_next_answer(self, number: int, who: Principal) -> Answer | None:
        """`call_next`, as the route sends it (see `journal.Answer`)."""

        def body(tx: Tx) -> Answer | None:
            counter = self._acting_counter(tx, number, who, Action.CALL_NEXT)
            waiting = tx.live.heads(dispatch.lines_of(counter.calls_services, counter.number))
            dispatch.ensure_can_call(counter, who.clerk)
            if not any(counter.serves(t) for t in waiting):
                current = self._current(tx, counter)
                if current is not None and current.status is TicketStatus.CALLED:
                    # Nobody waits: still finish the citizen at the counter.
                    done = dispatch.complete(current, tx.now)
                    tx.put(done)
                    tx.emit(TicketCompleted, done, counter.number)
                    tx.save_counter(dispatch.release(counter, done.id), announce=False)
                return None
            opened = counter.state is not CounterState.OPEN or counter.clerk != (
                dispatch.holder_after(counter, who.clerk)
            )
            outcome = dispatch.call_next(
                counter,
                self._current(tx, counter),
                waiting,
                who.clerk,
                tx.now,
                tx.views.site.site.priority_ratio,
            )
            return tx.answer(self._apply_call(tx, outcome, announce_counter=opened))

        return await self._run(who, body)

    async def call_ticket(self, number: int, ticket_id: int, who: Principal) -> TicketOut:
        """Call one chosen waiting ticket to the counter (gọi số chỉ định)."""

        def body(tx: Tx) -> TicketOut:
            counter = self._acting_counter(tx, number, who, Action.CALL_TICKET)
            ticket = tx.ticket(ticket_id)
            if ticket.status is TicketStatus.WAITING and not counter.serves(ticket):
                policy.ensure_may(
                    who,
                    Action.MOVE_TICKET,
                    f"Quầy số {counter.number} không phục vụ số {ticket.number}",
                )
            if ticket.target_counter is None and ticket.service not in counter.calls_services:
                # A supervisor may route any ticket; the counter serves it this once.
                ticket = (
                    ticket.replace(target_counter=counter.number)
                    if ticket.status is TicketStatus.WAITING
                    else ticket
                )
            opened = counter.state is not CounterState.OPEN
            outcome = dispatch.call(counter, self._current(tx, counter), ticket, who.clerk, tx.now)
            return self._apply_call(tx, outcome, announce_counter=opened)

        return await self._run(who, body)

    async def walk_in(
        self, number: int, service_code: str, priority: bool, who: Principal
    ) -> TicketOut:
        """Serve at once a citizen with no kiosk ticket: a number is issued and called here.

        Issuing hours and the daily cap do not apply: the citizen is already at the counter.
        """
        service = dataclasses.replace(
            self._service(service_code), hours=IssuingHours(), daily_cap=None
        )

        def body(tx: Tx) -> TicketOut:
            counter = self._acting_counter(tx, number, who, Action.WALK_IN)
            dispatch.ensure_can_call(counter, who.clerk)
            ticket, _ = self._issue_number(
                tx, service, priority, f"{who.kind}:{who.subject}", None, walk_in=True
            )
            ticket = ticket.replace(target_counter=counter.number)
            tx.emit(TicketIssued, ticket.replace(walk_in=True), None)
            opened = counter.state is not CounterState.OPEN
            outcome = dispatch.walk_in(
                counter, self._current(tx, counter), ticket, who.clerk, tx.now
            )
            return self._apply_call(tx, outcome, announce_counter=opened)

        return await self._run(who, body)

    async def recall(self, number: int, who: Principal) -> TicketOut:
        def body(tx: Tx) -> TicketOut:
            counter = self._acting_counter(tx, number, who, Action.RECALL)
            current = self._current(tx, counter)
            if current is None:
                raise InvalidTransition(f"Quầy số {number} chưa gọi số nào")
            recalled = dispatch.recall(current)
            tx.put(recalled)
            return tx.emit(TicketRecalled, recalled, counter.number)

        return await self._run(who, body)

    def _finish(
        self,
        ticket_id: int,
        who: Principal,
        action: Action,
        change: Callable[[Ticket, datetime], Ticket],
        kind: type[TicketCompleted] | type[TicketNoShow] | type[TicketCancelled],
    ) -> Callable[[Tx], TicketOut]:
        def body(tx: Tx) -> TicketOut:
            ticket = tx.ticket(ticket_id)
            counter = self._ticket_counter(tx, ticket, who, action)
            finished = change(ticket, tx.now)
            tx.put(finished)
            if counter is not None:
                tx.save_counter(dispatch.release(counter, ticket.id), announce=False)
            return tx.emit(kind, finished, ticket.counter)

        return body

    async def complete(self, ticket_id: int, who: Principal) -> TicketOut:
        return await self._run(
            who, self._finish(ticket_id, who, Action.COMPLETE, dispatch.complete, TicketCompleted)
        )

    async def no_show(self, ticket_id: int, who: Principal) -> TicketOut:
        return await self._run(
            who, self._finish(ticket_id, who, Action.NO_SHOW, dispatch.no_show, TicketNoShow)
        )

    async def cancel(self, ticket_id: int, who: Principal) -> TicketOut:
        """Void a ticket (test or mistaken issue): it stays out of the statistics."""
        return await self._run(
            who, self._finish(ticket_id, who, Action.CANCEL, dispatch.cancel, TicketCancelled)
        )

    async def transfer(self, ticket_id: int, request: TransferRequest, who: Principal) -> TicketOut:
        """Send a ticket to the front of another service's queue, or to one counter."""
        if request.service is not None:
            self._service(request.service)

        def body(tx: Tx) -> TicketOut:
            ticket = tx.ticket(ticket_id)
            if request.counter is not None:
                tx.counter(request.counter)  # an unknown target is 404 whoever asks
            counter = self._ticket_counter(tx, ticket, who, Action.TRANSFER)
            # The target queue's heads are enough to get in front of all of it.
            if request.counter is not None:
                target = tx.counter(request.counter).number
                queue = tx.live.heads(dispatch.lines_of((), target))
            else:
                assert request.service is not None
                queue = tx.live.heads(dispatch.lines_of((request.service,)))
            moved = dispatch.transfer(
                ticket, queue, service=request.service, counter=request.counter
            )
            tx.put(moved)
            if counter is not None:
                tx.save_counter(dispatch.release(counter, ticket.id), announce=False)
            view = tx.views.ticket(tx.live, moved, tx.now)
            tx.append(
                TicketTransferred(
                    seq=0,
                    at=tx.now,
                    ticket=view,
                    counter=request.counter,
                    from_service=ticket.service,
                    from_counter=ticket.counter,
                ),
            )
            return view

        return await self._run(who, body)

    # --- a citizen who came late -------------------------------------------------------

    async def undo_no_show(self, ticket_id: int, who: Principal) -> TicketOut:
        """Take back a no-show at the counter that marked it, within a few minutes."""

        def body(tx: Tx) -> TicketOut:
            ticket = tx.ticket(ticket_id)
            if ticket.counter is None:
                raise InvalidTransition(f"Số {ticket.number} chưa được gọi đến quầy nào")
            counter = self._acting_counter(tx, ticket.counter, who, Action.UNDO_NO_SHOW)
            outcome = dispatch.undo_no_show(
                counter, self._current(tx, counter), ticket, who.clerk, tx.now
            )
            # The boards show the number at its counter again and say it: the citizen
            # who just came back into the hall hears where to go.
            opened = counter.state is not CounterState.OPEN
            return self._apply_call(tx, outcome, announce_counter=opened)

        return await self._run(who, body)

    async def requeue(self, ticket_id: int, request: RequeueRequest, who: Principal) -> TicketOut:
        """Put a late citizen's no-show back in its service's queue (same id and number)."""

        def body(tx: Tx) -> TicketOut:
            ticket = tx.ticket(ticket_id)
            counter = self._requeuing_counter(tx, ticket, request.counter, who)
            queue = tx.live.heads(dispatch.lines_of((ticket.service,)))
            back = dispatch.requeue(
                ticket, queue, local_day(tx.now, tx.views.site.site.timezone), by=counter
            )
            tx.put(back)
            view = tx.views.ticket(tx.live, back, tx.now)
            tx.append(
                TicketRequeued(
                    seq=0, at=tx.now, ticket=view, counter=None, from_counter=ticket.counter
                )
            )
            return view

        return await self._run(who, body)

    def _requeuing_counter(
        self, tx: Tx, ticket: Ticket, number: int | None, who: Principal
    ) -> Counter | None:
        """The counter that puts `ticket` back: the one named, or the clerk's own that
        serves its service. A supervisor who names none acts for the whole hall."""
        number = number if number is not None else who.counter  # a bound device: its own
        if number is not None:
            return self._acting_counter(tx, number, who, Action.REQUEUE)
        if who.clerk is None:
            return None
        held = dispatch.held_by(tx.live.counters(), who.clerk)
        for counter in held:
            if ticket.service in counter.services:
                return counter
        if held:
            return held[0]  # the core says why it may not
        raise InvalidTransition("Hãy mở quầy trước khi đưa số vào lại hàng chờ")

    # --- counters ----------------------------------------------------------------------

    def _counter_change(
        self,
        number: int,
        who: Principal,
        action: Action,
        change: Callable[[Counter], Counter],
        *,
        held_by_others_ok: bool = False,
    ) -> Callable[[Tx], CounterOut]:
        """A change to the counter itself, refused (unless `held_by_others_ok`) when
        another clerk holds it."""

        def body(tx: Tx) -> CounterOut:
            if held_by_others_ok:
                policy.ensure_bound_to(who, action, number)
                found = tx.counter(number)
                policy.ensure_one_counter(who, action, found, tx.live.counters())
            else:
                found = self._acting_counter(tx, number, who, action)
            counter = change(found)
            tx.save_counter(counter, announce=True)
            return tx.views.counter(tx.live, counter, tx.now)

        return body

    async def open_counter(self, number: int, who: Principal, force: bool = False) -> CounterOut:
        """A clerk signs in at the counter (another clerk's counter needs `force`)."""

        def open_(counter: Counter) -> Counter:
            return dispatch.open_counter(counter, who.clerk, force=force)

        # dispatch.open_counter has the rule for a counter another clerk holds: `force`.
        change = self._counter_change(
            number, who, Action.OPEN_COUNTER, open_, held_by_others_ok=True
        )
        return await self._run(who, change)

    async def close_counter(self, number: int, who: Principal) -> CounterOut:
        return await self._run(
            who, self._counter_change(number, who, Action.CLOSE_COUNTER, dispatch.close_counter)
        )

    async def pause(self, number: int, reason: str, who: Principal) -> CounterOut:
        def pause(counter: Counter) -> Counter:
            return dispatch.pause(counter, reason)

        return await self._run(who, self._counter_change(number, who, Action.PAUSE_COUNTER, pause))

    async def resume(self, number: int, who: Principal) -> CounterOut:
        return await self._run(
            who, self._counter_change(number, who, Action.PAUSE_COUNTER, dispatch.resume)
        )

    # --- a supervisor's orders for the day (issue #14) ---------------------------------

    async def send_to_help(self, number: int, service_code: str, who: Principal) -> CounterOut:
        """Send counter `number` to help `service_code` for the rest of today: it calls
        that service's line too, until the day changes or it is sent home."""
        self._service(service_code)

        def body(tx: Tx) -> CounterOut:
            policy.ensure_may(who, Action.HELP_SERVICE)
            today = local_day(tx.now, tx.views.site.site.timezone)
            counter = dispatch.send_to_help(tx.counter(number), service_code, today)
            tx.save_counter(counter, announce=True)
            return tx.views.counter(tx.live, counter, tx.now)

        return await self._run(who, body)

    async def end_help(self, number: int, who: Principal) -> CounterOut:
        """Send counter `number` back to its own services."""

        def body(tx: Tx) -> CounterOut:
            policy.ensure_may(who, Action.HELP_SERVICE)
            counter = tx.counter(number)
            if counter.helps is None:
                raise InvalidTransition(f"{counter.name} không được điều sang hỗ trợ lĩnh vực nào")
            counter = dispatch.end_help(counter)
            tx.save_counter(counter, announce=True)
            return tx.views.counter(tx.live, counter, tx.now)

        return await self._run(who, body)

    async def close_issuing(self, code: str, who: Principal) -> ServiceOut:
        """Stop issuing numbers of `code` for the rest of today (the kiosks and `POST
        /api/tickets` refuse with the reason); those already waiting are still called."""
        return await self._run(who, self._issuing(code, who, closed=True))

    async def reopen_issuing(self, code: str, who: Principal) -> ServiceOut:
        """Issue numbers of `code` again today, as its hours say."""
        return await self._run(who, self._issuing(code, who, closed=False))

    def _issuing(self, code: str, who: Principal, *, closed: bool) -> Callable[[Tx], ServiceOut]:
        service = self._service(code)
        if service.retired:
            raise InvalidTransition(f"{service.name}: lĩnh vực đã ngừng cấp số")

        def body(tx: Tx) -> ServiceOut:
            policy.ensure_may(who, Action.CLOSE_ISSUING)
            today = local_day(tx.now, tx.views.site.site.timezone)
            was_closed = tx.live.closed_early(code) is not None
            if closed == was_closed:
                raise InvalidTransition(
                    f"{service.name}: đã dừng cấp số hôm nay"
                    if closed
                    else f"{service.name}: không bị dừng cấp số sớm"
                )
            if closed:
                tx.store.close_issuing(code, today, tx.now, tx.actor)
            else:
                tx.store.reopen_issuing(code, today)
            tx.adopt(IssuingChange(code, tx.now if closed else None))
            view = tx.views.service(tx.live, service, tx.now)
            tx.append(ServiceUpdated(seq=0, at=tx.now, service=view))
            return view

        return body

    # --- ratings -----------------------------------------------------------------------

    async def rate(self, request: RatingRequest, who: Principal) -> RatingOut:
        """Record the citizen's satisfaction with a completed ticket (one per ticket)."""
        self._check_score(request.score)

        def body(tx: Tx) -> RatingOut:
            ticket = tx.ticket(request.ticket_id)
            code = request.follow_code
            if code is not None:
                held = tx.store.ticket_by_follow_code(code)  # compared in constant time
                if held is None or held.id != ticket.id:  # no guess at another ticket
                    raise NotFound("Không tìm thấy số này")
            on_its_day = self._can_rate_followed(ticket, tx.now)
            policy.ensure_may_rate(
                who, ticket, tx.now, holds_code=code is not None, on_its_day=on_its_day
            )
            device = who.subject if who.kind == "device" else None
            return self._record_rating(tx, ticket, request, device)

        return await self._run(who, body)

    def require_counter(self, number: int) -> None:
        """Raise UnknownCounter early, before queuing a write."""
        if number not in {c.number for c in self.site.counters}:
            raise UnknownCounter(number)

    # --- ratings: one home for what every way of rating records ---------------------------

    def _check_score(self, score: int) -> None:
        size = self.site.site.rating_scale
        if not 1 <= score <= size:
            raise InvalidRequest(f"Điểm đánh giá từ 1 đến {size}")

    def _record_rating(
        self, tx: Tx, ticket: Ticket, request: RatingRequest, device: str | None
    ) -> RatingOut:
        """Store one rating of a completed ticket and append its `ticket.rated` event."""
        size = tx.views.site.site.rating_scale
        if tx.store.rating_exists(ticket.id):
            raise AlreadyRated(ticket.id)
        if ticket.status is not TicketStatus.DONE:
            raise InvalidTransition(f"Chỉ đánh giá được số đã phục vụ xong (số {ticket.number})")
        rating = RatingOut(
            ticket_id=ticket.id,
            score=request.score,
            label=scale(size)[request.score - 1].label_vi,
            reasons=request.reasons,
            comment=request.comment,
            rated_at=tx.views.local(tx.now),
            counter=ticket.counter,
            service=ticket.service,
        )
        tx.store.insert_rating(
            Rating(
                ticket_id=ticket.id,
                score=request.score,
                scale=size,
                reasons=tuple(request.reasons),
                comment=request.comment,
                rated_at=tx.now,
                counter=ticket.counter,
                clerk=ticket.clerk,
                service=ticket.service,
                device=device,
            )
        )
        tx.append(
            TicketRated(
                seq=0,
                at=tx.now,
                ticket=tx.views.ticket(tx.live, ticket, tx.now),
                counter=ticket.counter,
                score=request.score,
            ),
        )
        return rating

    # --- devices and alerts (queue_server.alerting) ---------------------------------------

    def alerts(self) -> list[AlertOut]:
        """The active alerts, oldest first."""
        found = sorted(self.live.alerts().values(), key=lambda a: a.id)
        return [alerting.alert_out(alert, self.views.local) for alert in found]

    async def check_alerts(self) -> None:
        """Raise and clear what the moment calls for; free when nothing would change (no
        write, no event): the app's ticker runs it every second."""
        services = self.views.services.values()
        if not alerting.pending(self.live, services, self._clock.now(), self._started):
            return

        def body(tx: Tx) -> None:
            alerting.apply(tx, tx.views.services.values(), self._started)

        await self._run(None, body, light=False)

    async def take_devices(self) -> None:
        """The devices as the store now holds them: one added, or revoked, by the command
        line while the server runs (a revoked one raises nothing, and its alerts clear)."""

        def body(tx: Tx) -> None:
            for device in tx.store.devices():
                known = tx.live.device(device.id)
                if known is None or known.revoked_at != device.revoked_at:
                    tx.adopt(DeviceChange(device))
            alerting.apply(tx, tx.views.services.values(), self._started)

        await self._run(None, body, light=False)

    async def device_command(
        self,
        device_id: int,
        who: Principal | None,
        body: Callable[[Store, Device | None], Device],
    ) -> Device:
        """Run `body` on device `device_id` (a heartbeat, a revocation) in the writer; it
        gets the device as the hall knows it (None: not yet) and returns it as it now is.
        The alerts are checked in the same transaction, so a printer's trouble is raised
        with the heartbeat that reports it."""

        def run(tx: Tx) -> Device:
            device = body(tx.store, tx.live.device(device_id))
            tx.adopt(DeviceChange(device))
            alerting.apply(tx, tx.views.services.values(), self._started)
            return device

        return await self._run(who, run, light=False)

    # --- the follow page: the ticket's code is the citizen's only credential --------------

    def followed(self, code: str) -> Followed | None:
        """The ticket holding follow `code` as its page shows it; None for no such code."""
        stored = self._reader.ticket_by_follow_code(code)
        if stored is None:
            return None
        ticket = self.live.current(stored)
        now = self._clock.now()
        score = self._reader.rating_score(ticket.id)
        return Followed(
            ticket=self.views.ticket(self.live, ticket, now),
            score=score,
            can_rate=score is None and self._can_rate_followed(ticket, now),
        )

    def followed_by_id(self, ticket_id: int) -> TicketOut | None:
        """Today's ticket `ticket_id`, read-only: the QR codes printed before follow codes
        opened `/t/{id}`. Other days' ids find nothing, so counting through ids tells a
        stranger only what the hall's boards show today."""
        ticket = self.live.ticket(ticket_id)  # today's are all there
        now = self._clock.now()
        if ticket is None or ticket.day != local_day(now, self._timezone):
            return None
        return self.views.ticket(self.live, ticket, now)

    def _can_rate_followed(self, ticket: Ticket, now: datetime) -> bool:
        # A ticket is valid for its day ("Vé chỉ có giá trị trong ngày"): so is its rating.
        return ticket.status is TicketStatus.DONE and ticket.day == local_day(now, self._timezone)

    async def rate_followed(self, code: str, score: int) -> RatingOut:
        """The citizen's rating from the follow page of the ticket holding `code`: once,
        only after it was served, on the ticket's day."""
        self._check_score(score)

        def body(tx: Tx) -> RatingOut:
            stored = tx.store.ticket_by_follow_code(code)
            ticket = tx.live.current(stored) if stored is not None else None
            if ticket is None:
                raise NotFound("Không tìm thấy số này")
            request = RatingRequest(ticket_id=ticket.id, score=score)
            if ticket.status is TicketStatus.DONE and not self._can_rate_followed(ticket, tx.now):
                raise InvalidTransition(f"Đã hết thời hạn đánh giá số {ticket.number}")
            return self._record_rating(tx, ticket, request, None)

        return await self._run(None, body)


@dataclasses.dataclass(frozen=True, slots=True)
class Followed:
    """A ticket as its follow page shows it."""

    ticket: TicketOut
    score: int | None  # the rating given, if any
    can_rate: bool  # served today and not rated yet: the page offers the form
