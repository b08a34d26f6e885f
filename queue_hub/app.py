"""`create_app(settings, store)`: the hub's FastAPI app, nothing built at import time.

Errors are translated here, once: HubError's tree (`queue_hub.errors`) to 401/404/409/422/
503, with a JSON `{"detail": ...}` body.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from queue_core.clock import Clock, SystemClock
from queue_core.errors import InvalidRequest, QueueError
from queue_hub.errors import (
    Hole,
    HubError,
    InvalidInput,
    NotFound,
    StoreUnavailable,
    Unauthorized,
)
from queue_hub.live import Live
from queue_hub.routes import auth, health, ingest, page, province, reports, templates
from queue_hub.settings import HubSettings
from queue_hub.store import HubStore

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"


def _status(error: HubError) -> int:
    if isinstance(error, Unauthorized):
        return 401
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Hole):
        return 409
    if isinstance(error, InvalidInput):
        return 422
    if isinstance(error, StoreUnavailable):
        return 503
    return 400


async def _hub_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HubError)
    body: dict[str, object] = {"detail": exc.message}
    headers: dict[str, str] = {}
    if isinstance(exc, Hole):
        body["acknowledged_seq"] = exc.acknowledged_seq
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, StoreUnavailable):
        log.error(
            "database unavailable on %s %s: %s", request.method, request.url.path, exc.__cause__
        )
        headers["Retry-After"] = "2"
    return JSONResponse(body, status_code=_status(exc), headers=headers)


def _printable(value: object) -> object:
    # Error bodies echo the input; an unencodable echo (a lone surrogate) would be a 500.
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict):
        return {_printable(k): _printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_printable(v) for v in value]
    return value


async def _queue_error(request: Request, exc: Exception) -> JSONResponse:
    # queue_core's rules (a report's range) speak in its errors.
    assert isinstance(exc, QueueError)
    status = 422 if isinstance(exc, InvalidRequest) else 400
    return JSONResponse({"detail": exc.message}, status_code=status)


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": _printable(jsonable_encoder(_printable(exc.errors())))}, 422)


def create_app(settings: HubSettings, store: HubStore, clock: Clock | None = None) -> FastAPI:
    the_clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        live = Live(store, the_clock.now)
        app.state.live = live
        live.start()
        try:
            yield
        finally:
            await live.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="motcua — trung tâm tỉnh / province hub",
        version="1",
        summary="Mọi trung tâm một cửa của tỉnh ở một nơi / every centre of a province at once",
    )
    app.state.settings = settings
    app.state.store = store
    app.state.clock = the_clock
    app.add_exception_handler(HubError, _hub_error)
    app.add_exception_handler(QueueError, _queue_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    for module in (health, auth, ingest, reports, province, templates, page):
        app.include_router(module.router)
    app.state.jinja = page.environment()
    # Chart.js is vendored in queue_hub's own package data: the hub imports nothing of the
    # centre's server, whose copy it would otherwise have to reach into.
    app.mount("/hub/static", StaticFiles(directory=STATIC), name="hub-static")
    return app
