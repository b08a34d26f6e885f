"""The live event stream `/ws/events`: snapshot, order, replay, roles and slow clients.

Most tests drive the real app through starlette's TestClient; the slow-client test needs
real sockets (a TestClient connection buffers without limit, so it can never fall behind)
and runs the app under uvicorn on a thread.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from queue_core.clock import FrozenClock
from queue_core.protocol import (
    EVENT_TYPES,
    CallOut,
    DisplaySettings,
    Event,
    ServiceOut,
    Snapshot,
    parse_event,
)
from queue_server.app import create_app
from queue_server.auth import revoke_device
from queue_server.routes import events as events_route
from queue_server.serve import make_server
from queue_server.settings import Settings
from queue_server.store import connect as connect_store
from tests.server.conftest import MONDAY_9AM, SITE, Hall, prepare_data_dir

TIMEOUT_S = 5.0

# --- helpers -----------------------------------------------------------------------------


def receive_text(ws: WebSocketTestSession, timeout: float = TIMEOUT_S) -> str:
    """The next message's text; WebSocketDisconnect if the server closed.

    Starlette's `receive_text()` waits forever, so wait on its stream with a deadline.
    """

    async def next_message() -> Any:
        with anyio.fail_after(timeout):
            return await ws._send_rx.receive()

    message = ws.portal.call(next_message)
    if message["type"] == "websocket.close":
        raise WebSocketDisconnect(message.get("code", 1000), message.get("reason", ""))
    text: str = message["text"]
    return text


def receive_snapshot(ws: WebSocketTestSession) -> Snapshot:
    return Snapshot.model_validate_json(receive_text(ws))


def receive_until(ws: WebSocketTestSession, seq: int) -> list[str]:
    """Event texts up to and including the one with `seq` (or the first past it)."""
    texts: list[str] = []
    while not texts or parse_event(texts[-1]).seq < seq:
        texts.append(receive_text(ws))
    return texts


def seqs(texts: list[str]) -> list[int]:
    return [parse_event(text).seq for text in texts]


def event_log(data_dir: Path) -> list[tuple[int, str, str]]:
    """The durable event log, read through a connection of our own."""
    with closing(connect_store(data_dir)) as store:
        return store.events_after(0, 100_000)


def last_seq(data_dir: Path) -> int:
    with closing(connect_store(data_dir)) as store:
        return store.last_seq()


def stream(hall: Hall, who: str, since: int | str | None = None) -> WebSocketTestSession:
    """A session on `/ws/events` as `who` (use it in a `with`)."""
    query = f"token={hall.tokens[who]}" + (f"&since={since}" if since is not None else "")
    return hall.client.websocket_connect(f"/ws/events?{query}")


def post(hall: Hall, path: str, who: str, json: object = None, status: int = 200) -> Any:
    response = hall.client.post(path, json=json, headers=hall.headers(who))
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def serve_and_finish(hall: Hall) -> dict[str, Any]:
    """One citizen served start to finish at counter 1 by Lan: issued, called, completed."""
    ticket = hall.issue("TP")
    called = hall.call_next(1)
    assert called is not None
    assert called["id"] == ticket["id"]
    return dict(post(hall, f"/api/tickets/{ticket['id']}/complete", "lan"))


# --- snapshot ----------------------------------------------------------------------------

DISPLAY_SITE = (
    SITE
    + """
