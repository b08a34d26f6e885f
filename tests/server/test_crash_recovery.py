"""SIGKILL a real `motcua serve` mid-traffic: nothing acknowledged is lost, nothing repeats."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from queue_server.store import DATABASE_NAME
from tests.helpers.server_process import ServerProcess, serve
from tests.server.conftest import prepare_data_dir

pytestmark = pytest.mark.slow

# Three services without caps or hours, so nothing but the crash can refuse a ticket.
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
services = ["TP", "DD", "LD"]

[[counters]]
number = 2
name = "Quầy 2"
services = ["DD", "TP", "LD"]
"""
PREFIXES = {"TP": "1", "DD": "2", "LD": "3"}
ISSUERS = 8
ACKNOWLEDGED_BEFORE_KILL = 300


@dataclass
class Traffic:
    """Kiosk threads issuing tickets until the server dies under them."""

    url: str
    token: str
    acknowledged: dict[int, tuple[str, str]] = field(default_factory=dict)  # id → service, number
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def issue_until_refused(self, worker: int) -> None:
        codes = list(PREFIXES)
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.url, headers=headers, timeout=10) as http:
            for n in range(100_000):
                service = codes[(worker + n) % len(codes)]
                try:
                    response = http.post("/api/tickets", json={"service": service})
                except httpx.TransportError as exc:  # the server is gone: the expected end
                    with self.lock:
                        self.failures.append(repr(exc))
                    return
                assert response.status_code == 201, response.text
                body = response.json()
                assert body["service"] == service
                with self.lock:
                    assert body["id"] not in self.acknowledged, body
                    self.acknowledged[body["id"]] = (service, body["number"])

    def count(self) -> int:
        with self.lock:
            return len(self.acknowledged)


def all_tickets(data_dir: Path) -> list[sqlite3.Row]:
    db = sqlite3.connect(data_dir / DATABASE_NAME)
    db.row_factory = sqlite3.Row
    try:
        return db.execute("select id, service, day, sequence, number from tickets").fetchall()
    finally:
        db.close()


def issued_events(data_dir: Path) -> Counter[int]:
    db = sqlite3.connect(data_dir / DATABASE_NAME)
    try:
        rows = db.execute("select ticket_id from events where type = 'ticket.issued'").fetchall()
    finally:
        db.close()
    return Counter(int(r[0]) for r in rows)


def assert_numbering_has_no_gap_or_repeat(data_dir: Path) -> dict[str, int]:
    """Per service and day the sequences are exactly 1..N; returns N per service."""
    by_day: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in all_tickets(data_dir):
        by_day[row["service"], row["day"]].append(row["sequence"])
        assert row["number"] == PREFIXES[row["service"]] + f"{row['sequence']:03d}", dict(row)
    for (service, day), sequences in by_day.items():
        assert sorted(sequences) == list(range(1, len(sequences) + 1)), (service, day)
    return {service: len(seqs) for (service, _), seqs in by_day.items()}


def get_ticket(server: ServerProcess, token: str, ticket_id: int) -> dict[str, object]:
    with server.client(token) as http:
        response = http.get(f"/api/tickets/{ticket_id}")
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_sigkill_mid_issuing_loses_no_acknowledged_ticket_and_numbering_goes_on(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir, SITE)
    kiosk = tokens["kiosk"]

    with serve(data_dir) as server:
        traffic = Traffic(server.url, kiosk)
        workers = [
            threading.Thread(target=traffic.issue_until_refused, args=(n,)) for n in range(ISSUERS)
        ]
        for worker in workers:
            worker.start()
        try:
            deadline = time.monotonic() + 15
            while traffic.count() < ACKNOWLEDGED_BEFORE_KILL and time.monotonic() < deadline:
                time.sleep(0.01)
            running_at_kill = sum(worker.is_alive() for worker in workers)
            server.kill()
        finally:
            server.close()
            for worker in workers:
                worker.join(timeout=15)
    assert running_at_kill == ISSUERS, "every kiosk was still issuing when the power went"
    assert traffic.count() >= ACKNOWLEDGED_BEFORE_KILL
    assert len(traffic.failures) == ISSUERS  # each one's last request died with the server

    with serve(data_dir) as server:
        # Every ticket a kiosk printed is there, with the number it printed.
        with server.client(kiosk) as http:
            for ticket_id, (service, number) in traffic.acknowledged.items():
                response = http.get(f"/api/tickets/{ticket_id}")
                assert response.status_code == 200, (ticket_id, response.text)
                body = response.json()
                assert (body["service"], body["number"], body["status"]) == (
                    service,
                    number,
                    "waiting",
                )
        last = assert_numbering_has_no_gap_or_repeat(data_dir)
        assert sum(last.values()) >= len(traffic.acknowledged)
        assert set(issued_events(data_dir).values()) == {1}
        assert set(issued_events(data_dir)) == {row["id"] for row in all_tickets(data_dir)}

        # Issuing goes on at N + 1 in every service.
        with server.client(kiosk) as http:
            for service, prefix in PREFIXES.items():
                response = http.post("/api/tickets", json={"service": service})
                assert response.status_code == 201, response.text
                assert response.json()["number"] == f"{prefix}{last[service] + 1:03d}"
        assert_numbering_has_no_gap_or_repeat(data_dir)
        server.stop_cleanly()


def test_a_called_ticket_survives_sigkill_as_called_at_its_counter(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir, SITE)
    kiosk, lan, hung = tokens["kiosk"], tokens["lan"], tokens["hung"]

    with serve(data_dir) as server:
        with server.client(kiosk) as http:
            first, second, third = (
                http.post("/api/tickets", json={"service": "TP"}).json() for _ in range(3)
            )
        with server.client(lan) as at_1, server.client(hung) as at_2:
            assert at_1.post("/api/counters/1/call-next").json()["id"] == first["id"]
            assert at_2.post("/api/counters/2/call-next").json()["id"] == second["id"]
            called = at_1.post("/api/counters/1/call-next")  # completes the first
            assert called.status_code == 200, called.text
            assert called.json()["id"] == third["id"]
        server.kill()

    with serve(data_dir) as server:
        assert get_ticket(server, kiosk, first["id"])["status"] == "done"
        for ticket, counter in ((second, 2), (third, 1)):
            after = get_ticket(server, kiosk, ticket["id"])
            assert (after["status"], after["counter"], after["number"]) == (
                "called",
                counter,
                ticket["number"],
            )
        with server.client(kiosk) as http:
            counters = {c["number"]: c for c in http.get("/api/counters").json()}
        assert counters[1]["current_ticket"]["id"] == third["id"]
        assert counters[2]["current_ticket"]["id"] == second["id"]
        # The clerk carries on where the crash left off.
        with server.client(lan) as at_1:
            assert at_1.post("/api/counters/1/call-next").status_code == 204
        assert get_ticket(server, kiosk, third["id"])["status"] == "done"
        server.stop_cleanly()
