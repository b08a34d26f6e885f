"""The FastAPI application, built on demand: `create_app(settings)`."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from queue_core.clock import Clock, SystemClock
from queue_core.protocol import PROTOCOL_VERSION
from queue_server import errors
from queue_server.auth import LoginThrottle
from queue_server.database import open_store
from queue_server.hot_routes import HotRoutesApp
from queue_server.hub import Hub
from queue_server.limits import RequestLimits
from queue_server.page_headers import PageHeaders
from queue_server.pages import (
    admin_audit,
    admin_devices,
    admin_site,
    admin_staff,
    api_docs,
    landing,
    language,
    password_change,
    sign_in,
)
from queue_server.pages import reports as reports_page
from queue_server.pages import supervisor as supervisor_page
from queue_server.pages.session import Sessions
from queue_server.rate import RateBudget
from queue_server.replay import ReplayReader, Replays
from queue_server.reports import ReportRunner
from queue_server.routes import (
    alerts,
    auth,
    clerk_stats,
    counters,
    devices,
    display,
    events,
    follow,
    health,
    ratings,
    reports,
    site,
    supervision,
    tickets,
    voice,
)
from queue_server.service import QueueService
from queue_server.settings import Settings
from queue_server.shipper import start as start_shipper
from queue_server.state import AppState
from queue_server.store import Store
from queue_server.tokens import WATCH_S, Tokens
from queue_server.writer import Outcome

log = logging.getLogger(__name__)

# How often the writer wakes with nothing to do, so the day change expires old tickets
# even when the hall is quiet.
SWEEP_INTERVAL_S = 30.0
# How often the alerts are checked: a wait past its target or a silent device is raised
# within this (a printer's trouble is raised with the heartbeat that reports it). Free when
# nothing changes: the check reads the event loop's hall and writes nothing.
ALERT_CHECK_INTERVAL_S = 1.0
# A client that would wait longer than this for its turn to replay is told to come back.
REPLAY_MAX_WAIT_S = 30.0

STATIC = Path(__file__).parent / "static"
STATIC_FOLDERS = ("pages", "vendor")

DESCRIPTION = """
Hệ thống xếp hàng lấy số cho Bộ phận Một cửa / Trung tâm Phục vụ hành chính công.

Queue ticketing for Vietnamese one-stop public administration centres. Authenticate with
`Authorization: Bearer TOKEN`: a staff token from `/api/auth/token` or a device token from
`motcua device add`. Errors are 4xx with `{"detail": ...}` in Vietnamese.
"""


def _idle(store: Store) -> Outcome[None]:
    return Outcome(None)


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    """The motcua server app for `settings`; nothing is opened until it starts."""
    clock = clock or SystemClock()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        reader = open_store(settings.data_dir, settings.site_file)
        site_config = reader.site()
        assert site_config is not None
        hub = Hub(reader.last_seq())
        service = QueueService.with_writer(
            site_config,
            reader,
            clock,
            lambda: open_store(settings.data_dir),
            hub.publish,
            batch_max=settings.write_batch_max,
        )
        writer = service.writer
        writer.start()
        throttle = LoginThrottle(
            settings.login_max_failures,
            settings.login_lockout_s,
            address_max_failures=settings.login_address_max_failures,
            concurrency=settings.login_concurrency,
        )
        tokens = Tokens(reader)
        app.state.motcua = AppState(settings, clock, reader, writer, hub, service, throttle, tokens)
        app.state.replays = Replays(
            ReplayReader(settings.data_dir),
            settings.ws_replay_max,
            RateBudget(settings.ws_replay_burst, settings.ws_replay_interval_s, REPLAY_MAX_WAIT_S),
        )
        await writer.run(_idle)  # expire what a past day left open before serving anyone
        app.state.shipper = start_shipper(settings, service, hub, clock)  # None: no hub

        async def tick() -> None:
            while True:
                await asyncio.sleep(SWEEP_INTERVAL_S)
                await writer.run(_idle)

        async def watch_alerts() -> None:
            # A device revoked from the command line moves the store's auth revision (one
            # row read): the hall then reads the devices again.
            devices_revision = reader.auth_revision()
            while True:
                await asyncio.sleep(ALERT_CHECK_INTERVAL_S)
                try:
                    revision = reader.auth_revision()
                    if revision != devices_revision:
                        await service.take_devices()
                        devices_revision = revision
                    await service.check_alerts()
                except Exception:  # a failed write: the next check tries again
                    log.exception("the alert check failed")

        async def watch() -> None:
            # What another process changed (`motcua device revoke`, `motcua site apply`)
            # reaches the hall within a second or so.
            while True:
                await asyncio.sleep(WATCH_S)
                tokens.refresh()
                revision = reader.site_revision()
                if revision != service.site_revision:
                    service.site_revision = revision
                    await writer.run(service.take_site)

        ticker = asyncio.create_task(tick())
        keeper = asyncio.create_task(app.state.reports.keep_up())  # the reports' daily figures
        watcher = asyncio.create_task(watch())
        alerter = asyncio.create_task(watch_alerts())
        # What start-up built (models, the site, routes) lives as long as the process: keep
        # it out of the collector's full passes, which otherwise stall every board's
        # delivery for 100 ms and more with hundreds of screens connected.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            for task in (ticker, watcher, alerter, keeper):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if app.state.shipper is not None:
                await app.state.shipper.stop()
            writer.stop()
            app.state.replays.close()
            app.state.reports.close()
            reader.close()

    app = HotRoutesApp(
        title="motcua",
        version=f"protocol {PROTOCOL_VERSION}",
        description=DESCRIPTION,
        lifespan=lifespan,
        # Served by `pages.api_docs` from the vendored assets: a hall's LAN has no internet.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings  # read by serve.py for the connection limits
    app.state.reports = ReportRunner(settings.data_dir)
    app.state.sessions = Sessions(settings.page_idle_s)
    errors.install(app)
    # Before any route reads a body: the token first, then the body's size.
    app.add_middleware(RequestLimits)
    app.add_middleware(PageHeaders)  # CSP, framing, referrer on every HTML page
    for module in (
        health,
        auth,
        site,
        tickets,
        counters,
        clerk_stats,
        ratings,
        devices,
        alerts,
        events,
        voice,
        display,
        follow,
        reports,
        supervision,
        sign_in,
        language,
        reports_page,
        password_change,
        admin_site,
        admin_staff,
        admin_devices,
        admin_audit,
        landing,
        api_docs,
        supervisor_page,
    ):
        app.include_router(module.router)
    # The staff pages' script, style and vendored chart library: nothing about the hall.
    for folder in STATIC_FOLDERS:
        app.mount(f"/static/{folder}", StaticFiles(directory=STATIC / folder), name=folder)
    return app
