"""The follow page's rating form in a real browser: a tap posts the plain form (Chromium
sends its own `Origin`), the page comes back thanking the citizen."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from queue_client import QueueClient
from queue_server.store import DATABASE_NAME
from tests.helpers.chromium import Chromium, find_chromium
from tests.helpers.live_server import LiveServer
from tests.server.conftest import prepare_data_dir


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    data_dir = tmp_path / "live"
    tokens = prepare_data_dir(data_dir)
    live = LiveServer(data_dir)
    live.start()
    yield live, tokens
    live.stop()


@pytest.fixture
def phone() -> Iterator[Chromium]:
    if find_chromium() is None:
        pytest.skip("chromium is not installed (scripts/system-deps installs it)")
    with Chromium(width=390, height=844) as chromium:
        yield chromium


def test_a_tap_on_the_phone_records_the_rating_once(
    server: tuple[LiveServer, dict[str, str]], phone: Chromium
) -> None:
    live, tokens = server
    with QueueClient(live.url, tokens["kiosk"]) as kiosk:
        ticket = kiosk.issue("TP")
    assert ticket.follow_code is not None  # from the Follow-Code header, through the client
    with httpx.Client(
        base_url=live.url, headers={"Authorization": f"Bearer {tokens['lan']}"}
    ) as lan:
        assert lan.post("/api/counters/1/call-next").status_code == 200
        assert lan.post(f"/api/tickets/{ticket.id}/complete").status_code == 200

    page = f"{live.url}/t/{ticket.follow_code}"
    phone.navigate(page)
    phone.wait_for("document.querySelector('form.rate button[value=\"3\"]') !== null")
    assert phone.evaluate("document.querySelectorAll('form.rate button').length") == 3
    phone.evaluate("document.querySelector('form.rate button[value=\"3\"]').click()")
    phone.wait_for(
        "document.body && document.body.innerText.includes('Ông/Bà đã đánh giá: Rất hài lòng')"
    )
    assert phone.evaluate("location.href") == page
    assert phone.evaluate("document.querySelector('form.rate')") is None

    with sqlite3.connect(live.data_dir / DATABASE_NAME) as db:
        rows = db.execute("select ticket_id, score from ratings").fetchall()
    assert rows == [(ticket.id, 3)]
