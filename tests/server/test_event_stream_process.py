"""A real `motcua serve`, killed with SIGKILL mid-traffic and restarted: a client that
resumes with `since=` gets exactly the events it had not seen, checked against the log."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from queue_core.protocol import Snapshot, parse_event
from queue_server.store import connect as connect_store
from tests.server.conftest import prepare_data_dir

TIMEOUT_S = 10.0
URL_LINE = re.compile(r"http://127\.0\.0\.1:(\d+)")


class Served:
    """One `python -m queue_server serve --port 0` process and the port it printed."""

    def __init__(self, process: subprocess.Popen[str], stderr: Path) -> None:
        self.process = process
        self.stderr = stderr
        self.lines: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._reader = threading.Thread(target=self._read_stdout)
        self._reader.start()
        self.port = self._wait_for_port()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _wait_for_port(self) -> int:
        while True:
            try:
                line = self.lines.get(timeout=20)
            except queue.Empty:
                raise AssertionError(f"no URL line; stderr: {self.stderr.read_text()}") from None
            if line is None:
                raise AssertionError(f"exited before listening: {self.stderr.read_text()}")
            if found := URL_LINE.search(line):
                return int(found.group(1))

    def http(self, token: str) -> httpx.Client:
        return httpx.Client(
            base_url=f"http://127.0.0.1:{self.port}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT_S,
        )

    def events(self, token: str, since: int | None = None) -> ClientConnection:
        query = f"token={token}" + (f"&since={since}" if since is not None else "")
        return connect(f"ws://127.0.0.1:{self.port}/ws/events?{query}", open_timeout=TIMEOUT_S)

    def kill(self) -> None:
        """The power cut: no shutdown code runs."""
        self.process.kill()
        self.process.wait(timeout=TIMEOUT_S)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=TIMEOUT_S)
        self._reader.join(timeout=TIMEOUT_S)
        assert self.process.stdout is not None
        self.process.stdout.close()


@contextmanager
def motcua_serve(data_dir: Path, log: Path) -> Iterator[Served]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    command = [sys.executable, "-m", "queue_server", "serve", "--data-dir", str(data_dir)]
    with log.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", "0"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            encoding="utf-8",
            env=env,
        )
    served: Served | None = None
    try:
        served = Served(process, log)
        yield served
    finally:
        if served is not None:
            served.close()
        else:
            process.kill()
            process.wait(timeout=TIMEOUT_S)
            assert process.stdout is not None
            process.stdout.close()


class Traffic(threading.Thread):
    """A kiosk issuing tickets as fast as it can, until the server goes away."""

    def __init__(self, http: httpx.Client) -> None:
        super().__init__()
        self.http = http
        self.answered = 0
        self.enough = threading.Event()

    def run(self) -> None:
        try:
            while True:
                response = self.http.post("/api/tickets", json={"service": "TP"})
                assert response.status_code == 201, response.text
                self.answered += 1
                if self.answered >= 10:
                    self.enough.set()
        except httpx.TransportError:  # the server was killed under it
            pass


def receive_until(ws: ClientConnection, seq: int) -> list[str]:
    texts: list[str] = []
    while not texts or parse_event(texts[-1]).seq < seq:
        texts.append(str(ws.recv(timeout=TIMEOUT_S)))
    return texts


def event_log(data_dir: Path) -> list[tuple[int, str, str]]:
    with closing(connect_store(data_dir)) as store:
        return store.events_after(0, 100_000)


@pytest.mark.slow
def test_a_client_resumes_after_sigkill_with_exactly_the_events_it_missed(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir)
    watcher = tokens["counter"]  # a counter device hears every event type

    with (
        motcua_serve(data_dir, tmp_path / "first.log") as first,
        first.events(watcher) as ws,
        first.http(tokens["lan"]) as clerk,
    ):
        assert Snapshot.model_validate_json(ws.recv(timeout=TIMEOUT_S)).seq == 0
        with first.http(tokens["kiosk"]) as kiosk:
            for _ in range(3):
                assert kiosk.post("/api/tickets", json={"service": "TP"}).status_code == 201
        assert clerk.post("/api/counters/1/call-next").status_code == 200
        seen = [str(ws.recv(timeout=TIMEOUT_S)) for _ in range(3)]
        last_seen = parse_event(seen[-1]).seq

        # The client stops reading; tickets keep coming; the power goes mid-request.
        with first.http(tokens["kiosk"]) as kiosk:
            traffic = Traffic(kiosk)
            traffic.start()
            try:
                assert traffic.enough.wait(timeout=TIMEOUT_S)
                first.kill()
            finally:
                traffic.join(timeout=TIMEOUT_S)
        assert not traffic.is_alive()
        # Whatever the client had not read is lost with its connection.

    before_restart = event_log(data_dir)
    assert seen == [body for s, _, body in before_restart if s <= last_seen]
    # The tickets issued while the client was not reading, and the call, are unseen.
    assert before_restart[-1][0] >= last_seen + 1 + traffic.answered

    with (
        motcua_serve(data_dir, tmp_path / "second.log") as second,
        second.events(watcher, since=last_seen) as ws,
        second.http(tokens["lan"]) as clerk,
    ):
        snapshot = Snapshot.model_validate_json(ws.recv(timeout=TIMEOUT_S))
        assert snapshot.seq >= before_restart[-1][0]
        replayed = receive_until(ws, snapshot.seq)
        # Life goes on after the restart: these arrive live.
        assert clerk.post("/api/counters/1/call-next").status_code == 200
        assert clerk.post("/api/counters/1/recall").status_code == 200
        with closing(connect_store(data_dir)) as store:
            end = store.last_seq()
        live = receive_until(ws, end)

    log = event_log(data_dir)
    missed = [(s, body) for s, _, body in log if s > last_seen]
    received = replayed + live
    assert [parse_event(t).seq for t in received] == [s for s, _ in missed]
    assert received == [body for _, body in missed]
    assert {parse_event(t).type for t in live} >= {"ticket.called", "ticket.recalled"}
