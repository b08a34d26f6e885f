"""The real python-escpos Serial printer writing to a pseudo-terminal that the test reads."""

from __future__ import annotations

import os
import select
import threading
import tty
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from printer_drivers import realtime
from printer_drivers.backend import EscposPrinter, _settle
from printer_drivers.decoder import EscposDecoder, Printout
from printer_drivers.job import encode_ticket
from printer_drivers.layout import render_ticket
from printer_drivers.sample import sample_ticket
from printer_drivers.status import PrinterStatus
from printer_drivers.url import parse_printer_url
from tests.helpers.fake_printer import FakeBlockedPort


@dataclass
class Line:
    """The far end of a serial line: records every byte, answers DLE EOT n with `replies[n]`."""

    master: int
    path: str
    replies: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(1, 5), 0x12))
    received: bytearray = field(default_factory=bytearray)
    stop: threading.Event = field(default_factory=threading.Event)

    def serve(self) -> None:
        while not self.stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            chunk = os.read(self.master, 65536)
            # Status queries come alone, before a job; the ticket's bytes are not scanned.
            if chunk.startswith(realtime.DLE_EOT) and len(chunk) == 3:
                os.write(self.master, bytes((self.replies[chunk[2]],)))
            self.received += chunk

    def wait_for(self, size: int) -> bytes:
        # os.read returns what the pty holds; poll until the whole job is in.
        for _ in range(400):
            if len(self.received) >= size:
                break
            self.stop.wait(0.025)
        return bytes(self.received)


@pytest.fixture
def line() -> Iterator[Line]:
    master, slave = os.openpty()
    tty.setraw(slave)
    far_end = Line(master, os.ttyname(slave))
    thread = threading.Thread(target=far_end.serve, daemon=True)
    thread.start()
    yield far_end
    far_end.stop.set()
    thread.join()
    os.close(master)
    os.close(slave)


def test_a_ticket_arrives_byte_for_byte_through_escpos_serial(line: Line) -> None:
    ticket = sample_ticket()
    url = f"serial://{line.path}?baudrate=115200"
    expected_job = encode_ticket(ticket, parse_printer_url(url))

    with EscposPrinter(url) as printer:
        printer.print_ticket(ticket)
        assert type(printer._escpos).__module__ == "escpos.printer.serial"

    received = line.wait_for(len(expected_job) + 6)
    status_queries = realtime.command(realtime.Query.PAPER) + realtime.command(
        realtime.Query.PRINTER
    )
    assert received == status_queries + expected_job


def test_what_came_through_the_line_decodes_to_the_rendered_image(line: Line) -> None:
    ticket = sample_ticket()

    url = f"serial://{line.path}"

    with EscposPrinter(url) as printer:
        printer.print_ticket(ticket)
    received = line.wait_for(len(encode_ticket(ticket, parse_printer_url(url))) + 6)

    events = EscposDecoder().feed(received)
    printouts = [event for event in events if isinstance(event, Printout)]
    assert [event for event in events if not isinstance(event, Printout)] == [
        realtime.Query.PAPER,
        realtime.Query.PRINTER,
    ]
    assert len(printouts) == 1
    assert printouts[0].rasters[0].tobytes() == render_ticket(ticket).tobytes()


def test_the_status_of_a_serial_printer_is_read_from_its_replies(line: Line) -> None:
    line.replies[realtime.Query.PAPER] = realtime.BASE | realtime.PAPER_NEAR_END

    with EscposPrinter(f"serial://{line.path}") as printer:
        assert printer.status() is PrinterStatus.PAPER_NEAR_END


def test_a_port_blocked_by_flow_control_is_abandoned_not_waited_on_forever() -> None:
    port = FakeBlockedPort()

    _settle(port, wait_s=0.1)

    assert port.discarded