[display]
ticker = "Công dân vui lòng giữ phiếu số và chờ đến lượt được gọi."
spotlight_seconds = 15
history = 3
reading = "digits"
repeat = 1
"""
)


@pytest.fixture
def board_hall(tmp_path: Path, clock: FrozenClock) -> Iterator[Hall]:
    """The test site with its own wall-board settings."""
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir, DISPLAY_SITE, now=clock.now())
    with TestClient(create_app(Settings(data_dir=data_dir), clock=clock)) as client:
        hall = Hall(client, data_dir, clock)
        hall.tokens.update(tokens)
        yield hall


def test_the_snapshot_holds_the_whole_live_state(board_hall: Hall) -> None:
    hall = board_hall
    tp = [hall.issue("TP") for _ in range(4)]
    dd = [hall.issue("DD") for _ in range(2)]
    hall.call_next(1, "lan")  # 1001 to counter 1
    hall.call_next(3, "hung")  # 2001 to counter 3
    hall.clock.advance(minutes=6)
    hall.call_next(1, "lan")  # 1001 done after 6 minutes, 1002 to counter 1
    post(hall, "/api/counters/1/recall", "lan")
    with stream(hall, "display") as ws:
        snapshot = receive_snapshot(ws)

    log = event_log(hall.data_dir)
    assert snapshot.seq == log[-1][0] == last_seq(hall.data_dir)
    assert str(snapshot.at).endswith("+07:00")

    counters = {c.number: c for c in snapshot.counters}
    assert set(counters) == {1, 2, 3}
    assert counters[1].clerk == "Nguyễn Thị Lan"
    assert counters[1].current_ticket is not None
    assert (counters[1].current_ticket.id, counters[1].current_ticket.status) == (
        tp[1]["id"],
        "called",
    )
    assert counters[3].clerk == "Trần Văn Hùng"
    assert counters[3].current_ticket is not None
    assert counters[3].current_ticket.number == dd[0]["number"] == "2001"
    assert counters[2].current_ticket is None
    assert counters[2].clerk is None

    # TP: 2 waiting × (today's one 6-minute case blended with the configured 10: (5 × 10 +
    # 6) / 6 minutes) / 1 open counter = 18.7; DD: 1 × the configured 10 / 1.
    assert {s.code: (s.waiting, s.estimated_wait_minutes) for s in snapshot.services} == {
        "TP": (2, 19),
        "DD": (1, 10),
    }
    # The same figures as the REST answer at the same instant.
    rest = hall.client.get("/api/services", headers=hall.headers("display")).json()
    assert snapshot.services == [ServiceOut.model_validate(s) for s in rest]

    # Newest first, as many as the board lists (`history = 3`), a recall marked as such.
    assert [(c.number, c.counter, c.recall) for c in snapshot.latest_calls] == [
        ("1002", 1, True),
        ("1002", 1, False),
        ("2001", 3, False),
    ]
    assert [c.seq for c in snapshot.latest_calls] == sorted(
        (c.seq for c in snapshot.latest_calls), reverse=True
    )
    called_seqs = {s for s, t, _ in log if t in ("ticket.called", "ticket.recalled")}
    assert {c.seq for c in snapshot.latest_calls} <= called_seqs
    assert all(isinstance(c, CallOut) for c in snapshot.latest_calls)

    assert snapshot.display == DisplaySettings(
        site_name="Trung tâm Phục vụ hành chính công xã Thử Nghiệm",
        agency=None,
        call_phrase="Mời công dân có số thứ tự {number} đến quầy số {counter}",
        ticker="Công dân vui lòng giữ phiếu số và chờ đến lượt được gọi.",
        spotlight_seconds=15,
        history=3,
        reading="digits",
        repeat=1,
    )


def test_the_snapshot_of_an_empty_hall_has_seq_zero(hall: Hall) -> None:
    with stream(hall, "display") as ws:
        snapshot = receive_snapshot(ws)
        assert (snapshot.seq, snapshot.latest_calls) == (0, [])
        assert {s.code: s.waiting for s in snapshot.services} == {"TP": 0, "DD": 0}
        ticket = hall.issue("TP")
        event = parse_event(receive_text(ws))
        assert event.seq == 1
        assert event.type == "ticket.issued"
        assert event.ticket.id == ticket["id"]


def test_yesterdays_calls_leave_the_board(hall: Hall) -> None:
    serve_and_finish(hall)
    hall.clock.advance(days=1)
    hall.issue("TP")  # the first write of the new day sweeps yesterday away
    with stream(hall, "display") as ws:
        snapshot = receive_snapshot(ws)
    assert snapshot.latest_calls == []
    assert snapshot.seq == last_seq(hall.data_dir)


# --- order, completeness, publish after commit -------------------------------------------


def a_full_day(hall: Hall) -> None:
    """Every kind of event, at least once."""
    post(hall, "/api/counters/2/open", "hung")
    first = hall.issue("TP")
    hall.issue("TP", priority=True)
    third = hall.issue("TP")
    hall.issue("DD")
    hall.call_next(1, "lan")  # the priority ticket first
    post(hall, "/api/counters/1/recall", "lan")
    hall.call_next(1, "lan")
    post(hall, f"/api/tickets/{first['id']}/no-show", "lan")
    hall.call_next(2, "hung")
    post(hall, f"/api/tickets/{third['id']}/transfer", "hung", {"service": "DD"})
    post(hall, f"/api/tickets/{first['id']}/requeue", "hung")  # the late citizen is back
    called = hall.call_next(3, "sup")
    assert called is not None
    done = post(hall, f"/api/tickets/{called['id']}/complete", "sup")
    post(hall, "/api/ratings", "rating", {"ticket_id": done["id"], "score": 3}, status=201)
    post(hall, "/api/counters/2/pause", "hung", {"reason": "Họp giao ban"})
    post(hall, "/api/counters/2/resume", "hung")
    spare = hall.issue("TP")
    post(hall, f"/api/tickets/{spare['id']}/cancel", "sup")
    hall.issue("DD")
    post(hall, "/api/services/DD/close-today", "sup")  # and the day change reopens it
    hall.clock.advance(days=1)  # what was left open expires with the day
    hall.issue("TP")
    # Last, so that no alert is due once the day is over (the app checks every second).
    post(hall, "/api/devices/heartbeat", "kiosk", {"printer": "paper-out"}, status=204)
    post(hall, "/api/devices/heartbeat", "kiosk", {"printer": "ok"}, status=204)  # a new roll


def test_every_event_comes_once_in_seq_order_and_only_once_committed(hall: Hall) -> None:
    with stream(hall, "sup") as ws:
        assert receive_snapshot(ws).seq == 0
        a_full_day(hall)
        texts = receive_until(ws, last_seq(hall.data_dir))
        # Each event is in the durable log, byte for byte, by the time a client has it.
        log = event_log(hall.data_dir)

    assert seqs(texts) == list(range(1, len(log) + 1))
    assert texts == [body for _, _, body in log]
    events = [parse_event(text) for text in texts]
    assert [e.type for e in events] == [t for _, t, _ in log]
    # A site changed while the server runs: tests/server/test_site_cli.py, tests/client.
    assert {e.type for e in events} == set(EVENT_TYPES) - {"site.updated"}
    assert all(str(e.at).endswith("+07:00") and e.v == 1 for e in events)


def test_each_event_is_committed_before_any_client_sees_it(hall: Hall) -> None:
    with stream(hall, "lan") as ws:
        receive_snapshot(ws)
        for _ in range(5):
            ticket = hall.issue("TP")
            event = parse_event(receive_text(ws))
            # The row is already readable on another connection: it was committed first.
            with closing(connect_store(hall.data_dir)) as store:
                assert [s for s, _, _ in store.events_after(event.seq - 1, 1)] == [event.seq]
            assert event.type == "ticket.issued"
            assert event.ticket.id == ticket["id"]


def test_a_refused_command_publishes_nothing(hall: Hall) -> None:
    done = serve_and_finish(hall)
    waiting = hall.issue("TP")
    with stream(hall, "counter") as ws:
        before = receive_snapshot(ws).seq
        post(hall, "/api/ratings", "rating", {"ticket_id": done["id"], "score": 2}, status=201)
        rated = parse_event(receive_text(ws))
        assert (rated.type, rated.seq) == ("ticket.rated", before + 1)

        # Each of these runs in the writer and fails there: 409, nothing committed.
        post(hall, "/api/ratings", "rating", {"ticket_id": done["id"], "score": 3}, status=409)
        post(hall, "/api/ratings", "rating", {"ticket_id": waiting["id"], "score": 3}, status=409)
        post(hall, "/api/counters/2/recall", "hung", status=409)
        post(hall, f"/api/tickets/{done['id']}/no-show", "lan", status=409)
        assert last_seq(hall.data_dir) == rated.seq

        # The next thing the client hears is the next success, with the very next seq.
        hall.issue("DD")
        issued = parse_event(receive_text(ws))
        assert (issued.type, issued.seq) == ("ticket.issued", rated.seq + 1)


# --- since= ------------------------------------------------------------------------------


def test_since_replays_exactly_the_missed_events_then_goes_live(hall: Hall) -> None:
    with stream(hall, "display") as ws:
        receive_snapshot(ws)
        for _ in range(3):
            hall.issue("TP")
        seen = receive_until(ws, 3)
    last_seen = parse_event(seen[-1]).seq
    assert seqs(seen) == [1, 2, 3]

    # Away: calls and tickets happen without this client.
    hall.call_next(1)
    hall.issue("DD")
    hall.call_next(3, "hung")
    missed_until = last_seq(hall.data_dir)
    assert missed_until > last_seen

    with stream(hall, "display", since=last_seen) as ws:
        snapshot = receive_snapshot(ws)
        assert snapshot.seq == missed_until
        replayed = receive_until(ws, missed_until)
        assert seqs(replayed) == list(range(last_seen + 1, missed_until + 1))
        assert replayed == [body for s, _, body in event_log(hall.data_dir) if s > last_seen]
        # Then live, straight after the seam: no duplicate, no gap.
        hall.issue("TP")
        hall.issue("DD")
        live = receive_until(ws, last_seq(hall.data_dir))
        assert seqs(live) == list(range(missed_until + 1, last_seq(hall.data_dir) + 1))


def test_a_board_is_spared_the_completion_that_a_call_next_makes_moot(hall: Hall) -> None:
    hall.issue("TP")
    hall.issue("TP")
    hall.call_next(1)
    with stream(hall, "display") as board, stream(hall, "counter") as desk:
        receive_snapshot(board)
        receive_snapshot(desk)
        hall.call_next(1)  # completes the first citizen, calls the second
        completed, called = (parse_event(t) for t in receive_until(desk, last_seq(hall.data_dir)))
        assert (completed.type, called.type) == ("ticket.completed", "ticket.called")
        (only,) = (parse_event(t) for t in receive_until(board, called.seq))
        assert only.type == "ticket.called"
        # A completion on its own still reaches the board: the counter falls silent.
        hall.client.post(f"/api/tickets/{called.ticket.id}/complete", headers=hall.headers("lan"))  # type: ignore[union-attr]
        assert parse_event(receive_text(board)).type == "ticket.completed"


def test_since_zero_replays_the_whole_log_and_since_now_replays_nothing(hall: Hall) -> None:
    serve_and_finish(hall)
    log = event_log(hall.data_dir)
    with stream(hall, "sup", since=0) as ws:
        assert receive_snapshot(ws).seq == len(log)
        assert receive_until(ws, len(log)) == [body for _, _, body in log]
    with stream(hall, "sup", since=len(log)) as ws:
        assert receive_snapshot(ws).seq == len(log)
        hall.issue("DD")
        assert seqs([receive_text(ws)]) == [len(log) + 1]


def test_the_seam_holds_while_traffic_runs(hall: Hall, monkeypatch: pytest.MonkeyPatch) -> None:
    """Replay in small pages while other requests commit: every seq exactly once."""
    monkeypatch.setattr(events_route, "REPLAY_PAGE", 3)
    for _ in range(10):
        hall.issue("TP")
    total = 60
    failures: list[BaseException] = []

    def traffic() -> None:
        try:
            for i in range(total):
                hall.issue("TP") if i % 5 else hall.call_next(1)
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    worker = threading.Thread(target=traffic)
    worker.start()
    try:
        with stream(hall, "lan", since=0) as ws:
            snapshot = receive_snapshot(ws)
            worker.join(timeout=30)
            texts = receive_until(ws, last_seq(hall.data_dir))
    finally:
        worker.join(timeout=30)
    assert not failures
    assert not worker.is_alive()
    log = event_log(hall.data_dir)
    assert snapshot.seq >= 10
    assert seqs(texts) == list(range(1, len(log) + 1))
    assert texts == [body for _, _, body in log]


# --- roles -------------------------------------------------------------------------------


def test_public_screens_get_no_ratings_staff_and_counters_do(hall: Hall) -> None:
    done = serve_and_finish(hall)
    watchers = ("display", "kiosk", "counter", "lan")
    with (
        stream(hall, "display") as display,
        stream(hall, "kiosk") as kiosk,
        stream(hall, "counter") as counter,
        stream(hall, "lan") as clerk,
    ):
        sessions = dict(zip(watchers, (display, kiosk, counter, clerk), strict=True))
        for ws in sessions.values():
            receive_snapshot(ws)
        post(hall, "/api/ratings", "rating", {"ticket_id": done["id"], "score": 1}, status=201)
        hall.issue("DD")  # a marker after the rating
        end = last_seq(hall.data_dir)
        live = {
            who: [parse_event(t) for t in receive_until(ws, end)] for who, ws in sessions.items()
        }

    rated_seq = end - 1
    for who in ("display", "kiosk"):
        assert [(e.type, e.seq) for e in live[who]] == [("ticket.issued", end)], who
    for who in ("counter", "lan"):
        assert [(e.type, e.seq) for e in live[who]] == [
            ("ticket.rated", rated_seq),
            ("ticket.issued", end),
        ], who
        rated = live[who][0]
        assert rated.type == "ticket.rated"
        assert rated.score == 1

    # Replayed history is filtered the same way.
    with stream(hall, "display", since=0) as ws:
        receive_snapshot(ws)
        replayed = [parse_event(t) for t in receive_until(ws, end)]
    assert "ticket.rated" not in {e.type for e in replayed}
    assert seqs([t for _, _, t in event_log(hall.data_dir)]) == list(range(1, end + 1))
    assert [e.seq for e in replayed] == [s for s in range(1, end + 1) if s != rated_seq]


# --- refusals ----------------------------------------------------------------------------


def closed_with(hall: Hall, query: str) -> int:
    with (
        hall.client.websocket_connect(f"/ws/events?{query}") as ws,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        receive_text(ws)
    return closed.value.code


def test_a_bad_token_is_closed_4401(hall: Hall) -> None:
    assert closed_with(hall, "token=not-a-token") == 4401
    assert closed_with(hall, "") == 4401
    assert closed_with(hall, "token=") == 4401
    assert closed_with(hall, f"token={hall.tokens['lan']}x") == 4401


def test_a_revoked_or_expired_token_is_closed_4401(hall: Hall) -> None:
    with closing(connect_store(hall.data_dir)) as store, store.transaction():
        revoke_device(store, 1, hall.clock.now())  # the kiosk, the first device added
    assert closed_with(hall, f"token={hall.tokens['kiosk']}") == 4401
    hall.clock.advance(hours=13)  # past a staff token's 12 hours
    assert closed_with(hall, f"token={hall.tokens['lan']}") == 4401


@pytest.mark.parametrize(
    "since", ["abc", "-1", "", "1.5", "1e3", "99999999999999999999", "%C2%B2", "%D9%A1", "+1"]
)
def test_a_bad_since_is_closed_4400(hall: Hall, since: str) -> None:
    assert closed_with(hall, f"token={hall.tokens['display']}&since={since}") == 4400


def test_what_a_client_sends_is_ignored(hall: Hall) -> None:
    with stream(hall, "display") as ws:
        receive_snapshot(ws)
        ws.send_text("ping")
        ws.send_bytes(b"\x00\x01")
        hall.issue("TP")
        assert parse_event(receive_text(ws)).type == "ticket.issued"


# --- a client that stops reading ---------------------------------------------------------


@contextmanager
def uvicorn_on_a_thread(settings: Settings, clock: FrozenClock) -> Iterator[int]:
    """The app under uvicorn with real sockets; yields the port."""
    listener = socket.socket()
    # Accepted sockets inherit a small send buffer: a stalled client backs up in a few
    # dozen events instead of the megabytes loopback would otherwise absorb.
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    server = make_server(create_app(settings, clock=clock), "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]})
    thread.start()
    try:
        wait_until(lambda: server.started or not thread.is_alive())
        assert server.started, "uvicorn did not start"
        yield listener.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        listener.close()
        assert not thread.is_alive()


def wait_until(condition: Callable[[], bool], timeout: float = TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


class _Flag(logging.Handler):
    """Sets `raised` when the stream says it closes a slow client."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.raised = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.raised.set()


