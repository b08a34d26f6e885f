"""A failure inside the event stream is logged and the client told to reconnect."""

from __future__ import annotations

import logging

import pytest
from starlette.websockets import WebSocketDisconnect

from queue_server.routes import events as events_route
from tests.server.conftest import Hall


@pytest.mark.timeout(20)  # before the fix the client waited forever for a close
def test_an_exception_in_the_stream_is_logged_and_closes_with_1011(
    hall: Hall, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = hall.client.app.state.motcua.service  # type: ignore[attr-defined]

    def broken_snapshot() -> None:
        raise RuntimeError("the snapshot broke")

    monkeypatch.setattr(service, "snapshot_text", broken_snapshot)
    with (
        caplog.at_level(logging.ERROR, logger=events_route.__name__),
        hall.client.websocket_connect(f"/ws/events?token={hall.tokens['display']}") as ws,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        ws.receive_text()
    assert closed.value.code == events_route.CLOSE_SERVER_ERROR
    failures = [r for r in caplog.records if r.name == events_route.__name__ and r.exc_info]
    assert len(failures) == 1
    assert "the snapshot broke" in str(failures[0].exc_info[1])  # type: ignore[index]
    assert "device" in failures[0].getMessage()
