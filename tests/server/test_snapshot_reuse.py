"""Streams that start while the hall stays as it is share one snapshot: three hundred boards
coming back after a network blip cost one, not three hundred. A change in the hall, or a
second gone by, makes the next stream's snapshot afresh."""

from __future__ import annotations

import json

from queue_server.state import AppState
from tests.server.conftest import Hall


def _first_message(hall: Hall) -> dict[str, object]:
    with hall.client.websocket_connect(f"/ws/events?token={hall.tokens['display']}") as ws:
        message: dict[str, object] = json.loads(ws.receive_text())
    return message


def _state(hall: Hall) -> AppState:
    state: AppState = hall.client.app.state.motcua  # type: ignore[attr-defined]
    return state


def test_streams_starting_on_an_unchanged_hall_get_the_same_snapshot_made_once(
    hall: Hall,
) -> None:
    hall.issue("TP")
    service = _state(hall).service
    first = service.snapshot_text()
    assert service.snapshot_text() is not first  # a new tuple…
    assert service.snapshot_text()[1] is first[1]  # …of the very same text: made once
    boards = [_first_message(hall) for _ in range(3)]
    assert boards[0] == boards[1] == boards[2] == json.loads(first[1])


def test_a_change_in_the_hall_makes_the_next_snapshot_afresh(hall: Hall) -> None:
    before = _first_message(hall)
    ticket = hall.issue("TP")
    after = _first_message(hall)
    assert after["seq"] == before["seq"] + 1  # type: ignore[operator]
    waiting = {s["code"]: s["waiting"] for s in after["services"]}  # type: ignore[attr-defined,index]
    assert waiting["TP"] == 1, ticket


def test_a_snapshot_serves_for_a_second_at_most(hall: Hall) -> None:
    service = _state(hall).service
    first = service.snapshot_text()[1]
    hall.clock.advance(seconds=0.5)
    assert service.snapshot_text()[1] is first
    hall.clock.advance(seconds=0.6)
    again = service.snapshot_text()[1]
    assert again is not first
    assert json.loads(again)["at"] != json.loads(first)["at"]
