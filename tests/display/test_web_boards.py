"""The web board by name (`/display?board=NAME`), in Chromium against a real server: it
shows only its own counters' calls, follows `motcua site apply` live, and says so when the
site file has no board of its name (issue #13)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from queue_client import QueueClient
from tests.helpers.chromium import Chromium, find_chromium
from tests.helpers.live_server import LiveServer
from tests.helpers.server_process import motcua
from tests.server.conftest import SITE, prepare_data_dir

pytestmark = pytest.mark.slow

BOARDS = '\n[[boards]]\nname = "Sảnh A"\ncounters = [3]\n'
SHOWN = {
    "counters": "Array.from(document.querySelectorAll('#counters .counter'))"
    ".map(e => e.dataset.counter)",
    "waiting": "Array.from(document.querySelectorAll('#waiting .service'))"
    ".map(e => e.dataset.service)",
    "history": "Array.from(document.querySelectorAll('#history .call-number'))"
    ".map(e => e.textContent)",
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    if find_chromium() is None:
        pytest.skip("chromium is not installed (scripts/system-deps installs it)")
    with Chromium() as chromium:
        yield chromium


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir, site_text=SITE + BOARDS)
    server = LiveServer(data_dir)
    server.start()
    yield server, tokens
    server.stop()


def apply(server: LiveServer, tmp_path: Path, text: str) -> None:
    site_file = tmp_path / "edited.toml"
    site_file.write_text(text, encoding="utf-8")
    result = motcua("site", "apply", str(site_file), "--data-dir", str(server.data_dir))
    assert result.returncode == 0, result.stderr


def test_a_named_web_board_shows_its_own_and_follows_the_site_file(
    browser: Chromium, hall: tuple[LiveServer, dict[str, str]], tmp_path: Path
) -> None:
    server, tokens = hall
    with QueueClient(server.url, tokens["kiosk"]) as kiosk:
        tp, dd = kiosk.issue("TP").number, kiosk.issue("DD").number
    name = quote("Sảnh A")
    browser.navigate(f"{server.url}/display?token={tokens['display']}&board={name}&sound=0")
    browser.wait_for("window.motcua && window.motcua.link === 'online'")
    assert browser.evaluate(SHOWN["counters"]) == ["3"]
    assert browser.evaluate(SHOWN["waiting"]) == ["DD"]
    with QueueClient(server.url, tokens["lan"]) as clerk:
        clerk.open_counter(1)
        clerk.call_next(1)
    with QueueClient(server.url, tokens["hung"]) as clerk:
        clerk.open_counter(3)
        clerk.call_next(3)
    calls = browser.wait_for("window.motcua.calls.length && window.motcua.calls")
    assert [c["number"] for c in calls] == [dd]
    assert browser.evaluate(SHOWN["history"]) == [dd]

    # The site file gives the board counter 1 instead: it redraws with no reload, its
    # recent calls now counter 1's.
    browser.evaluate("window.motcua.loadedOnce = true")
    apply(server, tmp_path, SITE + BOARDS.replace("[3]", "[1]"))
    browser.wait_for(f"JSON.stringify({SHOWN['counters']}) === '[\"1\"]'", 10)
    assert browser.evaluate(SHOWN["waiting"]) == ["TP"]
    assert browser.evaluate(SHOWN["history"]) == [tp]
    assert browser.evaluate("document.getElementById('offline').hidden") is True

    # The entry removed: the whole hall, and a banner saying why.
    apply(server, tmp_path, SITE)
    browser.wait_for("!document.getElementById('offline').hidden", 10)
    banner = browser.evaluate("document.getElementById('offline').textContent")
    assert banner.startswith("Tệp cấu hình không có màn hình tên “Sảnh A”")
    assert "The site file has no board named “Sảnh A”" in banner
    assert browser.evaluate(SHOWN["counters"]) == ["1", "2", "3"]
    assert browser.evaluate(SHOWN["history"]) == [dd, tp]
    assert browser.evaluate("window.motcua.loadedOnce") is True
    assert browser.evaluate("document.body.classList.contains('stale')") is False
