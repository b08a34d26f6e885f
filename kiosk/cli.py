"""`motcua kiosk --server URL --token TOKEN`: the ticket kiosk, or with `--mode rating
--counter N` the rating tablet on a counter."""

from __future__ import annotations

import logging
import os
import signal
import sys
from typing import TYPE_CHECKING

import click

from queue_client.i18n import LANGUAGES

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

DEFAULT_PIN = "0000"


@click.command(
    help="Chạy máy lấy số (hoặc, với --mode rating, máy đánh giá đặt tại quầy). / Run the "
    "ticket kiosk (or, with --mode rating, a counter's rating tablet)."
)
@click.option(
    "--server",
    required=True,
    help="Địa chỉ máy chủ xếp hàng, ví dụ http://192.168.1.10:8000 / The queue server, "
    "e.g. http://192.168.1.10:8000",
)
@click.option(
    "--token",
    required=True,
    envvar="MOTCUA_TOKEN",
    help="Mã truy cập của thiết bị này. / This device's token.",
)
@click.option(
    "--printer",
    help="Địa chỉ máy in vé, ví dụ tcp://192.168.1.50:9100 (không có: vé hiện trên màn hình). "
    "/ The ticket printer's URL, e.g. tcp://192.168.1.50:9100 (none: tickets on screen).",
)
@click.option(
    "--mode",
    type=click.Choice(["kiosk", "rating"]),
    default="kiosk",
    show_default=True,
    help="kiosk: lấy số; rating: máy đánh giá tại quầy. / kiosk: issue numbers; rating: a "
    "counter's rating tablet.",
)
@click.option(
    "--counter",
    type=click.IntRange(1, 999),
    help="Với --mode rating: số quầy đặt máy. / With --mode rating: the counter it sits on.",
)
@click.option(
    "--windowed",
    is_flag=True,
    help="Chạy trong cửa sổ thay vì toàn màn hình. / A normal window instead of full screen.",
)
@click.option(
    "--language",
    type=click.Choice(LANGUAGES),
    default="vi",
    show_default=True,
    help="Ngôn ngữ. / Language.",
)
@click.option(
    "--admin-pin",
    envvar="MOTCUA_ADMIN_PIN",
    help=f"Mã PIN cán bộ nhập để thoát toàn màn hình (mặc định {DEFAULT_PIN}: hãy đổi). / "
    f"The PIN staff type to leave full screen (default {DEFAULT_PIN}: change it).",
)
@click.option(
    "--public-url",
    help="Địa chỉ máy chủ mà điện thoại trong sảnh truy cập được, cho mã QR trên vé (mặc "
    "định: --server). / The server's address as phones in the hall reach it, for the "
    "ticket's QR code (default: --server).",
)
def command(
    server: str,
    token: str,
    printer: str | None,
    mode: str,
    counter: int | None,
    windowed: bool,
    language: str,
    admin_pin: str | None,
    public_url: str | None,
) -> None:
    if mode == "rating" and counter is None:
        raise click.UsageError("--mode rating needs --counter N")
    if admin_pin is not None and not admin_pin.isdigit():
        raise click.UsageError("--admin-pin takes digits only (it is typed on a keypad)")
    # Qt is imported here: `motcua --help` and `serve` start without it.
    from PySide6.QtWidgets import QApplication

    from kiosk.app import KioskWindow
    from kiosk.shell import KioskShell
    from kiosk.tablet import RatingTablet
    from kiosk.texts import translator
    from printer_drivers import InvalidPrinterUrl, open_printer
    from queue_client import QueueClient
    from queue_client.liveness import Heartbeat
    from queue_client.screen import show_full_screen

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per heartbeat otherwise
    log = logging.getLogger("kiosk")
    if admin_pin is None:
        admin_pin = DEFAULT_PIN
        log.warning("no --admin-pin given: the PIN is %s; set your own", DEFAULT_PIN)
    try:
        ticket_printer = open_printer(printer) if printer else None
    except InvalidPrinterUrl as exc:
        raise click.BadParameter(str(exc), param_hint="--printer") from exc
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("motcua-kiosk")
    with QueueClient(server, token) as client:
        window: KioskShell
        if mode == "rating":
            assert counter is not None
            window = RatingTablet(client, counter, translator(language), admin_pin=admin_pin)
        else:
            window = KioskWindow(
                client,
                translator(language),
                printer=ticket_printer,
                admin_pin=admin_pin,
                public_url=public_url,
            )
        window.may_close = windowed
        _stop_on_signals(app)
        window.start()
        if windowed:
            window.show()
        else:
            show_full_screen(window)
        heartbeat = Heartbeat.from_environment(os.environ, parent=app)
        heartbeat.start()
        code = app.exec()
        window.shutdown()
        if ticket_printer is not None:
            ticket_printer.close()
        sys.exit(code)


def _stop_on_signals(app: QApplication) -> None:
    """SIGTERM (systemd, a service manager) and Ctrl-C end the kiosk cleanly.

    Python handles signals only when it runs, so a timer lets it run; `exit` rather than
    `quit`, which would ask the (PIN-guarded) window to close and be refused.
    """
    from PySide6.QtCore import QTimer

    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: app.exit(0))
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(250)
