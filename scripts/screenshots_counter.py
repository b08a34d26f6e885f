#!/usr/bin/env python3
"""Regenerate docs/img/counter*.png: the clerk's desk, drawn offscreen against a real
server that has lived through a scripted morning.

    .venv/bin/python scripts/screenshots_counter.py [--out docs/img]
    .venv/bin/python scripts/screenshots_counter.py --size 1366x768 --size 1920x1080

With `--size WxH` (repeatable) the window takes that screen's size, the centre has the
longest names and the clerk works at a counter serving nine services
(`tests/helpers/long_names.py`); every page, dialog and the compact bar is saved as
`counter-NAME-W.png`, each dialog sized as it is on that screen.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QRect, QSettings, QSize
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from counter_client.keys import Command
from counter_client.texts import translator
from counter_client.widgets import fit_on_screen
from counter_client.window import CounterWindow, bar_geometry
from queue_client import QueueClient
from queue_core.clock import FrozenClock
from tests.helpers.live_server import LiveServer
from tests.helpers.long_names import CODES, site_text
from tests.server.conftest import PASSWORDS, prepare_data_dir

SITE = """
[site]
name = "Trung tâm Phục vụ hành chính công xã Phú Xuân"
rating_scale = 3
waiting_target_minutes = 20

[[services]]
code = "TP"
name = "Tư pháp – Hộ tịch"
prefix = "1"
digits = 3

[[services]]
code = "DD"
name = "Đất đai"
prefix = "2"
digits = 3
waiting_target_minutes = 30

[[services]]
code = "LD"
name = "Lao động – Thương binh và Xã hội"
prefix = "3"
digits = 3

[[counters]]
number = 1
name = "Quầy 1"
services = ["TP", "LD"]

[[counters]]
number = 2
name = "Quầy 2"
services = ["TP", "DD"]

