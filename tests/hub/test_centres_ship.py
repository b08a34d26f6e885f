"""Centres ship to the real province hub, as processes (#16, "Must show").

Three `motcua serve --hub …` centres and two `motcua hub serve` processes on one PostgreSQL
(the session's own, from `conftest.py`): tickets issued, called, no-showed and rated at
every centre; both hub processes stopped a while with traffic going on, then started again
on their ports; one centre killed with SIGKILL while it catches up, and started again. In
the end the hub's figures for each centre equal that centre's own `/api/reports/summary`,
and the hub holds each centre's log once: as many events as the centre's last `seq`,
acknowledged up to it (the hub keeps one row per centre and `seq`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest

from queue_server.store import connect
from tests.helpers import waiting
from tests.helpers.server_process import ServerProcess, motcua, running
from tests.server.conftest import prepare_data_dir

pytestmark = pytest.mark.slow

TIMEOUT_S = 90.0
PASSWORD = "mật khẩu của tỉnh"


def wait_until(condition: Callable[[], bool], what: str, timeout_s: float = TIMEOUT_S) -> None:
    waiting.wait_until(condition, what, timeout_s)


def last_line(result: Any) -> str:
    assert result.returncode == 0, result.stderr
    line: str = result.stdout.strip().splitlines()[-1]
    return line


@dataclass
class Centre:
    """One centre's data directory, its tokens and its hub, and the running process."""

    code: str
    data_dir: Path
    tokens: dict[str, str]
    hub_url: str
    token_file: Path
    env_file: Path
    server: ServerProcess | None = None
    current: dict[int, int | None] = field(default_factory=lambda: {1: None, 2: None})

    def args(self) -> list[str]:
        return [
            "serve", "--data-dir", str(self.data_dir), "--host", "127.0.0.1", "--port", "0",
            "--hub", self.hub_url, "--hub-token-file", str(self.token_file),
            "--env-file", str(self.env_file), "--log-level", "info",
        ]  # fmt: skip

    def client(self, who: str) -> httpx.Client:
        assert self.server is not None
        return self.server.client(self.tokens[who])

    def link(self) -> dict[str, Any]:
        with self.client("sup") as client:
            state: dict[str, Any] = client.get("/api/health").json()["hub"]
        return state

    def caught_up(self) -> bool:
        state = self.link()
        return state["lag_events"] == 0 and state["acknowledged_seq"] == self.last_seq()

    def log(self) -> list[tuple[int, str, str]]:
        store = connect(self.data_dir)
        try:
            return store.events_after(0, 1_000_000)
        finally:
            store.close()

    def last_seq(self) -> int:
        store = connect(self.data_dir)
        try:
            return store.last_seq()
        finally:
            store.close()

    def traffic(self, tickets: int) -> None:
        """`tickets` citizens at counter 1 (Lan) and 2 (Hùng): issued, called, a few
        no-shows, ratings of some of those served."""
        with self.client("kiosk") as kiosk, self.client("rating") as tablet:
            clerks = {1: self.client("lan"), 2: self.client("hung")}
            try:
                for n in range(tickets):
                    issued = kiosk.post("/api/tickets", json={"service": "TP"})
                    assert issued.status_code == 201, issued.text
                    counter = 1 + n % 2
                    clerk = clerks[counter]
                    before = self.current[counter]
                    if before is not None and n % 7 == 3:
                        no_show = clerk.post(f"/api/tickets/{before}/no-show")
                        assert no_show.status_code == 200, no_show.text
                        before = None
                    called = clerk.post(f"/api/counters/{counter}/call-next")
                    assert called.status_code in (200, 204), called.text
                    self.current[counter] = (
                        called.json()["id"] if called.status_code == 200 else None
                    )
                    if before is not None and n % 3 == 0:  # call-next completed it
                        rated = tablet.post(
                            "/api/ratings", json={"ticket_id": before, "score": 1 + n % 3}
                        )
                        assert rated.status_code == 201, rated.text
            finally:
                for client in clerks.values():
                    client.close()

    def summary(self, first: str, to: str, by: str) -> dict[str, Any]:
        with self.client("sup") as client:
            answer = client.get("/api/reports/summary", params={"from": first, "to": to, "by": by})
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body


@contextmanager
def centre_running(centre: Centre) -> Iterator[ServerProcess]:
    with running(centre.args(), centre.data_dir.parent / f"{centre.code}-logs") as server:
        centre.server = server
        yield server


def lock_waits(database_url: str) -> int:
    """Hub connections waiting for a lock (the shipment held up by the test's lock)."""
    with psycopg.connect(database_url, autocommit=True) as db:
        row = db.execute(
            "select count(*) from pg_stat_activity"
            " where wait_event_type = 'Lock' and datname = current_database()"
        ).fetchone()
    assert row is not None
    return int(row[0])


def hub_args(database_url: str, port: int) -> list[str]:
    return ["hub", "serve", "--database", database_url, "--host", "127.0.0.1", "--port", str(port)]


