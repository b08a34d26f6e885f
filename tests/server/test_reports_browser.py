"""The reports page in a real browser (headless Chromium over the DevTools protocol) on a
real server: a supervisor signs in with the form, sees the tables of the worked example,
and the three charts are drawn by the vendored Chart.js under the page's policy."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from queue_core.clock import FrozenClock
from tests.core.report_example import DAY1, at
from tests.helpers.chromium import Chromium, find_chromium
from tests.helpers.live_server import LiveServer
from tests.server.conftest import PASSWORDS, Hall, prepare_data_dir
from tests.server.test_reports_http import SITE, Day, play

PAGE = "/reports?from=2026-11-01&to=2026-11-30"
WAIT_S = 30.0  # a shared 2-core machine running the whole suite is slow, not broken
CHARTS = ("chart-wait-by-hour", "chart-tickets-by-day", "chart-satisfaction-by-counter")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    start = at(DAY1, "07:30")
    assert start is not None
    clock = FrozenClock(start)
    data_dir = tmp_path_factory.mktemp("browser") / "data"
    tokens = prepare_data_dir(data_dir, SITE, now=clock.now())
    live = LiveServer(data_dir, clock)
    live.start()
    try:
        with httpx.Client(base_url=live.url) as client:
            hall = Hall(client, data_dir, clock)  # type: ignore[arg-type]
            hall.tokens.update(tokens)
            play(Day(hall, clock))
        yield live
    finally:
        live.stop()


@pytest.fixture
def browser() -> Iterator[Chromium]:
    if find_chromium() is None:
        pytest.skip("chromium is not installed (scripts/system-deps installs it)")
    with Chromium(width=1280, height=900) as chromium:
        yield chromium


def sign_in(browser: Chromium, url: str, username: str) -> None:
    browser.navigate(url)
    settle(
        browser,
        "document.readyState === 'complete'"
        " && document.querySelector('input[name=\"password\"]') !== null",
    )
    browser.evaluate(
        f"""(() => {{
            document.querySelector('input[name="username"]').value = {username!r};
            document.querySelector('input[name="password"]').value = {PASSWORDS[username]!r};
            document.querySelector('form[action="/sign-in"] button').click();
        }})()"""
    )


def settle(browser: Chromium, expression: str) -> None:
    """Wait until `expression` holds on the page the sign-in led to."""
    browser.settle(f"!!(document.body && {expression})", WAIT_S)


def drawn_pixels(browser: Chromium, canvas: str) -> int:
    return int(
        browser.evaluate(
            f"""(() => {{
                const c = document.getElementById({canvas!r});
                const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let n = 0;
                for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) n++;
                return n;
            }})()"""
        )
    )


def test_a_supervisor_signs_in_and_sees_the_tables_and_the_charts(
    server: LiveServer, browser: Chromium
) -> None:
    sign_in(browser, server.url + PAGE, "sup")
    settle(browser, "document.body.innerText.includes('Đánh giá cán bộ, công chức')")
    assert browser.evaluate("location.pathname") == "/reports"
    text = browser.evaluate("document.body.innerText")
    for words in ("Tư pháp – Hộ tịch", "Trần Văn Hùng", "Mức độ hài lòng của người dân"):
        assert words in text
    # The session cookie is the browser's alone: no script on the page can read it.
    assert "motcua_session" not in browser.evaluate("document.cookie")
    settle(browser, "document.body.dataset.charts === '3'")
    for canvas in CHARTS:
        assert drawn_pixels(browser, canvas) > 500, canvas


def test_a_clerk_is_refused_in_the_browser_too(server: LiveServer, browser: Chromium) -> None:
    sign_in(browser, server.url + PAGE, "lan")
    settle(browser, "document.body.innerText.includes('không có quyền xem báo cáo')")
    assert browser.evaluate("document.getElementById('chart-wait-by-hour')") is None
