"""`motcua serve --hub …` as a real process: killed with SIGKILL in the middle of a
shipment, it ships every event exactly once after its restart (#16).

The hub is `tests.helpers.fake_hub.FakeHub`, a real HTTP server speaking the wire that
stands in for `queue_hub` here; `tests/hub/test_centres_ship*.py` runs the real hub.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from queue_server.store import connect
from tests.helpers import waiting
from tests.helpers.fake_hub import FakeHub
from tests.helpers.server_process import ServerProcess, motcua, running
from tests.server.conftest import prepare_data_dir

TIMEOUT_S = 30.0


def wait_until(condition: Callable[[], bool], what: str, timeout_s: float = TIMEOUT_S) -> None:
    waiting.wait_until(condition, what, timeout_s)


def hub_files(tmp_path: Path, token: str) -> tuple[Path, Path]:
    """The centre's hub token file (0600) and a settings file with short retries."""
    token_file = tmp_path / "hub-token"
    token_file.write_text(token + "\n", encoding="utf-8")
    token_file.chmod(0o600)
    env_file = tmp_path / "motcua.env"
    env_file.write_text("MOTCUA_HUB_RETRY_MAX_S=0.5\nMOTCUA_HUB_LINGER_S=0.05\n", encoding="utf-8")
    return token_file, env_file


@contextmanager
def centre(
    data_dir: Path, hub: FakeHub, token_file: Path, env_file: Path
) -> Iterator[ServerProcess]:
    args = [
        "serve", "--data-dir", str(data_dir), "--host", "127.0.0.1", "--port", "0",
        "--hub", hub.url, "--hub-token-file", str(token_file), "--env-file", str(env_file),
        "--log-level", "info",
    ]  # fmt: skip
    with running(args, data_dir.parent / "logs") as server:
        yield server


def log_seqs(data_dir: Path) -> list[int]:
    store = connect(data_dir)
    try:
        return [seq for seq, _, _ in store.events_after(0, 1_000_000)]
    finally:
        store.close()


def issue(client: httpx.Client, kiosk: str, tickets: int) -> None:
    for _ in range(tickets):
        response = client.post(
            "/api/tickets", json={"service": "TP"}, headers={"Authorization": f"Bearer {kiosk}"}
        )
        assert response.status_code == 201, response.text


def test_killed_mid_shipment_the_centre_ships_each_event_once(
    tmp_path: Path, fake_hub: FakeHub
) -> None:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir)
    token_file, env_file = hub_files(tmp_path, fake_hub.state.token)
    # The hub stores each shipment, then answers late: the kill lands between the two.
    fake_hub.state.answer_delay_s = 30.0
    with centre(data_dir, fake_hub, token_file, env_file) as server, server.client() as client:
        issue(client, tokens["kiosk"], 20)
        wait_until(lambda: len(fake_hub.state.received) >= 1, "a shipment in flight")
        server.kill()
    assert fake_hub.seqs()  # the hub holds what the centre never heard acknowledged

    fake_hub.state.answer_delay_s = 0.0
    with centre(data_dir, fake_hub, token_file, env_file) as server, server.client() as client:
        issue(client, tokens["kiosk"], 5)
        wait_until(lambda: fake_hub.seqs() == log_seqs(data_dir), "the hub holds the log")
        health = client.get("/api/health").json()["hub"]
        server.stop_cleanly()
    assert fake_hub.state.duplicates == []  # it asked the hub's ack before shipping again
    assert health["last_error"] is None
    errors = server.stderr()
    assert fake_hub.state.token not in errors


def test_a_centre_starts_and_serves_with_its_hub_unreachable(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir)
    hub = FakeHub()  # never started
    hub.port = 9  # the discard port: nothing listens on it here, a connection is refused
    token_file, env_file = hub_files(tmp_path, hub.state.token)
    with centre(data_dir, hub, token_file, env_file) as server, server.client() as client:
        issue(client, tokens["kiosk"], 3)
        wait_until(
            lambda: client.get("/api/health").json()["hub"]["last_error"] == "unreachable",
            "the link reported down",
        )
        health = client.get("/api/health").json()["hub"]
        assert health["state"] == "down"
        assert health["acknowledged_seq"] is None
        assert health["last_seq"] == len(log_seqs(data_dir))
        server.stop_cleanly()
    errors = server.stderr()
    assert errors.count("hub link down (unreachable)") == 1
    assert hub.state.token not in errors


def test_serve_refuses_a_hub_without_a_token_or_an_open_token_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    no_token = motcua("serve", "--data-dir", str(data_dir), "--hub", "http://127.0.0.1:9")
    assert no_token.returncode != 0
    assert "--hub-token-file / MOTCUA_HUB_TOKEN" in no_token.stderr

    open_file = tmp_path / "hub-token"
    open_file.write_text("secret-token\n", encoding="utf-8")
    open_file.chmod(0o644)
    refused = motcua(
        "serve", "--data-dir", str(data_dir), "--hub", "http://127.0.0.1:9",
        "--hub-token-file", str(open_file),
    )  # fmt: skip
    assert refused.returncode != 0
    assert "chmod 600" in refused.stderr

    bad_url = motcua("serve", "--data-dir", str(data_dir), "--hub", "not a url", "--hub-token", "t")
    assert bad_url.returncode != 0
    assert "--hub / MOTCUA_HUB_URL" in bad_url.stderr
    assert "--hub-token is visible" in bad_url.stderr
