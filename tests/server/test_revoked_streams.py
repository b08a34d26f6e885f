"""A revoked token's open event stream is closed at once, not at the next periodic check
(issue #11: a revoked board kept receiving events for ~28 s). The periodic check is set
to an hour here, so only the revocation itself can close the stream."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from queue_core.clock import FrozenClock
from queue_server.app import create_app
from queue_server.auth import revoke_device
from queue_server.settings import Settings
from queue_server.store import connect
from tests.server.conftest import MONDAY_9AM, prepare_data_dir
from tests.server.test_event_stream import receive_snapshot, receive_text

DISPLAY_ID = 2  # the second device prepare_data_dir adds
HOUR_S = 3600.0


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str], Path]]:
    data_dir = tmp_path / "data"
    clock = FrozenClock(MONDAY_9AM)
    tokens = prepare_data_dir(data_dir, now=clock.now())
    app = create_app(Settings(data_dir=data_dir, ws_token_check_s=HOUR_S), clock=clock)
    with TestClient(app) as client:
        yield client, tokens, data_dir


def closed_code(ws: WebSocketTestSession, timeout: float) -> int:
    """The code the server closes `ws` with, reading what comes before; a timeout if it
    stays open."""
    try:
        while True:
            receive_text(ws, timeout=timeout)
    except WebSocketDisconnect as closed:
        return closed.code


def test_a_board_revoked_through_the_api_is_closed_at_once(
    hall: tuple[TestClient, dict[str, str], Path],
) -> None:
    client, tokens, _ = hall
    with client.websocket_connect(f"/ws/events?token={tokens['display']}") as ws:
        receive_snapshot(ws)
        revoked = client.post(
            f"/api/devices/{DISPLAY_ID}/revoke",
            headers={"Authorization": f"Bearer {tokens['admin']}"},
        )
        assert revoked.status_code == 200, revoked.text
        assert closed_code(ws, timeout=5) == 4401


def test_a_board_revoked_from_the_command_line_is_closed_within_seconds(
    hall: tuple[TestClient, dict[str, str], Path],
) -> None:
    client, tokens, data_dir = hall
    with client.websocket_connect(f"/ws/events?token={tokens['display']}") as ws:
        receive_snapshot(ws)
        # Another process's connection, as `motcua device revoke` opens.
        with closing(connect(data_dir)) as store, store.transaction():
            revoke_device(store, DISPLAY_ID, MONDAY_9AM)
        assert closed_code(ws, timeout=10) == 4401


def test_signing_out_closes_that_sessions_stream(
    hall: tuple[TestClient, dict[str, str], Path],
) -> None:
    client, tokens, _ = hall
    with client.websocket_connect(f"/ws/events?token={tokens['lan']}") as ws:
        receive_snapshot(ws)
        out = client.post("/api/auth/logout", headers={"Authorization": f"Bearer {tokens['lan']}"})
        assert out.status_code == 204
        assert closed_code(ws, timeout=5) == 4401