def test_a_stalled_client_is_closed_4408_and_holds_nobody_back(
    tmp_path: Path, clock: FrozenClock
) -> None:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir, now=clock.now())
    flag = _Flag()
    logging.getLogger(events_route.__name__).addHandler(flag)
    settings = Settings(data_dir=data_dir, ws_buffer_max=5)
    try:
        with uvicorn_on_a_thread(settings, clock) as port:
            url = f"ws://127.0.0.1:{port}/ws/events?token={tokens['lan']}"
            raw = socket.socket()
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            raw.connect(("127.0.0.1", port))
            with (
                # Uncompressed, so that the pipes fill after a few dozen events.
                connect(url, sock=raw, compression=None, open_timeout=TIMEOUT_S) as stalled,
                connect(url, open_timeout=TIMEOUT_S) as steady,
                httpx.Client(
                    base_url=f"http://127.0.0.1:{port}",
                    headers={"Authorization": f"Bearer {tokens['lan']}"},
                    timeout=TIMEOUT_S,
                ) as http,
            ):
                start = Snapshot.model_validate_json(steady.recv(timeout=TIMEOUT_S)).seq
                received, slowest = run_until_stalled(http, steady, flag.raised)
                # Reading at last, within the 2 s the server gives a close frame to get
                # through: what fitted in the pipes, in order, then the 4408.
                behind = read_to_the_close(stalled)
            # The steady client got every event, each within a moment of its request.
            log = event_log(data_dir)
            assert received == [body for s, _, body in log if s > start]
            assert slowest < 1.0
            assert behind.code == 4408
            assert seqs(behind.texts) == list(range(start + 1, start + 1 + len(behind.texts)))
            assert len(behind.texts) < len(received)

            # It resumes where it stopped and misses nothing.
            since = start + len(behind.texts)
            with connect(f"{url}&since={since}", open_timeout=TIMEOUT_S) as resumed:
                Snapshot.model_validate_json(resumed.recv(timeout=TIMEOUT_S))
                rest = [resumed.recv(timeout=TIMEOUT_S) for _ in range(len(log) - since)]
            assert behind.texts + rest == [body for s, _, body in log if s > start]
    finally:
        logging.getLogger(events_route.__name__).removeHandler(flag)


