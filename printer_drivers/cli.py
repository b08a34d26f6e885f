"""`motcua printer …`: print a test ticket, read a printer's status, run the virtual printer."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import TextIO

import click

from printer_drivers.backend import EscposPrinter
from printer_drivers.content import DISPLAY_TIMEZONE
from printer_drivers.emulator import PtyEmulator, TcpEmulator, VirtualPrinter
from printer_drivers.errors import InvalidPrinterUrl, PrinterError
from printer_drivers.layout import PaperWidth
from printer_drivers.status import PrinterStatus
from printer_drivers.url import PrinterUrl, parse_printer_url

_PRINTER_HELP = (
    "PRINTER là địa chỉ máy in / PRINTER is the printer's URL: "
    "serial:///dev/ttyUSB0?baudrate=38400, usb://04b8:0202, tcp://HOST:9100, "
    "file:///dev/usb/lp0, win32://TÊN MÁY IN, cups://HÀNG ĐỢI, dummy://"
)
_PLAYABLE = [s.value for s in PrinterStatus if s is not PrinterStatus.UNKNOWN]


@click.group(
    name="printer",
    help="Máy in vé: in thử, xem trạng thái, máy in ảo. / Ticket printers: test print, "
    f"status, virtual printer.\n\n{_PRINTER_HELP}",
)
def printer() -> None:
    """The `printer` command group (registered on `motcua`)."""


@printer.command(
    "test",
    help="In vé mẫu số 1005 và toàn bộ chữ cái tiếng Việt. / Print the sample ticket 1005 "
    f"and every Vietnamese letter.\n\n{_PRINTER_HELP}",
)
@click.argument("printer_url", metavar="PRINTER")
def test_command(printer_url: str) -> None:
    """Print the sample ticket and every Vietnamese letter."""
    with EscposPrinter(_parse(printer_url)) as device:
        try:
            device.print_test(datetime.now(DISPLAY_TIMEZONE))
        except PrinterError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"Đã gửi vé in thử tới {printer_url}")


@printer.command(
    "status",
    help="In trạng thái máy in trong vòng 5 giây; dòng cuối là một từ: "
    "ok, paper-near-end, paper-out, cover-open, offline hoặc unknown. / Print the printer's "
    "status within 5 seconds; the last line is one word.\n\n" + _PRINTER_HELP,
)
@click.argument("printer_url", metavar="PRINTER")
def status_command(printer_url: str) -> None:
    """Print the description, then the status word as the last line."""
    with EscposPrinter(_parse(printer_url)) as device:
        status = device.status()
    click.echo(f"{printer_url}: {status.description}")
    click.echo(status.value)


@printer.command(
    "emulate",
    help="Chạy máy in ảo qua TCP hoặc cổng nối tiếp ảo (pty). Mỗi vé được lưu thành PNG và "
    f"TXT trong --out. Gõ trên stdin để giả lập lỗi: {', '.join(_PLAYABLE)}, silent "
    "(không trả lời trạng thái), quit. / Run a virtual printer over TCP or a pseudo-terminal; "
    "each ticket is saved as PNG and TXT in --out; type a fault on stdin to play it.",
)
@click.option(
    "--tcp",
    "tcp_address",
    metavar="HOST:PORT",
    help="Nghe trên cổng TCP (0 = tự chọn). / Listen on TCP (0: any port).",
)
@click.option(
    "--pty",
    "use_pty",
    is_flag=True,
    help="Tạo cổng nối tiếp ảo và in đường dẫn. / Open a pseudo-terminal and print its path.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("printer-out"),
    show_default=True,
    help="Thư mục lưu vé đã in. / Where printed tickets are saved.",
)
@click.option(
    "--paper",
    type=click.Choice(["80", "58"]),
    default="80",
    show_default=True,
    help="Khổ giấy (mm). / Paper width (mm).",
)
def emulate_command(tcp_address: str | None, use_pty: bool, out_dir: Path, paper: str) -> None:
    """Serve the virtual printer until quit, SIGINT or SIGTERM."""
    if bool(tcp_address) == use_pty:
        raise click.UsageError("Chọn đúng một trong --tcp HOST:PORT hoặc --pty")
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    width = PaperWidth.MM80 if paper == "80" else PaperWidth.MM58
    virtual = VirtualPrinter(out_dir, width)
    endpoint: TcpEmulator | PtyEmulator
    if tcp_address:
        host, _, port = tcp_address.rpartition(":")
        if not host or not port.isdigit():
            raise click.BadParameter("cần dạng HOST:PORT", param_hint="--tcp")
        try:
            endpoint = TcpEmulator(virtual, host.strip("[]"), int(port))
        except OSError as exc:
            raise click.ClickException(f"Không mở được cổng {tcp_address}: {exc}") from exc
        click.echo(endpoint.url)
    else:
        endpoint = PtyEmulator(virtual)
        click.echo(endpoint.path)
        click.echo(f"PRINTER: {endpoint.url}")
    click.echo(f"Vé in ra được lưu trong {out_dir.resolve()}")
    sys.stdout.flush()
    stop = threading.Event()
    with endpoint:
        _serve_until_stopped(virtual, stop, sys.stdin)


def _serve_until_stopped(virtual: VirtualPrinter, stop: threading.Event, commands: TextIO) -> None:
    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    threading.Thread(target=_read_commands, args=(virtual, stop, commands), daemon=True).start()
    try:
        # A timed wait keeps the main thread returning to Python, where signal handlers run.
        while not stop.wait(0.2):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _read_commands(virtual: VirtualPrinter, stop: threading.Event, commands: TextIO) -> None:
    """Typed commands; at the end of input the printer keeps serving until a signal."""
    for line in commands:
        word = line.strip().lower()
        if not word:
            continue
        if word in ("quit", "exit"):
            stop.set()
            return
        if word == "silent":
            virtual.silent = True
            click.echo("Máy in ảo: không trả lời trạng thái", err=True)
        elif word in _PLAYABLE:
            virtual.silent = False
            virtual.play(PrinterStatus(word))
            click.echo(f"Máy in ảo: {virtual.status.description}", err=True)
        else:
            choices = ", ".join([*_PLAYABLE, "silent", "quit"])
            click.echo(f"Lệnh không hợp lệ {word!r}; dùng: {choices}", err=True)


def _parse(text: str) -> PrinterUrl:
    try:
        return parse_printer_url(text)
    except InvalidPrinterUrl as exc:
        raise click.BadParameter(str(exc), param_hint="PRINTER") from exc