def test_three_centres_two_hubs_the_hub_away_and_a_centre_killed(
    database_url: str, tmp_path: Path
) -> None:
    codes = ("XA-MOT", "XA-HAI", "PHUONG-BA")
    hub_tokens = {
        code: last_line(
            motcua("hub", "centre", "add", code, f"Trung tâm {code}", "--database", database_url)
        )
        for code in codes
    }
    added = motcua("hub", "user", "add", "tinh", "--database", database_url, stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr

    with ExitStack() as stack:
        hubs = [
            stack.enter_context(running(hub_args(database_url, 0), tmp_path / f"hub-{n}"))
            for n in (1, 2)
        ]
        ports = [int(hub.url.rsplit(":", 1)[1]) for hub in hubs]
        centres = []
        for index, code in enumerate(codes):
            data_dir = tmp_path / code / "data"
            token_file = tmp_path / code / "hub-token"
            env_file = tmp_path / code / "motcua.env"
            tokens = prepare_data_dir(data_dir)
            token_file.write_text(hub_tokens[code] + "\n", encoding="utf-8")
            token_file.chmod(0o600)
            env_file.write_text(
                "MOTCUA_HUB_RETRY_MAX_S=0.5\nMOTCUA_HUB_LINGER_S=0.05\nMOTCUA_HUB_TIMEOUT_S=60\n"
            )
            # Centres 1 and 3 ship to the first hub process, centre 2 to the second.
            hub_url = hubs[index % 2].url
            centres.append(Centre(code, data_dir, tokens, hub_url, token_file, env_file))
        a, b, c = centres
        stack.enter_context(centre_running(a))
        stack.enter_context(centre_running(b))
        c_server = stack.enter_context(centre_running(c))

        for centre in centres:
            centre.traffic(12)
        for centre in centres:
            wait_until(centre.caught_up, f"{centre.code} shipped its first hour")

        # The hub goes away (both processes); the halls work on.
        for hub in hubs:
            hub.stop_cleanly()
        for centre in centres:
            centre.traffic(8)
        c.traffic(300)  # a backlog that takes the hub several shipments
        for centre in centres:
            wait_until(lambda centre=centre: centre.link()["state"] == "down", "link down")

        shipped_before = c.link()["acknowledged_seq"]
        target = c.last_seq()
        # Centre 3 is killed while the hub is taking its next shipment: with centre 3's row
        # locked on the hub's database, the hub waits inside that shipment's transaction,
        # so the centre is left waiting for the answer when the SIGKILL comes. The hub then
        # holds a batch the centre never heard acknowledged.
        with psycopg.connect(database_url) as lock:
            lock.execute("select 1 from centres where code = %s for update", [c.code])
            hubs[1:] = [
                stack.enter_context(
                    running(hub_args(database_url, ports[1]), tmp_path / "hub-2-again")
                )
            ]
            hubs[:1] = [
                stack.enter_context(
                    running(hub_args(database_url, ports[0]), tmp_path / "hub-1-again")
                )
            ]
            wait_until(lambda: lock_waits(database_url) > 0, "centre 3's shipment in flight")
            c_server.kill()
        auth = {"Authorization": f"Bearer {hub_tokens[c.code]}"}
        with httpx.Client(base_url=hubs[0].url, headers=auth) as hub_c:

            def held() -> int:
                seq: int = hub_c.get("/api/hub/ack").json()["acknowledged_seq"]
                return seq

            wait_until(lambda: held() > shipped_before, "the hub took the shipment in flight")
            held_at_kill = held()
        stack.enter_context(centre_running(c))
        for centre in centres:
            centre.traffic(5)
        for centre in centres:
            wait_until(centre.caught_up, f"{centre.code} caught up")

        zone = ZoneInfo("Asia/Ho_Chi_Minh")
        today = datetime.now(zone).date()
        first, to = (today - timedelta(days=1)).isoformat(), today.isoformat()
        with hubs[1].client() as anyone:
            signed = anyone.post("/api/auth/token", data={"username": "tinh", "password": PASSWORD})
        assert signed.status_code == 200, signed.text
        with hubs[1].client(signed.json()["access_token"]) as province:
            for centre in centres:
                for by in ("service", "hour"):
                    own = centre.summary(first, to, by)
                    answer = province.get(
                        "/api/hub/reports/summary",
                        params={"from": first, "to": to, "by": by, "centre": centre.code},
                    )
                    assert answer.status_code == 200, answer.text
                    assert answer.json()["rows"] == own["rows"], (centre.code, by)
                    assert answer.json()["total"] == own["total"], (centre.code, by)
                assert own["total"]["issued"] >= 25
                assert own["total"]["no_show"] > 0
                assert sum(own["total"]["ratings"].values()) > 0

    from queue_hub.store import connect as hub_connect

    store = hub_connect(database_url)
    try:
        for centre in centres:
            # One row per centre and seq on the hub: as many as the centre logged is every
            # event once, none missing.
            assert store.event_count(centre.code) == centre.last_seq(), centre.code
    finally:
        store.close()
    with psycopg.connect(database_url) as db:
        for centre in centres:
            held = db.execute(
                "select seq, type, body from events where centre = %s order by seq", [centre.code]
            ).fetchall()
            assert held == centre.log(), centre.code  # in order, as the centre's log keeps it
    # The kill fell in the middle of the catching up, not after it.
    assert shipped_before < held_at_kill < target
