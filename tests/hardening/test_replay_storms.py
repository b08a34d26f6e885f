"""Replays after a day of history, against a real `motcua serve`: `since=` from before
today, or too far behind, gets the snapshot and then only what follows; a replay within
bounds gets exactly the missed events; sixteen clients replaying in a loop leave
`/api/health` answering."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from websockets.sync.client import ClientConnection, connect

from queue_server.database import open_store
from queue_server.rate import RateBudget
from queue_server.store import EventRecord
from tests.hardening.conftest import Served, Watch
from tests.helpers.server_process import serve
from tests.server.conftest import prepare_data_dir

pytestmark = pytest.mark.slow

YESTERDAY = 20_000
TODAY = 1_500
REPLAY_MAX = 2000  # MOTCUA_WS_REPLAY_MAX


def write_history(data_dir: Path) -> tuple[int, int]:
    """A day of events yesterday and some today; returns (last of yesterday, last seq)."""
    store = open_store(data_dir)
    now = datetime.now(UTC)
    seq = store.last_seq() + 1
    with store.transaction():
        for i in range(YESTERDAY + TODAY):
            at = now - timedelta(days=1) if i < YESTERDAY else now - timedelta(seconds=1)
            body = {"type": "counter.updated", "seq": seq, "at": at.isoformat(), "filler": i}
            record = EventRecord(seq, "counter.updated", at, None, None, None, json.dumps(body))
            store.append_events([record])
            seq += 1
    store.close()
    return seq - 1 - TODAY, seq - 1


@pytest.fixture
def history(tmp_path: Path) -> tuple[Served, int, int]:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir)
    last_yesterday, last = write_history(data_dir)
    with serve(data_dir) as server:
        yield Served(server, tokens, data_dir), last_yesterday, last  # type: ignore[misc]


def stream(served: Served, since: int) -> ClientConnection:
    port = served.server.url.rsplit(":", 1)[1]
    token = served.tokens["display"]
    return connect(f"ws://127.0.0.1:{port}/ws/events?token={token}&since={since}")


def messages_until_live(served: Served, ws: ClientConnection) -> tuple[dict, list[int], int]:
    """The snapshot, the seqs replayed after it, and the seq of a ticket issued now."""
    snapshot = json.loads(ws.recv(timeout=30))
    assert snapshot["type"] == "snapshot"
    with served.server.client(served.tokens["kiosk"]) as http:
        assert http.post("/api/tickets", json={"service": "TP"}).status_code == 201
    seqs = []
    while True:
        event = json.loads(ws.recv(timeout=30))
        if event["type"] == "ticket.issued":
            return snapshot, seqs, event["seq"]
        seqs.append(event["seq"])


def test_since_zero_after_a_day_of_history_gets_the_snapshot_then_live_events(
    history: tuple[Served, int, int],
) -> None:
    served, last_yesterday, last = history
    for since in (0, last_yesterday - 1):  # before today
        with stream(served, since) as ws:
            snapshot, replayed, live = messages_until_live(served, ws)
        assert snapshot["seq"] >= last
        assert replayed == []
        assert live > snapshot["seq"]


def test_a_replay_within_today_and_the_bound_is_exact(history: tuple[Served, int, int]) -> None:
    served, _, last = history
    since = last - 1000
    with stream(served, since) as ws:
        snapshot, replayed, _ = messages_until_live(served, ws)
    assert replayed == list(range(since + 1, snapshot["seq"] + 1))
    # Today, but further behind than the bound: the snapshot alone.
    with stream(served, last - REPLAY_MAX - 1) as ws:
        _, replayed, _ = messages_until_live(served, ws)
    assert replayed == []


def test_sixteen_clients_replaying_in_a_loop_leave_health_answering(
    history: tuple[Served, int, int], capsys: pytest.CaptureFixture[str]
) -> None:
    served, last_yesterday, last = history
    stop = threading.Event()
    counts = {"connections": 0, "events": 0, "closed_4429": 0}
    lock = threading.Lock()

    def replay_forever(i: int) -> None:
        since = (0, last_yesterday, last - 1400, last - 500)[i % 4]
        while not stop.is_set():
            with stream(served, since) as ws:
                received = 0
                try:
                    json.loads(ws.recv(timeout=30))
                    while True:
                        json.loads(ws.recv(timeout=0.5))
                        received += 1
                except TimeoutError:
                    pass
                except Exception as exc:  # closed: rationed
                    if "4429" not in str(exc):
                        raise
                    with lock:
                        counts["closed_4429"] += 1
            with lock:
                counts["connections"] += 1
                counts["events"] += received

    with Watch(served.server) as watch:
        clients = [threading.Thread(target=replay_forever, args=(i,)) for i in range(16)]
        for client in clients:
            client.start()
        time.sleep(8)  # load for a while; nothing below is timed
        stop.set()
        for client in clients:
            client.join(timeout=60)
    assert set(watch.statuses) == {200}
    with capsys.disabled():
        print(f"\n16 replaying clients for 8 s: {counts}; {watch.summary()}")


def test_replays_are_rationed_per_token() -> None:
    budget = RateBudget(burst=4, interval_s=2.0, max_wait_s=30.0)
    assert [budget.reserve("board", 100.0) for _ in range(4)] == [0.0] * 4
    assert budget.reserve("board", 100.0) == pytest.approx(2.0)  # waits its turn
    assert budget.reserve("counter 1", 100.0) == 0.0  # another token is not held back
    for _ in range(14):
        assert budget.reserve("board", 100.0) is not None
    assert budget.reserve("board", 100.0) is None  # past 30 s of waiting: come back later
    assert budget.reserve("board", 200.0) == 0.0  # the bucket refills
