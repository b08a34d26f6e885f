"""Status: DLE EOT replies read paper first, every fault played by the virtual printer,
silent and absent printers, and what a print does in each state."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from printer_drivers import realtime
from printer_drivers.backend import EscposPrinter
from printer_drivers.emulator import TcpEmulator, VirtualPrinter
from printer_drivers.errors import CoverOpen, PaperOut, PrinterOffline
from printer_drivers.protocol import TicketPrinter
from printer_drivers.realtime import Query
from printer_drivers.sample import sample_ticket
from printer_drivers.status import PrinterStatus

FAULTS = [s for s in PrinterStatus if s is not PrinterStatus.UNKNOWN]


@pytest.mark.parametrize("played", FAULTS)
def test_the_virtual_printer_reports_each_state(
    virtual_printer: VirtualPrinter, emulator_url: str, played: PrinterStatus
) -> None:
    virtual_printer.play(played)

    with EscposPrinter(emulator_url) as printer:
        assert printer.status() is played


def test_paper_is_read_first_because_an_empty_printer_also_says_offline() -> None:
    replies = realtime.replies_for(PrinterStatus.PAPER_OUT)
    asked: list[Query] = []

    def ask(query: Query) -> int:
        asked.append(query)
        return replies[query]

    assert replies[Query.PRINTER] & realtime.PRINTER_OFFLINE
    assert realtime.read_status(ask) is PrinterStatus.PAPER_OUT
    assert asked == [Query.PAPER]


@pytest.mark.parametrize(
    ("paper", "printer", "cause", "expected"),
    [
        (0x12, 0x12, None, PrinterStatus.OK),
        (0x1E, 0x12, None, PrinterStatus.PAPER_NEAR_END),
        (0x72, 0x1A, 0x32, PrinterStatus.PAPER_OUT),
        (0x7E, 0x1A, 0x32, PrinterStatus.PAPER_OUT),
        (0x12, 0x1A, 0x16, PrinterStatus.COVER_OPEN),
        (0x12, 0x1A, 0x32, PrinterStatus.PAPER_OUT),
        (0x12, 0x1A, 0x52, PrinterStatus.OFFLINE),
        (0x12, 0x1A, None, PrinterStatus.OFFLINE),
        (0x12, None, None, PrinterStatus.OFFLINE),
        (None, None, None, None),
        (0xFF, 0x12, None, None),  # not a status byte: line noise, not an answer
    ],
)
def test_reply_bytes_are_read_as_the_escpos_manual_says(
    paper: int | None, printer: int | None, cause: int | None, expected: PrinterStatus | None
) -> None:
    replies = {Query.PAPER: paper, Query.PRINTER: printer, Query.OFFLINE_CAUSE: cause}

    assert realtime.read_status(replies.get) is expected


def test_a_printer_that_never_answers_status_is_unknown(
    virtual_printer: VirtualPrinter, emulator_url: str
) -> None:
    virtual_printer.silent = True

    with EscposPrinter(emulator_url) as printer:
        assert printer.status() is PrinterStatus.UNKNOWN


def test_a_printer_that_stops_answering_is_offline(
    virtual_printer: VirtualPrinter, emulator_url: str
) -> None:
    with EscposPrinter(emulator_url) as printer:
        assert printer.status() is PrinterStatus.OK
        virtual_printer.silent = True
        assert printer.status() is PrinterStatus.OFFLINE
        virtual_printer.silent = False
        assert printer.status() is PrinterStatus.OK


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.parametrize(
    "url",
    [
        f"tcp://127.0.0.1:{free_port()}",
        "serial:///dev/motcua-no-such-printer",
        "file:///motcua/no/such/lp0",
        "usb://04b8:0202",  # no such device here, or no pyusb: offline either way
    ],
)
def test_a_printer_that_is_not_there_is_offline_within_5_seconds(url: str) -> None:
    started = time.monotonic()

    with EscposPrinter(url) as printer:
        status = printer.status()

    assert status is PrinterStatus.OFFLINE
    assert time.monotonic() - started < 5


def test_a_network_printer_that_went_away_is_offline(virtual_printer: VirtualPrinter) -> None:
    endpoint = TcpEmulator(virtual_printer)
    with EscposPrinter(endpoint.url) as printer:
        assert printer.status() is PrinterStatus.OK
        endpoint.close()

        assert printer.status() is PrinterStatus.OFFLINE


def test_connections_that_cannot_answer_are_unknown() -> None:
    with EscposPrinter("dummy://") as printer:
        assert printer.status() is PrinterStatus.UNKNOWN


def test_a_ticket_prints_when_the_paper_is_near_its_end(
    virtual_printer: VirtualPrinter, emulator_url: str
) -> None:
    virtual_printer.play(PrinterStatus.PAPER_NEAR_END)

    with EscposPrinter(emulator_url) as printer:
        printer.print_ticket(sample_ticket())

    assert len(virtual_printer.wait_for_printouts(1)) == 1


@pytest.mark.parametrize(
    ("played", "error"),
    [
        (PrinterStatus.PAPER_OUT, PaperOut),
        (PrinterStatus.COVER_OPEN, CoverOpen),
        (PrinterStatus.OFFLINE, PrinterOffline),
    ],
)
def test_nothing_is_sent_to_a_printer_that_cannot_print(
    virtual_printer: VirtualPrinter,
    tcp_emulator: TcpEmulator,
    played: PrinterStatus,
    error: type[Exception],
) -> None:
    virtual_printer.play(played)

    with EscposPrinter(tcp_emulator.url) as printer, pytest.raises(error, match=r"(?i)máy in"):
        printer.print_ticket(sample_ticket())

    assert virtual_printer.dropped == 0
    assert virtual_printer.printouts == []


def test_printing_to_an_absent_printer_raises_offline(tmp_path: Path) -> None:
    with (
        EscposPrinter(f"serial://{tmp_path}/ttyUSB9") as printer,
        pytest.raises(PrinterOffline, match="không mở được"),
    ):
        printer.print_ticket(sample_ticket())


def test_the_dummy_printer_keeps_what_it_was_sent() -> None:
    with EscposPrinter("dummy://") as printer:
        printer.print_ticket(sample_ticket())

        assert printer.output.startswith(b"\x1b@\x1dv0")


def test_a_connection_the_printer_dropped_is_replaced_without_a_false_alarm(
    virtual_printer: VirtualPrinter,
) -> None:
    first = TcpEmulator(virtual_printer)
    with EscposPrinter(first.url) as printer:
        assert printer.status() is PrinterStatus.OK
        host, port = first.address
        first.close()  # the printer restarts: every connection to it is gone
        with TcpEmulator(virtual_printer, host, port):
            assert printer.status() is PrinterStatus.OK


def test_the_escpos_printer_is_a_ticket_printer() -> None:
    assert isinstance(EscposPrinter("dummy://"), TicketPrinter)
