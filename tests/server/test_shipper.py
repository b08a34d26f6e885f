"""The centre ships its event log to the province hub, and works on when it is away (#16).

The hub here is `tests.helpers.fake_hub.FakeHub`, a real HTTP server speaking the wire
(`Shipment` → `ShipmentAck`, 409 with the hub's ack): it stands in for `queue_hub` in
these tests of the shipping loop; `tests/hub/test_centres_ship*.py` runs the real hub.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from queue_core.clock import FrozenClock
from queue_core.site import parse_site
from queue_server import shipper
from queue_server.app import create_app
from queue_server.database import open_store
from queue_server.settings import Settings
from queue_server.shipper import Backoff
from queue_server.site_update import apply_site
from queue_server.store import connect
from tests.helpers import waiting
from tests.helpers.fake_hub import FakeHub
from tests.server.conftest import SITE, Hall, prepare_data_dir
from tests.server.test_supervisor_page import signed_in

TIMEOUT_S = 20.0


def wait_until(condition: Callable[[], bool], what: str, timeout_s: float = TIMEOUT_S) -> None:
    waiting.wait_until(condition, what, timeout_s, interval_s=0.02)


@contextmanager
def centre(data_dir: Path, clock: FrozenClock, hub_url: str, hub_token: str) -> Iterator[Hall]:
    tokens = prepare_data_dir(data_dir, now=clock.now())
    settings = Settings(
        data_dir=data_dir,
        hub_url=hub_url,
        hub_token=hub_token,
        hub_retry_max_s=0.2,
        hub_linger_s=0.05,
    )
    with TestClient(create_app(settings, clock=clock)) as client:
        hall = Hall(client, data_dir, clock)
        hall.tokens.update(tokens)
        yield hall


@pytest.fixture
def hall(tmp_path: Path, clock: FrozenClock, fake_hub: FakeHub) -> Iterator[Hall]:
    with centre(tmp_path / "data", clock, fake_hub.url, fake_hub.state.token) as running:
        yield running


def link(hall: Hall) -> dict[str, object]:
    response = hall.client.get("/api/health")
    assert response.status_code == 200
    state: dict[str, object] = response.json()["hub"]
    return state


def caught_up(hall: Hall) -> bool:
    state = link(hall)
    return state["acknowledged_seq"] == state["last_seq"] and state["lag_events"] == 0


def logged(data_dir: Path) -> list[tuple[int, str]]:
    """(seq, JSON body) of the centre's whole event log."""
    store = connect(data_dir)
    try:
        return [(seq, body) for seq, _, body in store.events_after(0, 1_000_000)]
    finally:
        store.close()


def traffic(hall: Hall, tickets: int) -> None:
    for _ in range(tickets):
        hall.issue("TP")
    hall.call_next(1)
    hall.call_next(2, who="hung")


