"""`motcua kiosk --server URL --token TOKEN`: the ticket kiosk, or with `--mode rating
--counter N` the rating tablet on a counter."""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from click.core import ParameterSource

from queue_client.i18n import LANGUAGES
from queue_client.token_file import ON_COMMAND_LINE, TokenFileError, device_token

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

PIN_LENGTHS = range(4, 9)


@click.command(
    help="Chạy máy lấy số (hoặc, với --mode rating, máy đánh giá đặt tại quầy). / Run the "
    "ticket kiosk (or, with --mode rating, a counter's rating tablet)."
)
@click.option(
    "--server",
    help="Địa chỉ máy chủ xếp hàng, ví dụ http://192.168.1.10:8000 / The queue server, "
    "e.g. http://192.168.1.10:8000",
)
@click.option(
    "--token",
    envvar="MOTCUA_TOKEN",
    help="Mã truy cập của thiết bị này; nên đặt trong biến MOTCUA_TOKEN hoặc --token-file "
    "(mọi tài khoản trên máy đều thấy dòng lệnh). / This device's token; better in MOTCUA_TOKEN "
    "or --token-file (every local account sees the command line).",
)
@click.option(
    "--token-file",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="MOTCUA_TOKEN_FILE",
    help="Tệp chứa mã truy cập, chỉ tài khoản chạy máy đọc được (chmod 600). / A file holding "
    "the token, readable by this account alone (chmod 600).",
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
    help="Mã PIN cán bộ nhập để thoát toàn màn hình; nên đặt bằng --set-admin-pin. Không có: "
    "dùng mã đã đặt, hoặc lần chạy đầu tạo mã ngẫu nhiên và in ra một lần. / The PIN staff "
    "type to leave full screen; better set with --set-admin-pin. None: the PIN set before, or "
    "on the first start a random one, printed once.",
)
@click.option(
    "--set-admin-pin",
    is_flag=True,
    help="Đặt mã PIN cán bộ mới (nhập hai lần, không hiện) cho máy này rồi thoát. / Set this "
    "kiosk's staff PIN (typed twice, hidden), then exit.",
)
@click.option(
    "--public-url",
    help="Địa chỉ máy chủ mà điện thoại trong sảnh truy cập được, cho mã QR trên vé (mặc "
    "định: --server). / The server's address as phones in the hall reach it, for the "
    "ticket's QR code (default: --server).",
)
def command(
    server: str | None,
    token: str | None,
    token_file: Path | None,
    printer: str | None,
    mode: str,
    counter: int | None,
    windowed: bool,
    language: str,
    admin_pin: str | None,
    set_admin_pin: bool,
    public_url: str | None,
) -> None:
    if set_admin_pin:
        _set_admin_pin()
        return
    if server is None:
        raise click.UsageError("Missing option '--server'.")
    if mode == "rating" and counter is None:
        raise click.UsageError("--mode rating needs --counter N")
    token = the_token(token, token_file)
    if admin_pin is not None:
        _check_pin(admin_pin)
        if click.get_current_context().get_parameter_source("admin_pin") is (
            ParameterSource.COMMANDLINE
        ):
            click.echo(PIN_ON_COMMAND_LINE, err=True)
    # Qt is imported here: `motcua --help` and `serve` start without it.
    from PySide6.QtWidgets import QApplication

    from kiosk import admin_pin as admin_pins
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
    guard, made_up = admin_pins.settle(admin_pins.kiosk_settings(), admin_pin)
    if made_up is not None:
        click.echo(
            f"motcua kiosk: mã PIN cán bộ của máy này là {made_up}. Mã chỉ in ra lần này, hãy ghi "
            "lại (đổi bằng --set-admin-pin). / This kiosk's staff PIN is "
            f"{made_up}. It is printed this once: write it down (change it with --set-admin-pin).",
            err=True,
        )
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
            window = RatingTablet(client, counter, translator(language), admin_pin=guard)
        else:
            window = KioskWindow(
                client,
                translator(language),
                printer=ticket_printer,
                admin_pin=guard,
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


PIN_ON_COMMAND_LINE = (
    "cảnh báo: --admin-pin hiện với mọi tài khoản trên máy; hãy dùng --set-admin-pin hoặc "
    "MOTCUA_ADMIN_PIN / warning: --admin-pin is visible to every local account; use "
    "--set-admin-pin or MOTCUA_ADMIN_PIN"
)


def _check_pin(pin: str) -> None:
    if not pin.isdigit() or len(pin) not in PIN_LENGTHS:
        raise click.UsageError(
            "mã PIN gồm 4 đến 8 chữ số (nhập trên bàn phím số) / the PIN takes 4 to 8 digits "
            "(it is typed on a keypad)"
        )


def _set_admin_pin() -> None:
    """Ask for a new PIN twice and keep its hash in this kiosk's settings."""
    from kiosk import admin_pin as admin_pins

    pin = click.prompt(
        "Mã PIN cán bộ mới / New staff PIN", hide_input=True, confirmation_prompt=True
    )
    _check_pin(pin)
    settings = admin_pins.kiosk_settings()
    admin_pins.store(settings, pin)
    click.echo(f"Đã lưu mã PIN (chỉ lưu mã băm) / PIN saved (its hash only): {settings.fileName()}")


def the_token(token: str | None, token_file: Path | None) -> str:
    """The device's token from the options, warning when it was typed on the command line."""
    try:
        found = device_token(token, token_file)
    except TokenFileError as exc:
        raise click.UsageError(str(exc)) from exc
    source = click.get_current_context().get_parameter_source("token")
    if token_file is None and source is ParameterSource.COMMANDLINE:
        click.echo(ON_COMMAND_LINE, err=True)
    return found


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
