"""The `/hub` page in a real browser (headless Chromium) on one of two real hub processes:
a province officer signs in with the form, and a shipment taken by the OTHER process shows
in the page's table with no reload (LISTEN/NOTIFY → the page's WebSocket)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.helpers.chromium import Chromium, find_chromium
from tests.helpers.server_process import motcua, running
from tests.hub.centre_log import CentreLog

pytestmark = pytest.mark.slow

PASSWORD = "mật khẩu tỉnh"
WAIT_S = 30.0  # a shared 2-core machine running the whole suite is slow, not broken


@pytest.fixture
def browser() -> Iterator[Chromium]:
    if find_chromium() is None:
        pytest.skip("chromium is not installed (scripts/system-deps installs it)")
    with Chromium(width=1280, height=900) as chromium:
        yield chromium


def settle(browser: Chromium, expression: str) -> None:
    """Wait until `expression` holds on the page the browser is on."""
    browser.settle(f"!!(document.body && {expression})", WAIT_S)


def test_the_page_on_one_process_shows_a_shipment_the_other_took(
    database_url: str, tmp_path: Path, browser: Chromium
) -> None:
    added = motcua("hub", "centre", "add", "XA-AN", "Xã Bình An", "--database", database_url)
    token = added.stdout.strip().splitlines()[-1]
    user = motcua("hub", "user", "add", "lan", "--database", database_url, stdin=PASSWORD)
    assert user.returncode == 0, user.stderr
    serve = ["hub", "serve", "--database", database_url, "--host", "127.0.0.1", "--port", "0"]
    waiting = 'document.querySelector(\'tr[data-code="XA-AN"] [data-field="waiting"]\')'
    with (
        running(serve, tmp_path / "one") as one,
        running(serve, tmp_path / "two") as two,
        one.client(token) as centre,
    ):
        browser.navigate(two.url + "/hub")
        settle(browser, "document.querySelector('input[name=\"password\"]') !== null")
        browser.evaluate(
            f"""(() => {{
                document.querySelector('input[name="username"]').value = 'lan';
                document.querySelector('input[name="password"]').value = {PASSWORD!r};
                document.querySelector('form[action="/hub/sign-in"] button').click();
            }})()"""
        )
        settle(browser, f"{waiting} !== null")
        settle(browser, "document.getElementById('live-state').textContent.includes('●')")
        assert browser.evaluate(f"{waiting}.textContent") == "0"
        assert "motcua_hub" not in browser.evaluate("document.cookie")  # HttpOnly
        assert browser.evaluate("typeof window.Chart") == "function"

        log = CentreLog()
        log.issue(1, "TP", datetime.now(UTC) - timedelta(minutes=2))
        log.issue(2, "TP", datetime.now(UTC) - timedelta(minutes=1))
        assert centre.post("/api/hub/events", json=log.shipment(0)).status_code == 200
        settle(browser, f"{waiting}.textContent === '2'")
        assert (
            browser.evaluate(
                'document.querySelector(\'tr[data-code="XA-AN"] [data-field="issued_today"]\')'
                ".textContent"
            )
            == "2"
        )
