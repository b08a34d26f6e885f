"""PRINTER URLs as CONTRACT.md writes them."""

from __future__ import annotations

import pytest

from printer_drivers.charsets import Charset
from printer_drivers.commands import Cut
from printer_drivers.errors import InvalidPrinterUrl
from printer_drivers.url import Flow, Kind, Mode, parse_printer_url


@pytest.mark.parametrize(
    ("text", "kind", "target", "port"),
    [
        ("serial:///dev/ttyUSB0?baudrate=38400", Kind.SERIAL, "/dev/ttyUSB0", 0),
        ("serial://COM3", Kind.SERIAL, "COM3", 0),
        ("usb://04b8:0202", Kind.USB, "04b8:0202", 0),
        ("tcp://192.168.1.50:9100", Kind.TCP, "192.168.1.50", 9100),
        ("tcp://printer.local", Kind.TCP, "printer.local", 9100),
        ("tcp://[::1]:9101", Kind.TCP, "::1", 9101),
        ("file:///dev/usb/lp0", Kind.FILE, "/dev/usb/lp0", 0),
        ("win32://EPSON TM-T82 Receipt", Kind.WIN32, "EPSON TM-T82 Receipt", 0),
        ("win32://EPSON%20TM-T82", Kind.WIN32, "EPSON TM-T82", 0),
        ("cups://TM-T20", Kind.CUPS, "TM-T20", 0),
        ("dummy://", Kind.DUMMY, "", 0),
    ],
)
def test_every_contract_form_parses(text: str, kind: Kind, target: str, port: int) -> None:
    url = parse_printer_url(text)

    assert (url.kind, url.target, url.port) == (kind, target, port)
    assert str(url) == text


def test_defaults_are_80_mm_raster_with_a_partial_cut() -> None:
    url = parse_printer_url("serial:///dev/ttyUSB0")

    assert (url.width, url.mode, url.cut) == (576, Mode.RASTER, Cut.PARTIAL)
    assert (url.serial.baudrate, url.serial.flow) == (9600, Flow.NONE)


def test_options_are_read() -> None:
    url = parse_printer_url(
        "serial:///dev/ttyS0?baudrate=115200&flow=rtscts&paper=58&mode=text&charset=tcvn3"
        "&codepage=30&codepage_upper=31&qr=image&cut=full"
    )

    assert url.serial.baudrate == 115200
    assert url.serial.flow is Flow.RTSCTS
    assert url.width == 384
    assert url.mode is Mode.TEXT
    assert url.encoding.charset is Charset.TCVN3
    assert url.encoding.pages == (30, 31)
    assert url.encoding.native_qr is False
    assert url.cut is Cut.FULL


def test_usb_ids_are_hexadecimal() -> None:
    assert parse_printer_url("usb://04b8:0202").usb_ids == (0x04B8, 0x0202)


@pytest.mark.parametrize(
    "text",
    [
        "/dev/ttyUSB0",
        "lpt://1",
        "usb://epson",
        "tcp://:9100",
        "tcp://host:port",
        "file://",
        "serial:///dev/ttyS0?baud=9600",
        "tcp://host?baudrate=9600",
        "dummy://?paper=57",
        "dummy://?mode=pdf",
    ],
)
def test_bad_urls_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(InvalidPrinterUrl) as caught:
        parse_printer_url(text)

    assert isinstance(caught.value, ValueError)
