"""Schemathesis drives every documented operation from the OpenAPI document: nothing it
generates gets a 5xx, and a documented answer matches its documented schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from queue_server.app import create_app
from queue_server.settings import Settings
from tests.server.conftest import Hall, open_hall

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

schema = schemathesis.openapi.from_dict(create_app(Settings(data_dir=Path("unused"))).openapi())
# The coverage phase walks every boundary of every schema: thorough, but minutes long.
schema.config.phases.coverage.enabled = False

# Who may reach each write past authorization, so that the input is what gets tested.
# A device cannot sign out: a staff token there would be revoked and fail every later case.
WRITER = {
    "/api/tickets": "kiosk",
    "/api/ratings": "rating",
    "/api/devices/heartbeat": "kiosk",
    "/api/auth/logout": "kiosk",
}


@pytest.fixture(scope="module")
def st_hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    for hall in open_hall(tmp_path_factory.mktemp("schemathesis") / "data"):
        for _ in range(3):
            hall.issue("TP")
        hall.call_next(1, "sup")
        yield hall


@schema.parametrize()  # type: ignore[misc]
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_requests_never_get_a_5xx(case: Any, st_hall: Hall) -> None:
    who = WRITER.get(case.path, "admin") if case.method.upper() == "POST" else "display"
    request = case.as_transport_kwargs(base_url="http://testserver")
    # A valid token always: the generated ones only ever test the 401 already pinned.
    request["headers"] = {**request.get("headers", {}), **st_hall.headers(who)}
    request.pop("cookies", None)  # none are used; httpx warns about per-request cookies
    if isinstance(request.get("data"), bytes | str):
        request["content"] = request.pop("data")
    response = st_hall.client.request(**request)
    case.validate_response(
        response,
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