def test_backoff_doubles_up_to_its_cap_with_jitter_below_each_step() -> None:
    top = Backoff(0.5, 4.0, draw=lambda: 1.0)
    assert [top.next_delay() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    bottom = Backoff(0.5, 4.0, draw=lambda: 0.0)
    assert [bottom.next_delay() for _ in range(5)] == [0.25, 0.5, 1.0, 2.0, 2.0]
    top.reset()
    assert top.next_delay() == 0.5


def test_ships_the_log_in_order_exactly_once_with_the_site_first(
    hall: Hall, fake_hub: FakeHub
) -> None:
    traffic(hall, 5)
    wait_until(lambda: caught_up(hall), "the hub holds every event")
    traffic(hall, 3)
    wait_until(lambda: caught_up(hall), "the hub holds the later events too")

    log = logged(hall.data_dir)
    assert [seq for seq, _ in log] == list(range(1, len(log) + 1))
    with fake_hub.state.lock:
        held = [(e.seq, e.body) for e in fake_hub.state.events]
        received = list(fake_hub.state.received)
    assert held == log  # every event, in order, as the centre's log keeps it
    assert fake_hub.state.duplicates == []
    assert received[0].site is not None
    assert received[0].site.name.endswith("Thử Nghiệm")
    assert all(r.site is None for r in received[1:])
    assert len(received) >= 2  # the later events went in a shipment of their own
    assert link(hall)["last_error"] is None
    assert link(hall)["state"] == "ok"
    assert json.loads(held[0][1])["seq"] == 1


def test_catches_up_in_order_after_the_hub_was_away(hall: Hall, fake_hub: FakeHub) -> None:
    traffic(hall, 2)
    wait_until(lambda: caught_up(hall), "the hub holds the first events")
    fake_hub.stop()

    traffic(hall, 4)  # the hall works on: issue and call answer as before
    wait_until(lambda: link(hall)["last_error"] == "unreachable", "the link reported down")
    state = link(hall)
    assert state["state"] == "down"
    assert isinstance(state["lag_events"], int)
    assert state["lag_events"] > 0

    fake_hub.start()  # same port
    wait_until(lambda: caught_up(hall), "the hub caught up")
    log = logged(hall.data_dir)
    assert fake_hub.seqs() == [seq for seq, _ in log]
    assert fake_hub.state.duplicates == []
    assert link(hall)["last_error"] is None


def test_a_hub_that_lost_its_tail_gets_it_again_from_its_ack(hall: Hall, fake_hub: FakeHub) -> None:
    traffic(hall, 4)
    wait_until(lambda: caught_up(hall), "the hub holds the first events")
    shipped = len(fake_hub.seqs())
    fake_hub.state.forget_after(2)  # the hub's database put back from an older backup

    traffic(hall, 1)
    wait_until(lambda: fake_hub.seqs() == [s for s, _ in logged(hall.data_dir)], "resent")
    with fake_hub.state.lock:
        after = [r.after_seq for r in fake_hub.state.received]
    # Refused (409) from where the centre thought the hub was, then resent from its ack.
    assert after[after.index(shipped) + 1] == 2
    assert fake_hub.state.duplicates == []
    wait_until(lambda: caught_up(hall), "caught up")


def test_a_hub_that_refuses_what_it_says_it_lacks_is_not_hammered(
    hall: Hall, fake_hub: FakeHub
) -> None:
    traffic(hall, 1)
    wait_until(lambda: caught_up(hall), "the first events shipped")
    shipped = len(fake_hub.seqs())
    fake_hub.state.conflict_ack = shipped + 1000  # "I lack what follows 1000 more"
    traffic(hall, 1)
    # Not a resync in a loop: a failure, retried after the backoff.
    wait_until(lambda: link(hall)["last_error"] == "bad-answer", "the confused hub reported")
    fake_hub.state.conflict_ack = None
    wait_until(lambda: caught_up(hall), "caught up once the hub makes sense")
    assert fake_hub.seqs() == [seq for seq, _ in logged(hall.data_dir)]


def test_a_failing_hub_gets_everything_once_it_answers_again(
    tmp_path: Path, clock: FrozenClock, fake_hub: FakeHub
) -> None:
    # Failing before the centre starts, so that even its first question (the ack) gets 503.
    fake_hub.state.fail_next = 1_000_000
    with centre(tmp_path / "data", clock, fake_hub.url, fake_hub.state.token) as hall:
        traffic(hall, 3)
        wait_until(lambda: link(hall)["last_error"] == "hub-error", "the 503s reported")
        assert link(hall)["acknowledged_seq"] is None  # it never heard the hub's ack
        fake_hub.state.fail_next = 0
        wait_until(lambda: caught_up(hall), "caught up after the 503s")
        assert fake_hub.seqs() == [seq for seq, _ in logged(hall.data_dir)]
        assert fake_hub.state.duplicates == []


def test_health_and_log_keep_the_hubs_address_and_the_token_out(
    tmp_path: Path, clock: FrozenClock, fake_hub: FakeHub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "not-the-centres-token-7f3a"
    with centre(tmp_path / "data", clock, fake_hub.url, wrong) as hall:
        hall.issue("TP")
        wait_until(lambda: link(hall)["last_error"] == "unauthorized", "the 401 reported")
        text = hall.client.get("/api/health").text
        assert str(fake_hub.port) not in text
        assert "127.0.0.1" not in text
        assert wrong not in text
    assert fake_hub.seqs() == []
    assert not any(wrong in record.getMessage() for record in caplog.records)
    downs = [
        r for r in caplog.records if r.levelno >= logging.WARNING and "link down" in r.getMessage()
    ]
    assert len(downs) == 1  # said once, then retried quietly


def test_the_site_goes_again_after_it_changed(hall: Hall, fake_hub: FakeHub) -> None:
    traffic(hall, 1)
    wait_until(lambda: caught_up(hall), "the first events shipped")
    store = open_store(hall.data_dir)
    try:
        renamed = parse_site(SITE.replace("xã Thử Nghiệm", "phường Đổi Tên"))
        with store.transaction():
            assert apply_site(store, renamed, hall.clock.now(), "test", "test")
    finally:
        store.close()

    def renamed_shipped() -> bool:
        with fake_hub.state.lock:
            sites = [r.site for r in fake_hub.state.received if r.site is not None]
        return sites[-1].name.endswith("phường Đổi Tên")

    wait_until(renamed_shipped, "the new site shipped")
    with fake_hub.state.lock:
        types = [e.type for e in fake_hub.state.events]
    assert "site.updated" in types


def test_a_centre_without_a_hub_says_nothing_of_one(tmp_path: Path, clock: FrozenClock) -> None:
    data_dir = tmp_path / "data"
    prepare_data_dir(data_dir, now=clock.now())
    with TestClient(create_app(Settings(data_dir=data_dir), clock=clock)) as client:
        assert "hub" not in client.get("/api/health").json()


def test_big_events_go_in_several_requests_in_order(
    tmp_path: Path, clock: FrozenClock, fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shipper, "MAX_BATCH_BYTES", 1)  # every event is "too big" to share
    fake_hub.stop()  # let a backlog build up, to be shipped in one go otherwise
    with centre(tmp_path / "data", clock, fake_hub.url, fake_hub.state.token) as hall:
        traffic(hall, 3)
        fake_hub.start()
        wait_until(lambda: caught_up(hall), "caught up")
        log = logged(hall.data_dir)
    with fake_hub.state.lock:
        sizes = {len(r.seqs) for r in fake_hub.state.received}
    assert sizes == {1}
    assert fake_hub.seqs() == [seq for seq, _ in log]


def test_the_supervision_page_shows_the_link_to_the_hub(hall: Hall, fake_hub: FakeHub) -> None:
    hall.issue("TP")
    wait_until(lambda: link(hall).get("lag_events") == 0, "the hub holds the ticket")
    signed_in(hall)
    shown = hall.client.get("/supervisor/hall.json").json()["hub_link"]
    assert shown["state"] == "ok"
    assert shown["acknowledged_seq"] == shown["last_seq"] == link(hall)["last_seq"]
    assert "url" not in shown
    assert fake_hub.url not in json.dumps(shown)
    page = hall.client.get("/supervisor")
    assert "Kết nối với hệ thống của tỉnh" in page.text


def test_a_centre_without_a_hub_shows_no_link(tmp_path: Path, clock: FrozenClock) -> None:
    data_dir = tmp_path / "alone"
    tokens = prepare_data_dir(data_dir, now=clock.now())
    with TestClient(create_app(Settings(data_dir=data_dir), clock=clock)) as client:
        alone = Hall(client, data_dir, clock)
        alone.tokens.update(tokens)
        signed_in(alone)
        assert alone.client.get("/supervisor/hall.json").json()["hub_link"] is None
