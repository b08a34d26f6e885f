"""Wiring one board: the Qt application, the stream, the voice and the window."""

from __future__ import annotations

import logging
import os
import signal
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QLoggingCategory, QTimer
from PySide6.QtWidgets import QApplication

from display_board.announcer import Announcer
from display_board.board import Zone
from display_board.options import BoardOptions
from display_board.voice_source import ServerVoice
from display_board.window import BoardWindow
from queue_client import QueueClient
from queue_client.i18n import Translator
from queue_client.liveness import Heartbeat
from queue_client.qt import EventBridge, install_fonts
from queue_client.screen import show_full_screen

LOCALE_DIR = Path(__file__).parent / "locale"


def run(options: BoardOptions) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # QtMultimedia lists every optional library it could not load; none is needed for WAV.
    QLoggingCategory.setFilterRules("qt.multimedia.symbolsresolver=false")
    app = QApplication.instance() or QApplication(sys.argv)
    family = install_fonts()
    translator = Translator(LOCALE_DIR, "display_board", options.language)
    client = QueueClient(options.server, options.token)
    announcer = None
    with tempfile.TemporaryDirectory(prefix="motcua-board-") as sounds:
        if options.speaker:
            from display_board.speaker import QtAudioOutput

            voice = ServerVoice(options.server, options.token, Path(sounds), options.rate)
            announcer = Announcer(QtAudioOutput(options.volume / 100), voice)
        window = BoardWindow(
            translator,
            zone=Zone(options.counters, options.services),
            board=options.board,
            announcer=announcer,
            services=client.services,
            font_family=family,
        )
        bridge = EventBridge(options.server, options.token)
        window.follow(bridge)
        if options.windowed:
            window.resize(1280, 720)
            window.show()
        else:
            show_full_screen(window)
        bridge.start()
        heartbeat = Heartbeat.from_environment(os.environ, parent=app)
        heartbeat.start()
        # Ctrl-C and SIGTERM end the board cleanly (Python handlers need the loop to wake).
        signal.signal(signal.SIGINT, lambda *_: app.quit())
        signal.signal(signal.SIGTERM, lambda *_: app.quit())
        wake = QTimer(interval=250)
        wake.timeout.connect(lambda: None)
        wake.start()
        code = app.exec()
        bridge.stop()
        client.close()
    return code
