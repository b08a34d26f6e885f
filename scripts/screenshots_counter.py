#!/usr/bin/env python3
"""Regenerate docs/img/counter*.png: the clerk's desk, drawn offscreen against a real
server that has lived through a scripted morning.

    .venv/bin/python scripts/screenshots_counter.py [--out docs/img]
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

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

from counter_client.keys import Command
from counter_client.texts import translator
from counter_client.window import CounterWindow
from queue_client import QueueClient
from queue_core.clock import FrozenClock
from tests.helpers.live_server import LiveServer
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/img"))
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
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
