"""Every page and dialog of the desk fits 1366×768 and 1920×1080 with the longest names and
a counter serving nine services: nothing outside its window, no text cut or elided.

Before issue #10 the transfer dialog asked for 5,258 px, the desk 6,642 px, and the
compact bar was 1,066 px wide in a 1,000 px slot, cutting "Mở rộng" off.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSettings, QSize
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from counter_client.dialogs import PauseDialog, RequeueDialog, TransferDialog, WalkInDialog
from counter_client.keys import Command
from counter_client.texts import translator
from counter_client.widgets import fit_on_screen
from counter_client.window import CounterWindow, bar_geometry
from queue_client import QueueClient
from tests.counter.conftest import (
    FAST_STREAM,
    OFFSCREEN_NOISE,
    WAIT_MS,
    desk_of,
    open_counter,
    sign_in,
    wait_idle,
)
from tests.helpers.fit import cut_parts, fits_screen
from tests.helpers.live_server import LiveServer
from tests.helpers.long_names import CODES, SCREENS, site_text
from tests.server.conftest import prepare_data_dir

pytestmark = OFFSCREEN_NOISE

# What a taskbar leaves of the screen, at the most.
TASKBAR_PX = 48


@pytest.fixture(scope="module")
def long_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    data_dir = tmp_path_factory.mktemp("long") / "data"
    tokens = prepare_data_dir(data_dir, site_text())
    server = LiveServer(data_dir)
    server.start()
    with QueueClient(server.url, tokens["kiosk"]) as kiosk:
        for code in (*CODES, *CODES):
            kiosk.issue(code)
    yield server, tokens
    server.stop()


def check(widget: QWidget, screen: QSize) -> None:
    problems = fits_screen(widget, screen) + cut_parts(widget)
    assert problems == [], "\n".join(problems)


def check_dialog(qtbot: QtBot, dialog: QDialog, width: int, screen: QSize) -> None:
    free = QRect(0, 0, screen.width(), screen.height() - TASKBAR_PX)
    fit_on_screen(dialog, width, free)
    size = dialog.size()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.size() == size, timeout=WAIT_MS)
    check(dialog, free.size())
    dialog.reject()


@pytest.mark.parametrize(("width", "height"), SCREENS)
def test_every_page_and_dialog_fits_the_screen(
    qtbot: QtBot,
    long_server: tuple[LiveServer, dict[str, str]],
    tmp_path: Path,
    width: int,
    height: int,
) -> None:
    server, _ = long_server
    screen = QSize(width, height)
    settings = QSettings(str(tmp_path / "counter.ini"), QSettings.Format.IniFormat)
    with QueueClient(server.url) as client:
        window = CounterWindow(client, translator("vi"), settings, stream_options=FAST_STREAM)
        qtbot.addWidget(window)
        window.resize(screen)  # what full screen gives it
        window.show()
        qtbot.waitExposed(window)
        check(window, screen)  # sign-in
        sign_in(qtbot, window)
        check(window, screen)  # the counter chooser
        open_counter(qtbot, window, 7)  # it serves all nine services
        desk = desk_of(window)
        qtbot.waitUntil(lambda: len(desk.waiting) >= len(CODES), timeout=WAIT_MS)
        window.run_command(Command.CALL_NEXT)
        qtbot.waitUntil(lambda: desk.current is not None, timeout=WAIT_MS)
        wait_idle(qtbot, window)
        window.run_command(Command.NO_SHOW)
        qtbot.waitUntil(lambda: bool(desk.no_shows), timeout=WAIT_MS)
        wait_idle(qtbot, window)
        window.run_command(Command.CALL_NEXT)
        qtbot.waitUntil(lambda: desk.current is not None, timeout=WAIT_MS)
        wait_idle(qtbot, window)
        assert window.desk_page is not None
        assert window.desk_page.undo_button.isVisible()
        check(window, screen)  # the desk: number, nine services, undo button, list

        for command, kind in (
            (Command.TRANSFER, TransferDialog),
            (Command.WALK_IN, WalkInDialog),
            (Command.PAUSE, PauseDialog),
            (Command.REQUEUE, RequeueDialog),
        ):
            window.run_command(command)
            dialog = window.dialog
            assert isinstance(dialog, kind)
            check_dialog(qtbot, dialog, kind.WIDTH, screen)
            qtbot.waitUntil(lambda: window.dialog is None, timeout=WAIT_MS)

        window.run_command(Command.COMPACT)
        bar = window.bar
        assert bar is not None
        place = bar_geometry(bar, QRect(0, 0, width, height))
        assert QRect(0, 0, width, height).contains(place)
        assert bar.minimumSizeHint().width() <= place.width()  # all of it in its slot
        bar.setGeometry(place)
        qtbot.waitUntil(lambda: bar.size() == place.size(), timeout=WAIT_MS)
        check(bar, screen)
        assert bar.buttons[Command.COMPACT].label.text() == "Mở rộng"
        window.run_command(Command.COMPACT)
        window.close()
