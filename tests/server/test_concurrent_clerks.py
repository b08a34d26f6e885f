"""Four clerks pressing "next" at once on counters that share services, over real HTTP."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from queue_server.auth import Role, add_user, issue_user_token
from queue_server.database import open_store
from queue_server.store import connect
from tests.helpers.server_process import serve
from tests.server.conftest import FAST_HASHER, prepare_data_dir

pytestmark = pytest.mark.slow

# Every service is served by at least two counters, each in its own order.
SITE = """
[site]
name = "Trung tâm Phục vụ hành chính công xã Thử Nghiệm"

[[services]]
code = "TP"
name = "Tư pháp – Hộ tịch"
prefix = "1"
digits = 3

[[services]]
code = "DD"
name = "Đất đai"
prefix = "2"
digits = 3

[[services]]
code = "LD"
name = "Lao động – Thương binh và Xã hội"
prefix = "3"
digits = 3

[[counters]]
number = 1
name = "Quầy 1"
services = ["TP", "DD"]

[[counters]]
number = 2
name = "Quầy 2"
services = ["DD", "TP"]

[[counters]]
number = 3
name = "Quầy 3"
services = ["TP", "LD", "DD"]

[[counters]]
number = 4
name = "Quầy 4"
services = ["LD", "TP"]
"""
SERVICES = ("TP", "DD", "LD")
CLERKS = {1: "lan", 2: "hung", 3: "mai", 4: "tuan"}
BEFORE = 200  # issued before the clerks start
DURING = 100  # issued while they call


def prepare(data_dir: Path) -> dict[str, str]:
    tokens = prepare_data_dir(data_dir, SITE)
    store = open_store(data_dir)
    now = datetime.now(UTC)
    with store.transaction():
        for username in ("mai", "tuan"):
            add_user(store, username, f"mat-khau-{username}", Role.CLERK, None, now, FAST_HASHER)
            tokens[username], _ = issue_user_token(store, username, now, 3600)
    store.close()
    return tokens


def issue(url: str, kiosk: str, count: int, offset: int) -> list[int]:
    ids = []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {kiosk}"}) as http:
        for n in range(count):
            body = {"service": SERVICES[(offset + n) % 3], "priority": (offset + n) % 7 == 0}
            response = http.post("/api/tickets", json=body)
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
    return ids


class Clerk(threading.Thread):
    """Calls next at one counter until nothing waits once every kiosk has finished."""

    def __init__(
        self, url: str, token: str, counter: int, start: threading.Barrier, issued: threading.Event
    ) -> None:
        super().__init__(name=f"clerk-{counter}")
        self.url, self.token, self.counter = url, token, counter
        self.start_together, self.issuing_done = start, issued
        self.called: list[int] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            headers = {"Authorization": f"Bearer {self.token}"}
            with httpx.Client(base_url=self.url, headers=headers, timeout=10) as http:
                self.start_together.wait(timeout=10)
                while True:
                    # Read before asking: a 204 ends the day only if every ticket was
                    # already acknowledged when the request left.
                    finished = self.issuing_done.is_set()
                    response = http.post(f"/api/counters/{self.counter}/call-next")
                    if response.status_code == 204:
                        if finished:
                            return
                        continue
                    assert response.status_code == 200, response.text
                    ticket = response.json()
                    assert (ticket["status"], ticket["counter"]) == ("called", self.counter)
                    self.called.append(ticket["id"])
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.error = exc


def test_four_clerks_calling_at_once_call_every_ticket_exactly_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    tokens = prepare(data_dir)

    with serve(data_dir) as server:
        issued = [i for k in range(4) for i in issue(server.url, tokens["kiosk"], BEFORE // 4, k)]
        assert len(set(issued)) == BEFORE

        start = threading.Barrier(len(CLERKS) + 1)
        issuing_done = threading.Event()
        clerks = [
            Clerk(server.url, tokens[name], counter, start, issuing_done)
            for counter, name in CLERKS.items()
        ]
        for clerk in clerks:
            clerk.start()
        try:
            start.wait(timeout=10)
            issued += issue(server.url, tokens["kiosk"], DURING, BEFORE)  # more come in meanwhile
            issuing_done.set()
        finally:
            issuing_done.set()
            for clerk in clerks:
                clerk.join(timeout=60)
        for clerk in clerks:
            assert clerk.error is None, f"{clerk.name}: {clerk.error!r}"
            assert not clerk.is_alive()

        calls = [ticket_id for clerk in clerks for ticket_id in clerk.called]
        twice = [ticket_id for ticket_id, n in Counter(calls).items() if n > 1]
        assert twice == [], f"called more than once: {twice}"
        assert sorted(calls) == sorted(issued)
        assert all(clerk.called for clerk in clerks), [len(c.called) for c in clerks]

        with server.client(tokens["display"]) as http:
            counters = {c["number"]: c for c in http.get("/api/counters").json()}
        # The last "next", answered 204, also finished the citizen at each counter.
        assert all(counters[clerk.counter]["current_ticket"] is None for clerk in clerks)
        server.stop_cleanly()

    # The durable log agrees: one `ticket.called` per ticket, at the counter that got it.
    store = connect(data_dir)
    try:
        events = [json.loads(row[-1]) for row in store.events_after(0, limit=100_000)]
        statuses = Counter(store.ticket(ticket_id).status.value for ticket_id in issued)
    finally:
        store.close()
    assert statuses == {"done": len(issued)}
    called_at = {t: clerk.counter for clerk in clerks for t in clerk.called}
    called_events = [e for e in events if e["type"] == "ticket.called"]
    assert Counter(e["ticket"]["id"] for e in called_events) == Counter(issued)
    assert all(called_at[e["ticket"]["id"]] == e["counter"] for e in called_events)
    completed = Counter(e["ticket"]["id"] for e in events if e["type"] == "ticket.completed")
    assert completed == Counter(issued)