def run_until_stalled(
    http: httpx.Client, steady: ClientConnection, stalled: threading.Event
) -> tuple[list[str], float]:
    """Serve walk-ins at counter 1 (three events each) until the server drops the stalled one."""
    received: list[str] = []
    slowest = 0.0
    for _ in range(500):
        response = http.post("/api/counters/1/walk-in", json={"service": "TP"})
        assert response.status_code == 201, response.text
        answered = time.monotonic()
        # A walk-in's last event calls the new ticket to the counter.
        while not received or not is_call_of(parse_event(received[-1]), response.json()["id"]):
            received.append(str(steady.recv(timeout=TIMEOUT_S)))
        slowest = max(slowest, time.monotonic() - answered)
        if stalled.is_set():
            return received, slowest
    pytest.fail("the stalled client was never cut off")


class _Closed:
    def __init__(self, texts: list[str], code: int | None) -> None:
        self.texts = texts
        self.code = code


def read_to_the_close(ws: ClientConnection) -> _Closed:
    snapshot = Snapshot.model_validate_json(ws.recv(timeout=TIMEOUT_S))
    assert snapshot.type == "snapshot"
    texts: list[str] = []
    try:
        while True:
            texts.append(str(ws.recv(timeout=TIMEOUT_S)))
    except ConnectionClosed as closed:
        return _Closed(texts, closed.rcvd.code if closed.rcvd else None)


def is_call_of(event: Event, ticket_id: int) -> bool:
    return event.type == "ticket.called" and event.ticket.id == ticket_id


def test_an_open_stream_is_closed_once_its_token_is_revoked(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    clock = FrozenClock(MONDAY_9AM)
    tokens = prepare_data_dir(data_dir, now=clock.now())
    app = create_app(Settings(data_dir=data_dir, ws_token_check_s=0.05), clock=clock)
    with (
        TestClient(app) as client,
        client.websocket_connect(f"/ws/events?token={tokens['display']}") as ws,
    ):
        receive_snapshot(ws)
        with closing(connect_store(data_dir)) as store, store.transaction():
            revoke_device(store, 2, clock.now())  # the display, the second device added
        with pytest.raises(WebSocketDisconnect) as closed:
            receive_text(ws)
    assert closed.value.code == 4401
