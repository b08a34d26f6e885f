"""The web display at /display: the page and its files, then the real page in Chromium."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from motcua.cli import main
from queue_client import QueueClient
from tests.display.conftest import App
from tests.helpers.chromium import Chromium, find_chromium
from tests.helpers.live_server import LiveServer

AUTOPLAY = "--autoplay-policy=no-user-gesture-required"
# What a browser does by default: sound only after a touch or a key on this page.
NO_AUTOPLAY = "--autoplay-policy=document-user-activation-required"


def test_the_page_needs_a_display_token_in_its_address(app: App) -> None:
    page = app.client.get("/display", params={"token": app.tokens["display"]})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<script src="/display/display.js">' in page.text
    assert "Mời công dân có số" in page.text
    assert app.client.get("/display", params={"token": app.tokens["sup"]}).status_code == 200
    assert app.client.get("/display").status_code == 401
    assert app.client.get("/display", params={"token": "nope"}).status_code == 401
    assert app.client.get("/display", params={"token": app.tokens["kiosk"]}).status_code == 403


@pytest.mark.parametrize(
    ("who", "status", "title"),
    [
        (None, 401, "Thiếu mã thiết bị trong địa chỉ"),
        ("nope", 401, "Mã thiết bị không hợp lệ, đã hết hạn hoặc đã bị thu hồi"),
        ("kiosk", 403, "Mã này không dành cho màn hình gọi số"),
    ],
)
def test_without_a_good_token_the_page_says_why_in_vietnamese_then_english(
    app: App, who: str | None, status: int, title: str
) -> None:
    params = {} if who is None else {"token": app.tokens.get(who, who)}
    page = app.client.get("/display", params=params)
    assert page.status_code == status
    assert page.headers["content-type"].startswith("text/html")
    assert "detail" not in page.text
    assert f"<h1>{title}</h1>" in page.text
    assert page.text.index("<h1>") < page.text.index('<h2 lang="en">')
    assert "/display/display.js" not in page.text  # a message, not a board that never fills


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/display/display.js", "text/javascript"),
        ("/display/display.css", "text/css"),
        ("/display/fonts/BeVietnamPro-ExtraBold.ttf", "font/ttf"),
    ],
)
def test_the_pages_files_are_public(app: App, path: str, kind: str) -> None:
    response = app.client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(kind)


@pytest.mark.parametrize(
    "path",
    ["/display/index.html", "/display/..%2Fvoice.py", "/display/fonts/x.ttf", "/display/a/b"],
)
def test_nothing_else_is_served(app: App, path: str) -> None:
    assert app.client.get(path).status_code == 404


# --- the real page in a real browser --------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    if find_chromium() is None:
        pytest.skip("chromium is not installed (scripts/system-deps installs it)")
    with Chromium(extra_flags=(AUTOPLAY,)) as chromium:
        yield chromium


def open_board(browser: Chromium, server: LiveServer, token: str) -> None:
    browser.navigate(f"{server.url}/display?token={token}")
    browser.wait_for("window.motcua && window.motcua.link === 'online'")


def text_of(browser: Chromium, element_id: str) -> str:
    value: str = browser.evaluate(f"document.getElementById('{element_id}').textContent")
    return value


def test_a_call_appears_within_a_second_and_is_announced_in_turn(
    browser: Chromium, server: LiveServer, tokens: dict[str, str]
) -> None:
    with QueueClient(server.url, tokens["kiosk"]) as kiosk:
        issued = [kiosk.issue("TP").number for _ in range(2)]
    open_board(browser, server, tokens["display"])
    browser.evaluate("window.motcua.loadedOnce = true")
    # Play fast: the queue's order matters here, not 11 s of voice per call.
    browser.evaluate("window.motcua.player.defaultPlaybackRate = 8")
    with QueueClient(server.url, tokens["lan"]) as clerk:
        clerk.open_counter(1)
        started = time.monotonic()
        called = clerk.call_next(1)
        assert called is not None
        browser.wait_for(
            f"document.getElementById('spot-number').textContent === '{called.number}'", 5
        )
        latency_s = time.monotonic() - started
        clerk.recall(1)
    print(f"call → web page: {latency_s * 1000:.0f} ms")
    assert latency_s < 1.0
    assert browser.evaluate("window.motcua.loadedOnce") is True  # no reload
    assert text_of(browser, "spot-counter") == "→ Quầy 1"
    assert "Quầy 1" in browser.evaluate(
        "document.querySelector('#counters [data-counter=\"1\"]').textContent"
    )
    assert called.number in text_of(browser, "counters")
    assert text_of(browser, "history").startswith(called.number)
    browser.wait_for(
        "document.querySelector('#waiting [data-service=\"TP\"] .waiting-count')"
        ".textContent === '1'"
    )
    # The call and its recall, each: chime, sentence, sentence; one after another.
    played = browser.wait_for(
        "window.motcua.played.length === 6 && window.motcua.played[5].ended"
        " && window.motcua.played",
        20,
    )
    what = f"{issued[0]}@1"
    assert [p["what"] for p in played] == ["chime", what, what] * 2
    for before, after in itertools.pairwise(played):
        assert before["ended"] <= after["started"]


def test_the_banner_shows_while_the_server_is_down(
    browser: Chromium, server: LiveServer, tokens: dict[str, str]
) -> None:
    open_board(browser, server, tokens["display"])
    assert browser.evaluate("document.getElementById('offline').hidden") is True
    server.stop()
    browser.wait_for("!document.getElementById('offline').hidden")
    assert "Mất kết nối" in text_of(browser, "offline")
    assert browser.evaluate("document.body.classList.contains('stale')") is True
    server.start()
    with QueueClient(server.url, tokens["kiosk"]) as kiosk:
        kiosk.issue("DD")
    browser.wait_for("window.motcua.link === 'online'", 20)
    assert browser.evaluate("document.getElementById('offline').hidden") is True
    browser.wait_for(
        "document.querySelector('#waiting [data-service=\"DD\"] .waiting-count')"
        ".textContent === '1'"
    )


def test_a_zone_board_shows_and_says_only_its_counters(
    browser: Chromium, server: LiveServer, tokens: dict[str, str]
) -> None:
    with QueueClient(server.url, tokens["kiosk"]) as kiosk:
        kiosk.issue("TP")
        kiosk.issue("DD")
    browser.navigate(f"{server.url}/display?token={tokens['display']}&counters=3&sound=0")
    browser.wait_for("window.motcua && window.motcua.link === 'online'")
    assert browser.evaluate(
        "Array.from(document.querySelectorAll('#counters .counter')).map(e => e.dataset.counter)"
    ) == ["3"]
    assert browser.evaluate(
        "Array.from(document.querySelectorAll('#waiting .service')).map(e => e.dataset.service)"
    ) == ["DD"]
    assert browser.evaluate("document.getElementById('sound').hidden") is True
    with QueueClient(server.url, tokens["lan"]) as clerk:
        clerk.open_counter(1)
        clerk.call_next(1)
    with QueueClient(server.url, tokens["hung"]) as clerk:
        clerk.open_counter(3)
        zone_call = clerk.call_next(3)
    assert zone_call is not None
    calls = browser.wait_for("window.motcua.calls.length && window.motcua.calls")
    assert [c["number"] for c in calls] == [zone_call.number]


# --- sound after a reload, and where the browser will not play it ----------------------------


def test_after_a_reload_the_voice_starts_with_no_click(
    browser: Chromium, server: LiveServer, tokens: dict[str, str]
) -> None:
    with QueueClient(server.url, tokens["kiosk"]) as kiosk:
        issued = kiosk.issue("TP").number
    open_board(browser, server, tokens["display"])
    browser.call("Page.reload")  # a TV's power cut: the page loads again, nobody near it
    browser.wait_for("window.motcua && window.motcua.link === 'online'")
    browser.wait_for("window.motcua.sound !== 'probing'")
    assert browser.evaluate("window.motcua.sound") == "on"
    assert browser.evaluate("document.getElementById('sound').hidden") is True
    browser.evaluate("window.motcua.player.defaultPlaybackRate = 8")
    with QueueClient(server.url, tokens["lan"]) as clerk:
        clerk.open_counter(1)
        clerk.call_next(1)
    played = browser.wait_for(
        "window.motcua.played.length >= 2 && window.motcua.played[1].ended && window.motcua.played",
        20,
    )
    assert [p["what"] for p in played[:2]] == ["chime", f"{issued}@1"]


DATA = (".header", ".spotlight", ".history", ".counters-panel", ".waiting", ".ticker")


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1366, 768), (1080, 1920)])
def test_where_sound_is_refused_the_prompt_is_a_bar_that_covers_no_data(
    server: LiveServer, tokens: dict[str, str], width: int, height: int
) -> None:
    if find_chromium() is None:
        pytest.skip("chromium is not installed (scripts/system-deps installs it)")
    with Chromium(width=width, height=height, extra_flags=(NO_AUTOPLAY,)) as chromium:
        open_board(chromium, server, tokens["display"])
        chromium.wait_for("window.motcua.sound === 'locked'")
        assert chromium.evaluate("document.getElementById('sound').hidden") is False
        box = "(e => { const r = e.getBoundingClientRect();"
        box += " return [r.left, r.top, r.right, r.bottom]; })"
        bar = chromium.evaluate(f"{box}(document.getElementById('sound'))")
        assert bar[3] == height  # along the bottom edge
        assert bar[3] - bar[1] <= 48  # slim
        for selector in DATA:
            left, top, right, bottom = chromium.evaluate(
                f"{box}(document.querySelector('{selector}'))"
            )
            overlap = min(right, bar[2]) > max(left, bar[0]) and min(bottom, bar[3]) > max(
                top, bar[1]
            )
            assert not overlap, f"the sound bar covers {selector}"
            assert bottom <= bar[1]
            assert right <= width
        # A touch (or any key on the remote) turns the voice on and gives the room back.
        x, y = (bar[0] + bar[2]) / 2, (bar[1] + bar[3]) / 2
        for kind in ("mousePressed", "mouseReleased"):
            chromium.call(
                "Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1
            )
        chromium.wait_for("window.motcua.sound === 'on'")
        assert chromium.evaluate("document.getElementById('sound').hidden") is True
        board = chromium.evaluate(f"{box}(document.getElementById('board'))")
        assert board[3] == pytest.approx(height, abs=1) or board[2] == pytest.approx(width, abs=1)


def test_a_token_revoked_while_showing_turns_the_board_into_a_message(
    browser: Chromium, server: LiveServer, tokens: dict[str, str]
) -> None:
    open_board(browser, server, tokens["display"])
    revoked = CliRunner().invoke(
        main, ["device", "revoke", "display 1", "--data-dir", str(server.data_dir)]
    )
    assert revoked.exit_code == 0, revoked.output
    # An open stream is re-checked every 30 s; a restart makes the page knock again now.
    server.stop()
    server.start()
    browser.wait_for("window.motcua.link === 'rejected'", 20)
    assert browser.evaluate("document.getElementById('board').hidden") is True
    message = browser.evaluate("document.getElementById('refused').innerText")
    assert message.startswith("Mã thiết bị không hợp lệ, đã hết hạn hoặc đã bị thu hồi")
    assert "This device token is wrong, expired or revoked" in message
    # Opened again with that token, the address answers with the same words, not JSON.
    browser.navigate(f"{server.url}/display?token={tokens['display']}")
    browser.wait_for("document.readyState === 'complete' && !document.getElementById('board')")
    assert browser.evaluate("document.querySelector('h1').textContent") == (
        "Mã thiết bị không hợp lệ, đã hết hạn hoặc đã bị thu hồi"
    )
