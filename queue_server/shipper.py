"""Shipping the centre's event log to the province hub, and working on when it is away
(issue #16, docs/province.md).

A background task on the server's event loop:

- asks the hub which `seq` of this centre's log it holds (`GET /api/hub/ack`), then ships
  what follows in order, up to 500 events a request, each page read and encoded on the
  shipper's own thread and read connection (never the writer, never the event loop);
- caught up, it waits for the next commit (it subscribes to the in-process event fan-out,
  `queue_server.hub.Hub`), then lingers a moment so that a busy hall ships a batch a
  second rather than a request a call;
- on any failure it keeps everything (the log is durable and the hub skips what it already
  holds, so a resent batch counts once) and tries again after an exponential backoff with
  jitter, capped; a 409 ships on from the hub's acknowledgement.

Nothing here can slow the hall down: the hall never waits for the shipper.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from queue_core.clock import Clock
from queue_core.protocol import (
    MAX_SHIPMENT_EVENTS,
    Event,
    Shipment,
    ShipmentAck,
    ShippedEvent,
    SiteOut,
)
from queue_server.hub import Hub
from queue_server.routes.site import describe
from queue_server.service import QueueService
from queue_server.settings import Settings
from queue_server.shipper_link import Behind, HubLink, LinkDown
from queue_server.shipper_template import TemplateFollower
from queue_server.store import Store, connect

log = logging.getLogger(__name__)

FIRST_RETRY_S = 0.5
# A request's events stop short of this many bytes of JSON (but hold one at least): a few
# `site.updated` events, each carrying the whole hall, would otherwise make one huge body.
MAX_BATCH_BYTES = 4_000_000
CATCH_UP_PAUSE_S = 0.1
# Waking now and then although nothing was committed costs one read of an empty page, and
# covers an event that somehow reached the log without the fan-out.
IDLE_CHECK_S = 30.0


class Backoff:
    """Exponential delays with jitter: base, 2×, 4×… up to `cap_s`, each drawn from its
    upper half, so a hundred centres cut off together do not come back in step."""

    def __init__(
        self,
        first_s: float,
        cap_s: float,
        draw: Callable[[], float] = random.random,
    ) -> None:
        self.first_s = min(first_s, cap_s)
        self.cap_s = cap_s
        self.failures = 0
        self._draw = draw

    def next_delay(self) -> float:
        delay = min(self.cap_s, self.first_s * 2.0**self.failures)
        if delay < self.cap_s:
            self.failures += 1
        return delay * (0.5 + self._draw() / 2)

    def reset(self) -> None:
        self.failures = 0


@dataclass(slots=True)
class Batch:
    """A shipment ready to send, and what it holds."""

    body: bytes
    last_seq: int
    first_at: datetime
    count: int


class LogPages:
    """The event log after a `seq`, encoded as shipments on the shipper's own thread."""

    def __init__(self, data_dir: Path) -> None:
        self._data_dir = data_dir
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shipper")
        self._store: Store | None = None

    def _batch(self, after: int, limit: int, site: SiteOut | None) -> Batch | None:
        if self._store is None:
            self._store = connect(self._data_dir)
        rows = self._store.events_after(after, limit)
        if not rows:
            return None
        events: list[ShippedEvent] = []
        size = 0
        for seq, kind, body in rows:
            size += len(body)
            if events and size > MAX_BATCH_BYTES:
                break  # the rest goes in the next request
            at = datetime.fromisoformat(json.loads(body)["at"])
            events.append(ShippedEvent(seq=seq, type=kind, at=at, body=body))
        shipment = Shipment(after_seq=after, events=events, site=site)
        return Batch(shipment.model_dump_json().encode(), events[-1].seq, events[0].at, len(events))

    async def batch(self, after: int, limit: int, site: SiteOut | None) -> Batch | None:
        """The shipment of up to `limit` events after `after`; None when there are none."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._batch, after, limit, site)

    def close(self) -> None:
        def close_store() -> None:
            if self._store is not None:
                self._store.close()

        self._pool.submit(close_store)
        self._pool.shutdown(wait=True)


@dataclass(slots=True)
class LinkStatus:
    """What the shipper knows, for `/api/health` and the supervisor page."""

    acknowledged_seq: int | None = None
    last_seq: int = 0
    # When the first event the hub does not hold yet was committed.
    pending_since: datetime | None = None
    last_shipped_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None

    def public(self, now: datetime) -> dict[str, object]:
        """The state with nothing secret in it: no address, no token, no hub's words."""
        known = self.acknowledged_seq is not None
        lag = self.last_seq - self.acknowledged_seq if self.acknowledged_seq is not None else None
        waiting_s = (now - self.pending_since).total_seconds() if self.pending_since else 0.0
        return {
            "state": "down" if self.last_error else ("ok" if known else "connecting"),
            "acknowledged_seq": self.acknowledged_seq,
            "last_seq": self.last_seq,
            "lag_events": max(0, lag) if lag is not None else None,
            "lag_seconds": round(max(0.0, waiting_s), 1) if known else None,
            "last_shipped_at": _iso(self.last_shipped_at),
            "last_error": self.last_error,
            "last_error_at": _iso(self.last_error_at),
        }


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


