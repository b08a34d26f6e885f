#!/usr/bin/env python3
"""Regenerate docs/img/kiosk*.png: every screen of the ticket kiosk and the rating tablet,
drawn offscreen against a real server (the bundled sample centre at 09:40 on a Monday)
and the virtual printer.

    .venv/bin/python scripts/screenshots_kiosk.py [--out docs/img]
    .venv/bin/python scripts/screenshots_kiosk.py --size 1366x768 --size 1920x1080

With `--size WxH` (repeatable) the kiosk and the rating tablet take that screen's size and
the centre has nine long-named services (`tests/helpers/long_names.py`); each screen is
saved as `kiosk-NAME-W.png`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication, QWidget

from kiosk.app import KioskWindow
from kiosk.tablet import RatingTablet
from kiosk.texts import translator
from printer_drivers import EscposPrinter, PrinterStatus
from printer_drivers.emulator import TcpEmulator, VirtualPrinter
from queue_client import QueueClient
from queue_core.clock import FrozenClock
from tests.helpers.live_server import LiveServer
from tests.helpers.long_names import CODES, site_text
from tests.server.conftest import prepare_data_dir

# 09:40 on Monday 23/11/2026 in Hồ Chí Minh City.
MORNING = datetime(2026, 11, 23, 2, 40, tzinfo=UTC)
LANDSCAPE = (1920, 1080)
PORTRAIT = (1080, 1920)
TABLET = (1280, 800)


def sample_site() -> str:
    """The bundled sample, with results handed out in the afternoon only and a small cap
    on agriculture, so the home screen shows both reasons a service can be closed."""
    text = (resources.files("queue_server") / "sample_site.toml").read_text("utf-8")
    text = text.replace(
        'prefix = "A"\ndigits = 3\naverage_service_minutes = 3\n',
        'prefix = "A"\ndigits = 3\naverage_service_minutes = 3\n'
        '[services.hours]\ndefault = ["13:30-17:00"]\n',
    )
    return text.replace('prefix = "8"\ndigits = 3\n', 'prefix = "8"\ndigits = 3\ndaily_cap = 2\n')


def wait_until(app: QApplication, condition: Callable[[], bool], timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the kiosk did not get there")
        app.processEvents()
        time.sleep(0.01)


def settle(app: QApplication, seconds: float = 0.4) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def save(app: QApplication, widget: QWidget, out: Path, name: str) -> None:
    settle(app)
    path = out / name
    widget.grab().save(str(path))
    print(path)


def morning(server: LiveServer, tokens: dict[str, str]) -> None:
    """Citizens since 07:30; Lan serves at counter 1, Hùng at counter 3."""
    kiosk = QueueClient(server.url, tokens["kiosk"])
    lan = QueueClient(server.url, tokens["lan"])
    hung = QueueClient(server.url, tokens["hung"])
    with kiosk, lan, hung:
        plan = ["TP", "DD", "DD", "TP", "LD", "DD", "XD", "TP", "DD", "CA", "NN", "NN", "KD"]
        plan += ["DD", "TP", "DD", "TN", "DD", "TP", "CA", "VH", "DD"]
        for index, service in enumerate(plan):
            kiosk.issue(service, priority=index == 5)
        for _ in range(3):
            lan.call_next(1)
            hung.call_next(3)


def sized(app: QApplication, out: Path, width: int, height: int) -> None:
    """The kiosk's screens and the tablet's at `width`×`height`, with long names."""
    suffix = f"-{width}.png"
    with tempfile.TemporaryDirectory() as tmp:
        clock = FrozenClock(MORNING)
        data_dir = Path(tmp) / "data"
        tokens = prepare_data_dir(data_dir, site_text=site_text(), now=clock.now())
        server = LiveServer(data_dir, clock)
        server.start()
        paper = VirtualPrinter(out_dir=None)
        endpoint = TcpEmulator(paper)
        printer = EscposPrinter(endpoint.url)
        client = QueueClient(server.url, tokens["kiosk"])
        window = KioskWindow(client, translator("vi"), printer=printer, admin_pin="2468")
        try:
            with QueueClient(server.url, tokens["kiosk"]) as kiosk:
                for code in (*CODES, *CODES[:5]):
                    kiosk.issue(code)
            window.may_close = True
            window.resize(width, height)
            window.start()
            window.show()
            wait_until(app, lambda: window.link == "online" and len(window.home.buttons) == 9)
            wait_until(app, lambda: window.monitor.status is PrinterStatus.OK)
            save(app, window, out, "kiosk-home" + suffix)
            window.toggle_contrast()
            save(app, window, out, "kiosk-large-text" + suffix)
            window.toggle_contrast()
            window.home.priority_button.click()
            save(app, window, out, "kiosk-priority" + suffix)
            window.priority.groups["elderly"].click()
            save(app, window, out, "kiosk-priority-services" + suffix)
            window.go_home()
            window.home.buttons["NN"].click()
            wait_until(app, lambda: window.result.printed is True)
            save(app, window, out, "kiosk-result" + suffix)
            window.go_home()
            window.home.rating_button.click()
            for key in "8001":
                window.lookup.keypad.keys[key].click()
            save(app, window, out, "kiosk-rate-number" + suffix)
            window.go_home()
            window.open_admin()
            for key in "24":
                window.pin_screen.keypad.keys[key].click()
            save(app, window, out, "kiosk-pin" + suffix)
            for key in "68":
                window.pin_screen.keypad.keys[key].click()
            window.pin_screen.ok_button.click()
            wait_until(app, lambda: window.stack.currentWidget() is window.admin_menu)
            save(app, window, out, "kiosk-admin" + suffix)
            window.go_home()
            window.close()
            sized_tablet(app, server, tokens, out, width, height)
        finally:
            window.shutdown()
            client.close()
            printer.close()
            endpoint.close()
            server.stop()


def sized_tablet(
    app: QApplication, server: LiveServer, tokens: dict[str, str], out: Path, w: int, h: int
) -> None:
    """The tablet on counter 8, the longest name, where Trần Văn Hùng serves."""
    suffix = f"-{w}.png"
    with (
        QueueClient(server.url, tokens["rating"]) as client,
        QueueClient(server.url, tokens["hung"]) as sup,
    ):
        sup.open_counter(8)
        called = sup.call_next(8)
        assert called is not None
        tablet = RatingTablet(client, 8, translator("vi"), admin_pin="2468")
        try:
            tablet.may_close = True
            tablet.resize(w, h)
            tablet.start()
            tablet.show()
            wait_until(app, lambda: bool(tablet.page.name.text()))
            save(app, tablet, out, "kiosk-tablet" + suffix)
            sup.complete(called.id)
            wait_until(app, lambda: tablet.stack.currentWidget() is tablet.rating)
            save(app, tablet, out, "kiosk-rating" + suffix)
            tablet.rating.question.levels[1].click()
            save(app, tablet, out, "kiosk-rating-reasons" + suffix)
            tablet.rating.reasons_page.reasons[0].click()
            tablet.rating.reasons_page.send_button.click()
            wait_until(app, lambda: "Cảm ơn" in tablet.rating.message.title.text())
            save(app, tablet, out, "kiosk-rating-thanks" + suffix)
            tablet.close()
        finally:
            tablet.shutdown()


def screen_size(text: str) -> tuple[int, int]:
    width, _, height = text.partition("x")
    return int(width), int(height)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/img"))
    parser.add_argument("--size", type=screen_size, action="append", metavar="WxH")
    args = parser.parse_args()
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    if args.size:
        for width, height in args.size:
            sized(app, out, width, height)
        return
    with tempfile.TemporaryDirectory() as tmp:
        clock = FrozenClock(MORNING)
        data_dir = Path(tmp) / "data"
        tokens = prepare_data_dir(data_dir, site_text=sample_site(), now=clock.now())
        server = LiveServer(data_dir, clock)
        server.start()
        paper = VirtualPrinter(out_dir=None)
        endpoint = TcpEmulator(paper)
        printer = EscposPrinter(endpoint.url)
        client = QueueClient(server.url, tokens["kiosk"])
        window = KioskWindow(client, translator("vi"), printer=printer, admin_pin="2468")
        try:
            morning(server, tokens)
            window.may_close = True
            window.resize(*LANDSCAPE)
            window.start()
            window.show()
            wait_until(app, lambda: window.link == "online" and len(window.home.buttons) == 10)
            wait_until(app, lambda: window.monitor.status is PrinterStatus.OK)
            save(app, window, out, "kiosk-home.png")

            window.resize(*PORTRAIT)
            save(app, window, out, "kiosk-home-portrait.png")
            window.resize(*LANDSCAPE)

            window.toggle_contrast()
            save(app, window, out, "kiosk-large-text.png")
            window.toggle_contrast()
            window.toggle_language()
            save(app, window, out, "kiosk-home-en.png")
            window.toggle_language()

            window.home.priority_button.click()
            save(app, window, out, "kiosk-priority.png")
            window.priority.groups["elderly"].click()
            save(app, window, out, "kiosk-priority-services.png")

            window.home.buttons["TP"].click()
            wait_until(app, lambda: window.result.printed is True)
            save(app, window, out, "kiosk-result.png")
            window.go_home()

            paper.play(PrinterStatus.PAPER_OUT)
            window.home.buttons["DD"].click()
            wait_until(app, lambda: window.stack.currentWidget() is window.on_screen)
            save(app, window, out, "kiosk-on-screen.png")
            window.go_home()
            save(app, window, out, "kiosk-home-paper-out.png")
            paper.play(PrinterStatus.OK)
            window.monitor.check()
            wait_until(app, lambda: window.monitor.status is PrinterStatus.OK)

            window.take_number("NN")  # full since the home screen was drawn
            wait_until(app, lambda: window.message.title.text() == "Chưa lấy được số")
            save(app, window, out, "kiosk-message.png")
            window.go_home()

            server.stop()
            wait_until(app, lambda: window.link == "offline")
            save(app, window, out, "kiosk-offline.png")
            server.start()
            wait_until(app, lambda: window.link == "online")

            window.home.rating_button.click()
            for key in "1001":
                window.lookup.keypad.keys[key].click()
            save(app, window, out, "kiosk-rate-number.png")
            window.go_home()

            window.open_admin()
            for key in "24":
                window.pin_screen.keypad.keys[key].click()
            save(app, window, out, "kiosk-pin.png")
            window.go_home()
            window.close()
            tablet_screens(app, server, tokens, out)
        finally:
            window.shutdown()
            client.close()
            printer.close()
            endpoint.close()
            server.stop()


def tablet_screens(
    app: QApplication, server: LiveServer, tokens: dict[str, str], out: Path
) -> None:
    """The tablet on counter 1, where Nguyễn Thị Lan serves."""
    with QueueClient(server.url, tokens["rating"]) as client:
        tablet = RatingTablet(client, 1, translator("vi"), admin_pin="2468")
        try:
            tablet.may_close = True
            tablet.resize(*TABLET)
            tablet.start()
            tablet.show()
            wait_until(app, lambda: "Nguyễn Thị Lan" in tablet.page.clerk.text())
            save(app, tablet, out, "kiosk-tablet.png")

            with QueueClient(server.url, tokens["lan"]) as lan:
                counter = lan.counter(1)
                assert counter.current_ticket is not None
                lan.complete(counter.current_ticket.id)
            wait_until(app, lambda: tablet.stack.currentWidget() is tablet.rating)
            save(app, tablet, out, "kiosk-rating.png")
            tablet.rating.question.levels[1].click()
            save(app, tablet, out, "kiosk-rating-reasons.png")
            tablet.rating.reasons_page.reasons[1].click()
            tablet.rating.reasons_page.send_button.click()
            wait_until(app, lambda: "Cảm ơn" in tablet.rating.message.title.text())
            save(app, tablet, out, "kiosk-rating-thanks.png")
            tablet.close()
        finally:
            tablet.shutdown()


if __name__ == "__main__":
    main()
