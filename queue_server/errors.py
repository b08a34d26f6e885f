"""Translating errors at the HTTP boundary: one handler maps the domain tree to statuses.

QueueError ─ NotFound → 404 │ Conflict → 409 │ InvalidRequest → 422
StoreError → 503 (the database, not the request, failed)
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from queue_core.errors import Conflict, InvalidRequest, NotFound, QueueError, ServiceClosed
from queue_server.store import StoreError

log = logging.getLogger(__name__)


def status_of(error: QueueError) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, InvalidRequest):
        return 422
    return 400


async def _queue_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, QueueError)
    body: dict[str, object] = {"detail": exc.message, "error": type(exc).__name__}
    if isinstance(exc, ServiceClosed) and exc.opens_at is not None:
        body["opens_at"] = exc.opens_at.isoformat()
    return JSONResponse(body, status_code=status_of(exc))


async def _store_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("database error on %s %s: %s", request.method, request.url.path, exc)
    return JSONResponse(
        {"detail": "Máy chủ tạm thời không ghi được dữ liệu, xin thử lại", "error": "StoreError"},
        status_code=503,
        headers={"Retry-After": "2"},
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(QueueError, _queue_error)
    app.add_exception_handler(StoreError, _store_error)