class Shipper:
    """The shipping loop of one centre to one hub; `start()` it on the event loop."""

    def __init__(
        self,
        link: HubLink,
        pages: LogPages,
        hub: Hub,
        site: Callable[[], SiteOut],
        site_version: Callable[[], object],
        clock: Clock,
        *,
        retry_max_s: float = 60.0,
        linger_s: float = 1.0,
        first_retry_s: float = FIRST_RETRY_S,
    ) -> None:
        self._link = link
        self._pages = pages
        self._hub = hub
        self._site = site
        self._site_version = site_version
        self._clock = clock
        self._linger_s = linger_s
        self.backoff = Backoff(first_retry_s, retry_max_s)
        self.status = LinkStatus(last_seq=hub.last_seq)
        self._sent_site: object = None  # the site version the hub has; None: send it
        self._committed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self.template: TemplateFollower | None = None  # the site template it follows

    def start(self) -> None:
        self._unsubscribe = self._hub.subscribe(self._offer)
        self._task = asyncio.create_task(self._run(), name="shipper")

    def public(self, now: datetime) -> dict[str, object]:
        """The link's state for `/api/health` (see `LinkStatus.public`)."""
        state = self.status.public(now)
        if self.template is not None:
            state["template"] = self.template.public()
        return state

    async def stop(self) -> None:
        if self.template is not None:
            await self.template.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._link.aclose()
        await asyncio.get_running_loop().run_in_executor(None, self._pages.close)

    def _offer(self, event: Event, text: str) -> None:
        """The fan-out's subscriber: on the event loop, after each commit; never blocks."""
        self.status.last_seq = max(self.status.last_seq, event.seq)
        if self.status.pending_since is None and self.status.acknowledged_seq is not None:
            self.status.pending_since = event.at
        self._committed.set()

    async def _run(self) -> None:
        while True:
            try:
                await self._ship_all()
            except LinkDown as exc:
                delay = self.backoff.next_delay()
                self._failed(exc, delay)
                await asyncio.sleep(delay)
                continue
            except Exception:  # a bug must not end shipping for good: log it, try again
                delay = self.backoff.next_delay()
                log.exception("hub link: shipping failed; next try in %.1f s", delay)
                self.status.last_error = "internal"
                self.status.last_error_at = self._clock.now()
                await asyncio.sleep(delay)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._committed.wait(), IDLE_CHECK_S)
            await asyncio.sleep(self._linger_s)

    async def _ship_all(self) -> None:
        """Ship until the hub holds everything committed so far."""
        if self.status.acknowledged_seq is None:
            self._acknowledged(await self._link.ack())
        while True:
            self._committed.clear()
            after = self.status.acknowledged_seq
            assert after is not None
            version = self._site_version()
            site = self._site() if version is not self._sent_site else None
            batch = await self._pages.batch(after, MAX_SHIPMENT_EVENTS, site)
            if batch is None:
                self.status.pending_since = None
                self._recovered()
                return
            self.status.pending_since = batch.first_at  # the first event the hub lacks
            try:
                ack = await self._link.ship(batch.body)
            except Behind as exc:
                if exc.acknowledged_seq >= after:  # not behind at all: a confused hub
                    raise LinkDown(
                        "bad-answer", f"409 after seq {after}, holding {exc.acknowledged_seq}"
                    ) from exc
                log.info(
                    "hub link: the hub holds up to seq %d; shipping on from there",
                    exc.acknowledged_seq,
                )
                self._set_acknowledged(exc.acknowledged_seq)
                continue
            if site is not None:
                self._sent_site = version
            self.status.last_shipped_at = self._clock.now()
            self._acknowledged(ack)
            self._recovered()
            if batch.count == MAX_SHIPMENT_EVENTS:
                # Catching up: encoding a full batch costs ≈ 13 ms of CPU (and the GIL);
                # a pause between batches keeps the shipper to a small share of the hall's.
                await asyncio.sleep(CATCH_UP_PAUSE_S)

    def _acknowledged(self, ack: ShipmentAck) -> None:
        self._set_acknowledged(ack.acknowledged_seq)

    def _set_acknowledged(self, seq: int) -> None:
        if seq > self.status.last_seq:
            # Only a centre whose database went back in time (a restored backup) gets here:
            # its next events would reuse seqs the hub holds and be taken as duplicates.
            log.error(
                "hub link: the hub holds this centre's events up to seq %d, beyond the log's "
                "last (%d): was the database restored from a backup?",
                seq,
                self.status.last_seq,
            )
        self.status.acknowledged_seq = seq

    def _failed(self, exc: LinkDown, delay: float) -> None:
        first = self.status.last_error is None
        self.status.last_error = exc.kind
        self.status.last_error_at = self._clock.now()
        # Logged once when the link goes down, then quietly retried (like a lost device).
        (log.warning if first else log.debug)(
            "hub link down (%s): %s; the events are kept, next try in %.1f s",
            exc.kind,
            exc.detail,
            delay,
        )

    def _recovered(self) -> None:
        if self.status.last_error is not None:
            log.warning(
                "hub link back: the hub holds this centre's events up to seq %s",
                self.status.acknowledged_seq,
            )
        self.status.last_error = None
        self.backoff.reset()


def start(settings: Settings, service: QueueService, hub: Hub, clock: Clock) -> Shipper | None:
    """Start shipping to the settings' hub, if they name one (on the event loop)."""
    if settings.hub_url is None or settings.hub_token is None:
        return None
    link = HubLink(
        str(settings.hub_url), settings.hub_token.get_secret_value(), settings.hub_timeout_s
    )
    shipper = Shipper(
        link,
        LogPages(settings.data_dir),
        hub,
        lambda: describe(service),
        lambda: service.site,
        clock,
        retry_max_s=settings.hub_retry_max_s,
        linger_s=settings.hub_linger_s,
    )
    shipper.start()
    if settings.hub_template is not None:
        shipper.template = TemplateFollower(
            link,
            settings.hub_template,
            settings.data_dir,
            clock,
            settings.hub_template_interval_s,
        )
        shipper.template.start()
    # The host alone: a URL may carry a user and password.
    log.info("hub link: shipping this centre's events to %s", settings.hub_url.host)
    return shipper
