"""Regenerate the display boards' screenshots in docs/img/.

    .venv/bin/python scripts/screenshots_display.py
    .venv/bin/python scripts/screenshots_display.py --size 1366x768 --size 1920x1080

A real server (the bundled sample centre, at 09:00 on a Monday) with a morning's
traffic; then the Qt board (offscreen, `widget.grab()`) in landscape and
portrait, and the web display in headless Chromium (`Page.captureScreenshot`).

With `--size WxH` (repeatable) it draws instead the Qt board at that screen size with
the longest names and nine busy counters (`tests/helpers/long_names.py`), as
`display-W.png`: every name whole, wrapped or smaller, none cut.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from display_board.app import LOCALE_DIR  # noqa: E402
from display_board.window import BoardWindow  # noqa: E402
from queue_client import QueueClient  # noqa: E402
from queue_client.i18n import Translator  # noqa: E402
from queue_client.qt import EventBridge, install_fonts  # noqa: E402
from queue_core.clock import FrozenClock  # noqa: E402
from queue_server.auth import Role, add_user, issue_user_token  # noqa: E402
from queue_server.database import open_store  # noqa: E402
from tests.helpers.chromium import Chromium, find_chromium  # noqa: E402
from tests.helpers.live_server import LiveServer  # noqa: E402
from tests.helpers.long_names import CODES, COUNTERS, site_text  # noqa: E402
from tests.server.conftest import FAST_HASHER, MONDAY_9AM, prepare_data_dir  # noqa: E402

OUT = ROOT / "docs" / "img"
TICKER = (
    "Công dân vui lòng giữ phiếu số thứ tự và chờ đến lượt được gọi. "
    "Người cao tuổi, người khuyết tật, phụ nữ mang thai được ưu tiên. "
    "Xin đánh giá mức độ hài lòng sau khi được phục vụ."
)
ISSUED = {"TP": 9, "DD": 7, "LD": 4, "XD": 3, "KD": 4, "VH": 2, "TN": 3, "NN": 1, "CA": 5, "KQ": 6}
# (counter, clerk) in the order they call; the last call is the spotlight's.
CALLS = [(1, "c1"), (2, "c2"), (6, "c6"), (8, "c8"), (4, "c4"), (7, "c7"), (1, "c1"), (3, "c3")]


def spin(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def prepare(data_dir: Path, clock: FrozenClock) -> dict[str, str]:
    site = resources.files("queue_server").joinpath("sample_site.toml").read_text("utf-8")
    site += f'\n[display]\nticker = "{TICKER}"\n'
    tokens = prepare_data_dir(data_dir, site, now=clock.now())
    store = open_store(data_dir)
    with store.transaction():
        for n in range(1, 9):
            name = f"c{n}"
            add_user(store, name, "mat-khau", Role.CLERK, f"Cán bộ {n}", clock.now(), FAST_HASHER)
            tokens[name], _ = issue_user_token(store, name, clock.now(), 3600)
    store.close()
    return tokens


def traffic(url: str, tokens: dict[str, str]) -> None:
    with QueueClient(url, tokens["kiosk"]) as kiosk:
        for _ in range(max(ISSUED.values())):
            for code, count in ISSUED.items():
                if count:
                    kiosk.issue(code)
            ISSUED.update({code: count - 1 for code, count in ISSUED.items() if count})
    for counter in range(1, 9):
        with QueueClient(url, tokens[f"c{counter}"]) as clerk:
            clerk.open_counter(counter)
    for counter, who in CALLS:
        with QueueClient(url, tokens[who]) as clerk:
            clerk.call_next(counter)
    with QueueClient(url, tokens["c5"]) as clerk:
        clerk.pause(5, "Họp giao ban")


def qt_board(url: str, token: str, clock: FrozenClock) -> None:
    app = QApplication.instance() or QApplication([])
    assert app is not None
    client = QueueClient(url, token)
    window = BoardWindow(
        Translator(LOCALE_DIR, "display_board"),
        services=client.services,
        clock=clock,
        font_family=install_fonts(),
    )
    bridge = EventBridge(url, token)
    window.follow(bridge)
    window.resize(1920, 1080)
    window.show()
    bridge.start()
    deadline = time.monotonic() + 10
    while window.banner_text() is not None and time.monotonic() < deadline:
        spin(0.05)
    window.spotlight.spotlight(60)  # the latest call, as it looks once its blinking is over
    spin(3.5)
    window.grab().save(str(OUT / "display.png"))
    window.resize(1080, 1920)
    spin(0.3)
    window.grab().save(str(OUT / "display-portrait.png"))
    bridge.stop()
    client.close()


def web_board(url: str, token: str) -> None:
    if find_chromium() is None:
        print("chromium is not installed: no web screenshot")
        return
    with Chromium() as browser:
        browser.navigate(f"{url}/display?token={token}&sound=0")
        browser.wait_for("window.motcua && window.motcua.link === 'online'")
        browser.evaluate("document.fonts.ready.then(() => true)")
        time.sleep(0.5)
        browser.screenshot(OUT / "display-web.png")


def long_names_board(sizes: list[tuple[int, int]]) -> None:
    """The Qt board at each screen size, nine counters busy, one paused."""
    app = QApplication.instance() or QApplication([])
    assert app is not None
    clock = FrozenClock(MONDAY_9AM)
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = Path(scratch) / "data"
        tokens = prepare_data_dir(data_dir, site_text(), now=clock.now())
        server = LiveServer(data_dir, clock=clock)
        server.start()
        try:
            with (
                QueueClient(server.url, tokens["kiosk"]) as kiosk,
                QueueClient(server.url, tokens["sup"]) as sup,
            ):
                for code in (*CODES, *CODES, *CODES):
                    kiosk.issue(code)
                for number, _name, _codes in COUNTERS:
                    sup.call_next(number)
                sup.pause(4, "Họp giao ban")
            for width, height in sizes:
                client = QueueClient(server.url, tokens["display"])
                window = BoardWindow(
                    Translator(LOCALE_DIR, "display_board"),
                    services=client.services,
                    clock=clock,
                    font_family=install_fonts(),
                )
                bridge = EventBridge(server.url, tokens["display"])
                window.follow(bridge)
                window.resize(width, height)
                window.show()
                bridge.start()
                deadline = time.monotonic() + 10
                while window.banner_text() is not None and time.monotonic() < deadline:
                    spin(0.05)
                window.spotlight.spotlight(60)
                spin(3.5)
                path = OUT / f"display-{width}.png"
                window.grab().save(str(path))
                print(path)
                bridge.stop()
                window.close()
                client.close()
        finally:
            server.stop()


def screen_size(text: str) -> tuple[int, int]:
    width, _, height = text.partition("x")
    return int(width), int(height)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=screen_size, action="append", metavar="WxH")
    sizes = parser.parse_args().size
    OUT.mkdir(parents=True, exist_ok=True)
    if sizes:
        long_names_board(sizes)
        return
    clock = FrozenClock(MONDAY_9AM)
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = Path(scratch) / "data"
        tokens = prepare(data_dir, clock)
        server = LiveServer(data_dir, clock=clock)
        server.start()
        try:
            traffic(server.url, tokens)
            qt_board(server.url, tokens["display"], clock)
            web_board(server.url, tokens["display"])
        finally:
            server.stop()
    for name in ("display.png", "display-portrait.png", "display-web.png"):
        print(OUT / name)


if __name__ == "__main__":
    main()
