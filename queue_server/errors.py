"""Translating errors at the HTTP boundary: one handler maps the domain tree to statuses.

QueueError ─ NotFound → 404 │ Conflict → 409 │ InvalidRequest → 422 │ policy.Forbidden → 403
RequestValidationError → 422 (what the request sent is echoed back, made printable)
StoreError → 503 (the database, not the request, failed)
"""

from __future__ import annotations

import logging
import math

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from queue_core.errors import Conflict, InvalidRequest, NotFound, QueueError, ServiceClosed
from queue_server.policy import Forbidden
from queue_server.store import StoreError

log = logging.getLogger(__name__)


def status_of(error: QueueError) -> int:
    if isinstance(error, Forbidden):
        return 403
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, InvalidRequest):
        return 422
    return 400


def printable(value: object) -> object:
    """`value` safe to send as UTF-8 JSON, whatever the request held: lone surrogates
    ("\\ud800" in JSON) become escapes, bytes that are not UTF-8 become U+FFFD, NaN and
    infinities become text. Error bodies echo the input, and an unencodable echo would
    turn a 4xx into a 500."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {printable(k): printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [printable(v) for v in value]
    return value


def response_for(exc: QueueError | StoreError, method: str, path: str) -> JSONResponse:
    """The answer to a request that a domain or a database error ended (also what the hot
    routes send, `queue_server.hot_routes`)."""
    if isinstance(exc, StoreError):
        log.error("database error on %s %s: %s", method, path, exc)
        return JSONResponse(
            {
                "detail": "Máy chủ tạm thời không ghi được dữ liệu, xin thử lại",
                "error": "StoreError",
            },
            status_code=503,
            headers={"Retry-After": "2"},
        )
    body: dict[str, object] = {"detail": exc.message, "error": type(exc).__name__}
    if isinstance(exc, ServiceClosed) and exc.opens_at is not None:
        body["opens_at"] = exc.opens_at.isoformat()
    return JSONResponse(printable(body), status_code=status_of(exc))


async def _queue_or_store_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, QueueError | StoreError)
    return response_for(exc, request.method, request.url.path)


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    detail = printable(jsonable_encoder(printable(exc.errors())))
    return JSONResponse({"detail": detail}, status_code=422)


def install(app: FastAPI) -> None:
    app.add_exception_handler(QueueError, _queue_or_store_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(StoreError, _queue_or_store_error)
