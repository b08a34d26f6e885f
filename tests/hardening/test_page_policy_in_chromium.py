"""The pages' Content-Security-Policy blocks nothing they need, in a real Chromium: the
board connects, shows a call and plays it; the follow page renders with its font."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from queue_client import QueueClient
from queue_core.protocol import FOLLOW_CODE_HEADER
from tests.display.conftest import server, tokens
from tests.helpers.chromium import Chromium, find_chromium
from tests.helpers.live_server import LiveServer

__all__ = ["server", "tokens"]  # the display tests' fixtures

pytestmark = pytest.mark.slow

# Recorded from the first script of every document: what the policy refused.
WATCH = (
    "window.refused = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.refused.push(e.violatedDirective + ' ' + e.blockedURI));"
)


@pytest.fixture
def browser() -> Iterator[Chromium]:
    if find_chromium() is None:
        pytest.skip("chromium is not installed (scripts/system-deps installs it)")
    with Chromium(extra_flags=("--autoplay-policy=no-user-gesture-required",)) as chromium:
        chromium.call("Page.addScriptToEvaluateOnNewDocument", source=WATCH)
        yield chromium


def test_the_board_works_under_its_policy(
    browser: Chromium, server: LiveServer, tokens: dict[str, str]
) -> None:
    browser.navigate(f"{server.url}/display?token={tokens['display']}")
    browser.wait_for("window.motcua && window.motcua.link === 'online'")
    browser.evaluate("window.motcua.player.defaultPlaybackRate = 8")
    with QueueClient(server.url, tokens["kiosk"]) as kiosk:
        kiosk.issue("TP")
    with QueueClient(server.url, tokens["lan"]) as clerk:
        clerk.open_counter(1)
        called = clerk.call_next(1)
    assert called is not None
    browser.wait_for("window.motcua.played.length === 3 && window.motcua.played[2].ended", 20)
    assert browser.evaluate("document.fonts.check('800 40px \"Be Vietnam Pro\"')") is True
    assert browser.evaluate("window.refused") == []
    # The watch does see a refusal: an inline script the page did not bring.
    browser.evaluate(
        "var s = document.createElement('script'); s.textContent = 'window.injected = 1';"
        " document.body.appendChild(s)"
    )
    assert browser.wait_for("window.refused.length") == 1
    assert browser.evaluate("window.injected === undefined") is True


def test_the_follow_page_works_under_its_policy(
    browser: Chromium, server: LiveServer, tokens: dict[str, str]
) -> None:
    import httpx

    issued = httpx.post(
        f"{server.url}/api/tickets",
        json={"service": "TP"},
        headers={"Authorization": f"Bearer {tokens['kiosk']}"},
    )
    browser.navigate(f"{server.url}/t/{issued.headers[FOLLOW_CODE_HEADER]}")
    browser.wait_for("document.readyState === 'complete'")
    browser.evaluate("document.fonts.ready.then(() => true)")
    family = browser.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Be Vietnam Pro" in family
    assert browser.evaluate("window.refused") == []
