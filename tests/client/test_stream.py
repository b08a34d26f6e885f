from __future__ import annotations

import queue
from datetime import UTC, datetime

import pytest
from pytestqt.qtbot import QtBot

from queue_client import EventStream, LinkState, QueueClient
from queue_client.qt import EventBridge
from queue_core.protocol import Event, Snapshot, TicketIssued
from queue_core.site import parse_site
from queue_server.database import open_store
from queue_server.site_update import apply_site
from tests.helpers.live_server import LiveServer
from tests.server.conftest import SITE

WAIT_S = 10


class Recorder:
    """Collects what a stream calls back with, for the test thread to wait on."""

    def __init__(self) -> None:
        self.snapshots: queue.Queue[Snapshot] = queue.Queue()
        self.events: queue.Queue[tuple[Event, bool]] = queue.Queue()
        self.states: queue.Queue[LinkState] = queue.Queue()

    def stream(self, server: LiveServer, token: str) -> EventStream:
        return EventStream(
            server.url,
            token,
            self.snapshots.put,
            lambda event, live: self.events.put((event, live)),
            self.states.put,
            base_backoff_s=0.05,
            max_backoff_s=0.2,
        )

    def wait_state(self, state: LinkState) -> None:
        while self.states.get(timeout=WAIT_S) is not state:
            pass


def issue(server: LiveServer, token: str, service: str = "TP") -> int:
    with QueueClient(server.url, token) as kiosk:
        return kiosk.issue(service).id


def test_the_stream_starts_with_a_snapshot_then_live_events(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    recorder = Recorder()
    stream = recorder.stream(server, tokens["display"])
    stream.start()
    try:
        snapshot = recorder.snapshots.get(timeout=WAIT_S)
        assert [c.number for c in snapshot.counters] == [1, 2, 3]
        ticket_id = issue(server, tokens["kiosk"])
        event, live = recorder.events.get(timeout=WAIT_S)
        assert isinstance(event, TicketIssued)
        assert (event.ticket.id, live) == (ticket_id, True)
    finally:
        stream.stop()


def test_a_stream_that_was_away_gets_what_it_missed_as_replay(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    recorder = Recorder()
    stream = recorder.stream(server, tokens["display"])
    stream.start()
    recorder.snapshots.get(timeout=WAIT_S)
    issue(server, tokens["kiosk"])
    recorder.events.get(timeout=WAIT_S)
    stream.stop()
    missed = [issue(server, tokens["kiosk"]) for _ in range(2)]
    stream.start()
    try:
        recorder.snapshots.get(timeout=WAIT_S)
        replayed = [recorder.events.get(timeout=WAIT_S) for _ in missed]
        assert [(e.ticket.id, live) for e, live in replayed] == [(m, False) for m in missed]  # type: ignore[union-attr]
        after = issue(server, tokens["kiosk"])
        event, live = recorder.events.get(timeout=WAIT_S)
        assert (event.ticket.id, live) == (after, True)  # type: ignore[union-attr]
        assert recorder.events.empty()
    finally:
        stream.stop()


def test_the_stream_reconnects_by_itself_when_the_server_restarts(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    recorder = Recorder()
    stream = recorder.stream(server, tokens["display"])
    stream.start()
    try:
        recorder.wait_state(LinkState.ONLINE)
        server.stop()
        recorder.wait_state(LinkState.OFFLINE)
        server.start()
        recorder.wait_state(LinkState.ONLINE)
        ticket_id = issue(server, tokens["kiosk"])
        while True:
            event, live = recorder.events.get(timeout=WAIT_S)
            if isinstance(event, TicketIssued) and event.ticket.id == ticket_id:
                break
        assert live
    finally:
        stream.stop()


def test_a_refused_token_stops_retrying(server: LiveServer) -> None:
    recorder = Recorder()
    stream = recorder.stream(server, "not-a-token")
    stream.start()
    try:
        recorder.wait_state(LinkState.REJECTED)
    finally:
        stream.stop()


@pytest.mark.usefixtures("qapp")
def test_the_qt_bridge_delivers_events_as_signals(
    qtbot: QtBot, server: LiveServer, tokens: dict[str, str]
) -> None:
    bridge = EventBridge(server.url, tokens["display"])
    with qtbot.waitSignal(bridge.snapshot_received, timeout=WAIT_S * 1000) as got_snapshot:
        bridge.start()
    try:
        assert isinstance(got_snapshot.args[0], Snapshot)
        with qtbot.waitSignal(bridge.event_received, timeout=WAIT_S * 1000) as got_event:
            issue(server, tokens["kiosk"])
        event, live = got_event.args
        assert isinstance(event, TicketIssued)
        assert live
    finally:
        bridge.stop()


def test_an_app_callback_that_raises_is_logged_and_the_stream_goes_on(
    server: LiveServer, tokens: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    events: queue.Queue[Event] = queue.Queue()
    snapshots: queue.Queue[Snapshot] = queue.Queue()

    failed: list[Event] = []

    def on_event(event: Event, live: bool) -> None:
        if not failed:
            failed.append(event)
            raise RuntimeError("a bug in the app")
        events.put(event)

    stream = EventStream(server.url, tokens["display"], snapshots.put, on_event)
    stream.start()
    try:
        snapshots.get(timeout=WAIT_S)
        issue(server, tokens["kiosk"])  # its event hits the bug
        second = issue(server, tokens["kiosk"])
        event = events.get(timeout=WAIT_S)
        assert isinstance(event, TicketIssued)
        assert event.ticket.id == second
        assert stream.state is LinkState.ONLINE
    finally:
        stream.stop()
    failures = [r for r in caplog.records if r.name == "queue_client.stream" and r.exc_info]
    assert len(failures) == 1
    assert "event callback failed" in failures[0].getMessage()
    assert "a bug in the app" in str(failures[0].exc_info[1])  # type: ignore[index]


def test_a_site_changed_while_the_server_runs_reaches_the_app_as_a_new_snapshot(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    recorder = Recorder()
    stream = recorder.stream(server, tokens["display"])
    stream.start()
    try:
        first = recorder.snapshots.get(timeout=WAIT_S)
        store = open_store(server.data_dir)
        try:
            site = store.site()
            assert site is not None
            renamed = parse_site(SITE.replace("xã Thử Nghiệm", "phường Mới"))
            with store.transaction():  # as `motcua site apply` does, from another process
                apply_site(store, renamed, datetime.now(UTC), "cli:test", "cli")
        finally:
            store.close()
        again = recorder.snapshots.get(timeout=WAIT_S)
        assert again.display.site_name.endswith("phường Mới")
        assert again.seq > first.seq
        assert recorder.events.empty()  # it came as a snapshot, not as an event
        ticket_id = issue(server, tokens["kiosk"])
        event, live = recorder.events.get(timeout=WAIT_S)
        assert (event.ticket.id, live) == (ticket_id, True)  # type: ignore[union-attr]
    finally:
        stream.stop()
