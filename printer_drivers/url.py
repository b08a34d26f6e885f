"""PRINTER URLs: one string says how to reach a printer and how to print on it.

    serial:///dev/ttyUSB0?baudrate=38400&flow=rtscts    serial://COM3 on Windows
    usb://04b8:0202                                      vendor:product, hexadecimal
    tcp://192.168.1.50:9100                              port 9100 when left out
    file:///dev/usb/lp0
    win32://EPSON TM-T82 Receipt                         a Windows printer queue
    cups://TM-T20                                        a CUPS queue, sent raw
    dummy://                                             keeps the bytes in memory

Options for every kind: ``paper=80|58``, ``mode=raster|text``, ``cut=partial|full|none``;
for text mode ``charset=cp1258|tcvn3``, ``codepage=N``, ``codepage_upper=N``,
``qr=native|image``; for serial ``baudrate``, ``flow=none|rtscts|xonxoff|dsrdtr``,
``bytesize``, ``parity=N|E|O``, ``stopbits=1|2``; for USB ``in_ep``, ``out_ep``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import parse_qsl, unquote, urlsplit

from printer_drivers.charsets import Charset
from printer_drivers.commands import Cut
from printer_drivers.errors import InvalidPrinterUrl
from printer_drivers.layout import PaperWidth
from printer_drivers.textmode import TextEncoding


class Kind(StrEnum):
    """How the printer is connected (the URL's scheme)."""

    SERIAL = "serial"
    USB = "usb"
    TCP = "tcp"
    FILE = "file"
    WIN32 = "win32"
    CUPS = "cups"
    DUMMY = "dummy"


class Flow(StrEnum):
    """Serial flow control."""

    NONE = "none"
    RTSCTS = "rtscts"
    XONXOFF = "xonxoff"
    DSRDTR = "dsrdtr"


class Mode(StrEnum):
    """How a ticket is encoded."""

    RASTER = "raster"
    TEXT = "text"


_COMMON = {"paper", "mode", "cut", "charset", "codepage", "codepage_upper", "qr"}
_PER_KIND = {
    Kind.SERIAL: {"baudrate", "flow", "bytesize", "parity", "stopbits"},
    Kind.USB: {"in_ep", "out_ep"},
}
_PAPERS = {"80": PaperWidth.MM80, "58": PaperWidth.MM58}


@dataclass(frozen=True, slots=True)
class SerialSettings:
    """Line settings of a serial printer (the printer's DIP switches must agree)."""

    baudrate: int = 9600
    flow: Flow = Flow.NONE
    bytesize: int = 8
    parity: str = "N"
    stopbits: int = 1


@dataclass(frozen=True, slots=True)
class PrinterUrl:
    """A parsed PRINTER URL.

    Attributes:
        text: the URL as given.
        kind: the connection.
        target: device path, "vvvv:pppp", host name, queue or printer name; "" for dummy.
        port: the TCP port (9100 unless given); 0 for other kinds.
        width: print head width in dots (576 for 80 mm paper, 384 for 58 mm).
        mode: raster (the default) or text.
        cut: how each ticket is finished.
        encoding: the code page for text mode.
        serial: line settings for serial printers.
        usb_endpoints: (in, out) endpoint addresses for USB printers.
    """

    text: str
    kind: Kind
    target: str
    port: int = 0
    width: int = PaperWidth.MM80
    mode: Mode = Mode.RASTER
    cut: Cut = Cut.PARTIAL
    encoding: TextEncoding = field(default_factory=TextEncoding)
    serial: SerialSettings = field(default_factory=SerialSettings)
    usb_endpoints: tuple[int, int] = (0x82, 0x01)

    @property
    def usb_ids(self) -> tuple[int, int]:
        """(vendor, product) of a USB printer."""
        vendor, _, product = self.target.partition(":")
        return int(vendor, 16), int(product, 16)

    def __str__(self) -> str:
        return self.text


def parse_printer_url(text: str) -> PrinterUrl:
    """Parse a PRINTER URL.

    Raises:
        InvalidPrinterUrl: unknown scheme, missing target or bad option, with a Vietnamese
            message that names the problem.
    """
    scheme, sep, rest = text.strip().partition("://")
    if not sep:
        raise InvalidPrinterUrl(f"Địa chỉ máy in không hợp lệ: {text!r} (thiếu '://')")
    try:
        kind = Kind(scheme.lower())
    except ValueError:
        known = ", ".join(f"{k}://" for k in Kind)
        raise InvalidPrinterUrl(f"Không hỗ trợ kiểu kết nối {scheme!r}; dùng {known}") from None
    location, _, query = rest.partition("?")
    options = dict(parse_qsl(query, keep_blank_values=True))
    unknown = set(options) - _COMMON - _PER_KIND.get(kind, set())
    if unknown:
        raise InvalidPrinterUrl(
            f"Tùy chọn không hợp lệ cho {kind}://: {', '.join(sorted(unknown))}"
        )
    target, port = _location(kind, location, text)
    try:
        return PrinterUrl(
            text=text,
            kind=kind,
            target=target,
            port=port,
            width=_PAPERS[options.get("paper", "80")],
            mode=Mode(options.get("mode", Mode.RASTER)),
            cut=Cut(options.get("cut", Cut.PARTIAL.value)),
            encoding=_encoding(options),
            serial=_serial(options),
            usb_endpoints=(
                int(options.get("in_ep", "0x82"), 0),
                int(options.get("out_ep", "0x01"), 0),
            ),
        )
    except (KeyError, ValueError) as exc:
        raise InvalidPrinterUrl(f"Tùy chọn máy in không hợp lệ trong {text!r}: {exc}") from None


def _location(kind: Kind, location: str, text: str) -> tuple[str, int]:
    if kind is Kind.DUMMY:
        return "", 0
    if kind is Kind.TCP:
        parts = urlsplit(f"tcp://{location}")
        try:
            port = parts.port or 9100
        except ValueError:
            raise InvalidPrinterUrl(f"Cổng không hợp lệ trong {text!r}") from None
        if not parts.hostname:
            raise InvalidPrinterUrl(f"Thiếu tên máy hoặc địa chỉ IP trong {text!r}")
        return parts.hostname, port
    target = unquote(location)
    if not target:
        raise InvalidPrinterUrl(f"Thiếu đường dẫn hoặc tên máy in trong {text!r}")
    if kind is Kind.USB:
        vendor, sep, product = target.partition(":")
        try:
            int(vendor, 16), int(product, 16)
        except ValueError:
            sep = ""
        if not sep:
            raise InvalidPrinterUrl(
                f"USB cần dạng usb://VENDOR:PRODUCT (hệ 16), không phải {text!r}"
            )
    return target, 0


def _encoding(options: dict[str, str]) -> TextEncoding:
    qr = options.get("qr", "native")
    if qr not in ("native", "image"):
        raise ValueError(f"qr={qr}")
    return TextEncoding(
        charset=Charset(options.get("charset", Charset.CP1258)),
        code_page=int(options["codepage"]) if "codepage" in options else None,
        upper_code_page=int(options["codepage_upper"]) if "codepage_upper" in options else None,
        native_qr=qr == "native",
    )


def _serial(options: dict[str, str]) -> SerialSettings:
    parity = options.get("parity", "N").upper()
    if parity not in ("N", "E", "O"):
        raise ValueError(f"parity={parity}")
    return SerialSettings(
        baudrate=int(options.get("baudrate", "9600")),
        flow=Flow(options.get("flow", Flow.NONE)),
        bytesize=int(options.get("bytesize", "8")),
        parity=parity,
        stopbits=int(options.get("stopbits", "1")),
    )
