"""How long a citizen waits: from the touch to the ticket's bytes at the printer.

Measured, not asserted (the target is under 300 ms with the server on the same machine):
the figures are printed with the test's output and kept as its user properties.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from kiosk.app import KioskWindow
from tests.kiosk.conftest import WAIT_MS, TimedPrinter, touch

TOUCHES = 10


def test_touch_to_ticket_bytes_at_the_printer(
    qtbot: QtBot,
    kiosk: KioskWindow,
    virtual_printer: tuple[TimedPrinter, str],
    record_property: Callable[[str, object], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    printer, _url = virtual_printer
    delays_ms = []
    for index in range(TOUCHES):
        touched_at = time.perf_counter()
        touch(qtbot, kiosk.home.buttons["TP"])
        qtbot.waitUntil(lambda i=index: len(printer.arrived_at) > i, timeout=WAIT_MS)
        delays_ms.append((printer.arrived_at[index] - touched_at) * 1000)
        qtbot.waitUntil(lambda i=index: len(kiosk.issued) > i and kiosk.result.printed)
        touch(qtbot, kiosk.result.done_button)
    answers_ms = kiosk.touch_to_answer_ms
    summary = (
        f"touch → ticket bytes at the printer over {TOUCHES} touches: "
        f"median {statistics.median(delays_ms):.0f} ms, max {max(delays_ms):.0f} ms "
        f"(server's answer: median {statistics.median(answers_ms):.0f} ms)"
    )
    record_property("touch_to_print_ms", [round(d, 1) for d in delays_ms])
    record_property("touch_to_answer_ms", [round(d, 1) for d in answers_ms])
    with capsys.disabled():
        print(f"\n{summary}")
