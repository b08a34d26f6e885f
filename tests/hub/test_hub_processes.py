"""`motcua hub …` as real processes: the admin commands, and two `motcua hub serve` on one
database behaving as one hub."""

from __future__ import annotations

import signal
from datetime import timedelta
from pathlib import Path

import pytest

from tests.helpers.server_process import motcua, running
from tests.hub.centre_log import MORNING, CentreLog

pytestmark = pytest.mark.slow


def _hub_serve(database_url: str) -> list[str]:
    return ["hub", "serve", "--database", database_url, "--host", "127.0.0.1", "--port", "0"]


def test_centre_add_prints_the_token_last_and_the_hub_knows_it(
    database_url: str, tmp_path: Path
) -> None:
    added = motcua("hub", "centre", "add", "XA-TAN-AN", "Xã Tân An", "--database", database_url)
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip().splitlines()[-1]
    again = motcua("hub", "centre", "add", "XA-TAN-AN", "Xã Tân An", "--database", database_url)
    assert again.returncode == 1
    assert "XA-TAN-AN" in again.stderr
    with running(_hub_serve(database_url), tmp_path / "logs") as hub:
        with hub.client() as anyone, hub.client(token) as centre, hub.client("x") as stranger:
            assert anyone.get("/api/health").status_code == 200
            ack = centre.get("/api/hub/ack")
            assert ack.json() == {"centre": "XA-TAN-AN", "acknowledged_seq": 0}
            assert stranger.get("/api/hub/ack").status_code == 401
        hub.stop_cleanly(signal.SIGTERM)


def test_province_staff_sign_in_with_the_password_given_on_stdin(
    database_url: str, tmp_path: Path
) -> None:
    added = motcua("hub", "user", "add", "lan", "--database", database_url, stdin="mật khẩu tỉnh\n")
    assert added.returncode == 0, added.stderr
    with running(_hub_serve(database_url), tmp_path / "logs") as hub, hub.client() as client:
        wrong = client.post("/api/auth/token", data={"username": "lan", "password": "x"})
        assert wrong.status_code == 401
        assert "detail" in wrong.json()
        signed = client.post(
            "/api/auth/token", data={"username": "lan", "password": "mật khẩu tỉnh"}
        )
        assert signed.status_code == 200, signed.text
        assert signed.json()["token_type"] == "bearer"
        assert signed.json()["role"] == "province"


def test_a_bad_database_url_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = motcua("hub", "centre", "add", "A", "A", "--database", "postgresql://x@127.0.0.1:1/x")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr


def test_two_hub_processes_on_one_database_are_one_hub(database_url: str, tmp_path: Path) -> None:
    token = motcua("hub", "centre", "add", "A", "Xã A", "--database", database_url)
    token = token.stdout.strip().splitlines()[-1]
    log = CentreLog()
    for n in range(1, 41):
        log.visit(n, "TP", MORNING + timedelta(minutes=n), wait_min=n % 7, serve_min=3)
    with (
        running(_hub_serve(database_url), tmp_path / "one") as one,
        running(_hub_serve(database_url), tmp_path / "two") as two,
        one.client(token) as first,
        two.client(token) as second,
    ):
        # Batches alternate between the processes, each resent to the other as a
        # load balancer retrying would: every event is held once.
        for n, start in enumerate(range(0, log.seq, 20)):
            a, b = (first, second) if n % 2 else (second, first)
            body = log.shipment(start, start + 20)
            assert a.post("/api/hub/events", json=body).status_code == 200
            assert b.post("/api/hub/events", json=body).json()["acknowledged_seq"] == min(
                start + 20, log.seq
            )
        assert first.get("/api/hub/ack").json()["acknowledged_seq"] == log.seq
        assert second.get("/api/hub/ack").json()["acknowledged_seq"] == log.seq
        one.stop_cleanly()
        two.stop_cleanly()
    from queue_hub.store import connect

    store = connect(database_url)
    try:
        assert store.event_count("A") == log.seq
        [(_, _, tally)] = store.tallies(MORNING.date(), MORNING.date(), "A", "centre")[0]
        assert (tally.issued, tally.called, tally.served) == (40, 40, 40)
    finally:
        store.close()