[[counters]]
number = 3
name = "Quầy 3"
services = ["DD"]
"""

# 07:30 on a Monday in Hồ Chí Minh City.
OPENING = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)


def wait_until(app: QApplication, condition: Callable[[], bool], timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the desk did not get there")
        app.processEvents()
        time.sleep(0.01)


def settle(app: QApplication, seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def save(widget: QWidget, out: Path, name: str) -> None:
    path = out / name
    widget.grab().save(str(path))
    print(path)


def morning(server: LiveServer, tokens: dict[str, str], clock: FrozenClock) -> None:
    """Citizens come from 07:30; Lan serves at counter 2, Hùng holds counter 3."""
    kiosk = QueueClient(server.url, tokens["kiosk"])
    lan = QueueClient(server.url, tokens["lan"])
    hung = QueueClient(server.url, tokens["hung"])
    tablet = QueueClient(server.url, tokens["rating"])
    with kiosk, lan, hung, tablet:
        for index in range(9):
            kiosk.issue("TP" if index % 3 else "DD", priority=index == 4)
            clock.advance(minutes=2)
        hung.open_counter(3)
        scores = [3, 3, 2, 3, 1, 3, 3]
        for index in range(8):
            called = lan.call_next(2)
            assert called is not None
            clock.advance(minutes=5 + index % 4, seconds=17 * index)
            if index == 5:
                lan.no_show(called.id)
            else:
                lan.complete(called.id)
                if scores:
                    tablet.rate(called.id, scores.pop(0))
        # The queue now: some over their target, one priority, a transfer waiting.
        for index, service in enumerate(("DD", "TP", "TP", "DD", "TP", "TP", "DD")):
            kiosk.issue(service, priority=index == 2)
            clock.advance(minutes=3)
        called = lan.call_next(2)
        assert called is not None
        clock.advance(seconds=40)
        lan.recall(2)
        clock.advance(minutes=2, seconds=32)


# What a taskbar leaves of the screen for a dialog.
TASKBAR_PX = 48


def long_morning(server: LiveServer, tokens: dict[str, str]) -> str:
    """Citizens of every service; Lan at counter 7 (all nine) marked one absent."""
    with (
        QueueClient(server.url, tokens["kiosk"]) as kiosk,
        QueueClient(server.url, tokens["lan"]) as lan,
        QueueClient(server.url, tokens["hung"]) as hung,
    ):
        for index, code in enumerate((*CODES, *CODES)):
            kiosk.issue(code, priority=index == 3)
        hung.open_counter(3)
        absent = lan.call_next(7)
        assert absent is not None
        lan.no_show(absent.id)
        return absent.number


def sized(app: QApplication, out: Path, width: int, height: int) -> None:
    """Every page, dialog and the bar as a screen of `width`×`height` shows them."""
    suffix = f"-{width}.png"
    screen = QRect(0, 0, width, height)
    free = QRect(0, 0, width, height - TASKBAR_PX)
    with tempfile.TemporaryDirectory() as tmp:
        clock = FrozenClock(OPENING)
        data_dir = Path(tmp) / "data"
        tokens = prepare_data_dir(data_dir, site_text=site_text(), now=clock.now())
        server = LiveServer(data_dir, clock)
        server.start()
        try:
            absent_number = long_morning(server, tokens)
            settings = QSettings(str(Path(tmp) / "counter.ini"), QSettings.Format.IniFormat)
            settings.setValue("counter/number", 7)
            with QueueClient(server.url) as client:
                window = CounterWindow(client, translator("vi"), settings, now=clock.now)
                window.resize(QSize(width, height))
                window.show()
                page = window.sign_in_page
                page.username.setText("lan")
                page.password.setText(PASSWORDS["lan"])
                settle(app)
                save(window, out, "counter-signin" + suffix)
                page.submit.click()
                wait_until(app, lambda: window.stack.currentWidget() is window.counter_page)
                window.counter_page.choose(3)
                window.counter_page.open_button.click()
                wait_until(app, lambda: "Hùng" in window.counter_page.message.text())
                settle(app)
                save(window, out, "counter-choose" + suffix)
                window.counter_page.choose(7)
                window.counter_page.open_button.click()
                wait_until(app, lambda: window.desk is not None)
                desk = window.desk
                assert desk is not None
                wait_until(app, lambda: desk.link == "online" and bool(desk.services))
                wait_until(app, lambda: len(desk.waiting) > 3 and desk.stats is not None)
                # The no-show marked a minute ago: its undo counts down beside the status.
                absent = window.client.find_ticket(absent_number)
                assert absent is not None
                desk.no_shows = [absent]
                desk.no_shows_changed.emit(desk.no_shows)
                clock.advance(seconds=40)
                window.run_command(Command.CALL_NEXT)
                wait_until(app, lambda: desk.current is not None and not desk.busy)
                settle(app, 0.6)
                window.run_command(Command.COMPLETE)
                wait_until(app, lambda: desk.current is None and not desk.busy)
                window.run_command(Command.CALL_NEXT)
                wait_until(app, lambda: desk.current is not None and not desk.busy)
                settle(app, 0.6)
                assert window.desk_page is not None
                window.desk_page.tick()
                save(window, out, "counter-desk" + suffix)
                for command, name in (
                    (Command.TRANSFER, "transfer"),
                    (Command.WALK_IN, "walk-in"),
                    (Command.PAUSE, "pause"),
                    (Command.REQUEUE, "requeue"),
                ):
                    window.run_command(command)
                    dialog = window.dialog
                    assert isinstance(dialog, QDialog)
                    fit_on_screen(dialog, dialog.WIDTH, free)  # type: ignore[attr-defined]
                    settle(app)
                    save(dialog, out, f"counter-{name}{suffix}")
                    print(f"  {name}: {dialog.width()}×{dialog.height()}")
                    dialog.reject()
                    settle(app, 0.1)
                window.run_command(Command.COMPACT)
                bar = window.bar
                assert bar is not None
                bar.setGeometry(bar_geometry(bar, screen))
                settle(app)
                save(bar, out, "counter-bar" + suffix)
                print(f"  bar: {bar.width()}×{bar.height()} at x={bar.x()} of {width}")
                window.run_command(Command.COMPACT)
                window.close()
        finally:
            server.stop()


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
        clock = FrozenClock(OPENING)
        data_dir = Path(tmp) / "data"
        tokens = prepare_data_dir(data_dir, site_text=SITE, now=clock.now())
        server = LiveServer(data_dir, clock)
        server.start()
        try:
            morning(server, tokens, clock)
            settings = QSettings(str(Path(tmp) / "counter.ini"), QSettings.Format.IniFormat)
            settings.setValue("counter/number", 2)
            with QueueClient(server.url) as client:
                window = CounterWindow(client, translator("vi"), settings, now=clock.now)
                window.resize(1280, 800)
                window.show()
                page = window.sign_in_page
                page.username.setText("lan")
                page.password.setText(PASSWORDS["lan"])
                settle(app)
                save(window, out, "counter-signin.png")

                page.submit.click()
                wait_until(app, lambda: window.stack.currentWidget() is window.counter_page)
                window.counter_page.choose(3)
                window.counter_page.open_button.click()
                wait_until(app, lambda: "Hùng" in window.counter_page.message.text())
                settle(app)
                save(window, out, "counter-choose.png")

                window.counter_page.choose(2)
                window.counter_page.open_button.click()
                wait_until(app, lambda: window.desk is not None)
                desk = window.desk
                assert desk is not None
                assert window.desk_page is not None
                wait_until(app, lambda: desk.link == "online" and desk.stats is not None)
                wait_until(app, lambda: len(desk.waiting) > 3 and bool(desk.services))
                window.desk_page.table.choose(desk.waiting[2].id)
                desk.notice.emit(
                    "Đã gọi lại số " + (desk.current.number if desk.current else ""), False
                )
                settle(app)
                window.desk_page.tick()
                save(window, out, "counter-desk.png")

                window.run_command(Command.TRANSFER)
                assert window.dialog is not None
                dialog = window.dialog
                dialog.resize(460, dialog.sizeHint().height())
                settle(app)
                save(dialog, out, "counter-transfer.png")
                dialog.reject()

                window.run_command(Command.COMPACT)
                settle(app)
                assert window.bar is not None
                save(window.bar, out, "counter-bar.png")
                window.run_command(Command.COMPACT)
                window.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
