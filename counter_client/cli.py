"""`motcua counter --server URL`: the clerk's desk."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click

from queue_client.i18n import LANGUAGES


@click.command(help="Chạy ứng dụng quầy (bàn làm việc của cán bộ). / Run the counter client.")
@click.option(
    "--server",
    required=True,
    help="Địa chỉ máy chủ xếp hàng, ví dụ http://192.168.1.10:8000 / The queue server, "
    "e.g. http://192.168.1.10:8000",
)
@click.option(
    "--windowed",
    is_flag=True,
    help="Chạy trong cửa sổ thay vì toàn màn hình. / A normal window instead of full screen.",
)
@click.option(
    "--counter",
    type=click.IntRange(1, 999),
    help="Chọn sẵn quầy này. / Preselect this counter.",
)
@click.option(
    "--language",
    type=click.Choice(LANGUAGES),
    default="vi",
    show_default=True,
    help="Ngôn ngữ. / Language.",
)
def command(server: str, windowed: bool, counter: int | None, language: str) -> None:
    # Qt is imported here: `motcua --help` and `serve` start without it.
    from PySide6.QtCore import QSettings, QStandardPaths
    from PySide6.QtWidgets import QApplication

    from counter_client.kept_session import FILE_NAME, SessionKeeper
    from counter_client.texts import translator
    from counter_client.window import CounterWindow
    from queue_client import QueueClient
    from queue_client.liveness import Heartbeat
    from queue_client.screen import show_full_screen

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("motcua-counter")
    # Per machine: the counter this PC stands at, and the last clerk who signed in.
    settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "motcua", "counter")
    # The clerk's session for the day, so that a restarted desk comes back signed in.
    app_data = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    keeper = SessionKeeper(Path(app_data) / FILE_NAME)
    with QueueClient(server) as client:
        window = CounterWindow(
            client, translator(language), settings, counter=counter, keeper=keeper
        )
        if windowed:
            window.show()
        else:
            show_full_screen(window)
        heartbeat = Heartbeat.from_environment(os.environ, parent=app)
        heartbeat.start()
        sys.exit(app.exec())
