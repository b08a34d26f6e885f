"""The apps' proof of life: a heartbeat written from the GUI thread, and full screen."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from queue_client.liveness import HEARTBEAT_ENV, Beat, Heartbeat
from queue_client.screen import show_full_screen


def test_each_tick_rewrites_the_heartbeat_file(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "kiosk.beat"
    heartbeat = Heartbeat.from_environment({HEARTBEAT_ENV: str(path)})
    heartbeat.start()
    first = Beat.read(path)
    assert first is not None
    qtbot.waitUntil(lambda: (Beat.read(path) or first).at > first.at, timeout=3000)
    heartbeat.stop()
    assert not path.with_name("kiosk.beat.tmp").exists()


def test_a_blocked_loop_shows_as_a_stall(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "board.beat"
    heartbeat = Heartbeat(path, interval_ms=100)
    heartbeat.start()
    time.sleep(0.6)  # the GUI thread itself is what freezes here, on purpose
    qtbot.waitUntil(lambda: heartbeat.stall_max_ms >= 400, timeout=2000)
    heartbeat.stop()
    beat = Beat.read(path)
    assert beat is not None
    assert beat.stall_max_ms >= 400


def test_systemd_hears_ready_then_watchdog(qtbot: QtBot, tmp_path: Path) -> None:
    address = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(address)
        listener.settimeout(5)
        heartbeat = Heartbeat(None, address)
        heartbeat.start()
        assert listener.recv(64) == b"READY=1"
        assert listener.recv(64) == b"WATCHDOG=1"
        heartbeat.stop()


def test_an_unwritable_heartbeat_does_not_stop_the_app(qtbot: QtBot, tmp_path: Path) -> None:
    heartbeat = Heartbeat(tmp_path / "missing-dir" / "x.beat")
    heartbeat.start()
    heartbeat.tick()
    heartbeat.stop()
    assert Beat.read(tmp_path / "missing-dir" / "x.beat") is None


def test_systemd_still_hears_the_watchdog_when_the_file_cannot_be_written(
    qtbot: QtBot, tmp_path: Path
) -> None:
    address = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(address)
        listener.settimeout(5)
        heartbeat = Heartbeat(tmp_path / "missing-dir" / "x.beat", address)
        heartbeat.start()
        assert listener.recv(64) == b"READY=1"
        assert listener.recv(64) == b"WATCHDOG=1"
        heartbeat.stop()


def test_full_screen_takes_the_screens_geometry(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(200, 100)
    show_full_screen(window)
    assert window.geometry() == window.screen().geometry()
