"""The virtual printer: decoding, the files it writes, the faults it plays."""

from __future__ import annotations

import pytest
from PIL import Image

from printer_drivers import commands
from printer_drivers.backend import EscposPrinter
from printer_drivers.commands import Cut
from printer_drivers.decoder import EscposDecoder, Printout, TextLine
from printer_drivers.emulator import PtyEmulator, VirtualPrinter
from printer_drivers.job import encode_ticket
from printer_drivers.layout import render_ticket
from printer_drivers.realtime import Query
from printer_drivers.sample import sample_ticket
from printer_drivers.status import PrinterStatus
from printer_drivers.url import parse_printer_url


def test_a_printed_ticket_becomes_a_png_and_a_text_dump(
    virtual_printer: VirtualPrinter, emulator_url: str
) -> None:
    with EscposPrinter(f"{emulator_url}?mode=text") as printer:
        printer.print_ticket(sample_ticket())

    virtual_printer.wait_for_printouts(1)
    assert virtual_printer.out_dir is not None
    dump = (virtual_printer.out_dir / "ticket-0001.txt").read_text(encoding="utf-8")
    assert "SỐ THỨ TỰ\n1005\nTư pháp – Hộ tịch\n" in dump
    assert "[qr M 6] https://motcua.example.vn/t/1005" in dump
    assert dump.endswith("[cut partial]\n")
    with Image.open(virtual_printer.out_dir / "ticket-0001.png") as png:
        assert png.width == 576
        assert png.height > 300


def test_a_raster_ticket_is_saved_as_printed(
    virtual_printer: VirtualPrinter, emulator_url: str
) -> None:
    with EscposPrinter(emulator_url) as printer:
        printer.print_ticket(sample_ticket())

    printout = virtual_printer.wait_for_printouts(1)[0]
    assert printout.rasters[0].tobytes() == render_ticket(sample_ticket()).tobytes()
    assert virtual_printer.out_dir is not None
    rendered = render_ticket(sample_ticket())
    with Image.open(virtual_printer.out_dir / "ticket-0001.png") as png:
        on_paper = png.convert("1").crop((0, 0, rendered.width, rendered.height))
        assert on_paper.tobytes() == rendered.tobytes()


def test_commands_split_across_reads_decode_the_same() -> None:
    job = encode_ticket(sample_ticket(), parse_printer_url("dummy://?mode=text"))
    whole = EscposDecoder().feed(job)
    decoder = EscposDecoder()

    pieces = [event for byte in job for event in decoder.feed(bytes((byte,)))]

    assert len(pieces) == len(whole) == 1
    assert isinstance(pieces[0], Printout)
    assert isinstance(whole[0], Printout)
    assert pieces[0].dump() == whole[0].dump()


def test_status_queries_between_commands_are_reported() -> None:
    decoder = EscposDecoder()

    events = decoder.feed(b"\x10\x04\x04\x1b@\x10\x04\x01abc\n\x1dV\x00")

    assert events[:2] == [Query.PAPER, Query.PRINTER]
    printout = events[2]
    assert isinstance(printout, Printout)
    assert printout.texts == ["abc"]
    assert printout.cut is Cut.FULL


def test_commands_it_does_not_print_are_stepped_over() -> None:
    data = (
        b"\x1b@"
        + b"\x1bp\x00\x19\xfa"  # open the cash drawer
        + b"\x1dH\x02"  # HRI position
        + b"\x1dkE\x05ABCDE"  # a CODE39 barcode
        + b"\x1b*\x21\x02\x00"
        + bytes(6)  # a column image
        + commands.character_size(2, 2)
        + b"Xin chao\n"
        + commands.cut(Cut.PARTIAL)
    )

    printout = EscposDecoder().feed(data)[0]

    assert isinstance(printout, Printout)
    assert TextLine("Xin chao", scale=(2, 2)) in printout.blocks


def test_a_stream_that_ends_without_a_cut_still_prints(pty_emulator: PtyEmulator) -> None:
    stream = pty_emulator.printer.stream()
    stream.feed(b"\x1b@Dang in\n")

    stream.close()

    printout = pty_emulator.printer.wait_for_printouts(1)[0]
    assert printout.texts == ["Dang in"]
    assert printout.cut is None


@pytest.mark.parametrize(
    "fault", [PrinterStatus.PAPER_OUT, PrinterStatus.COVER_OPEN, PrinterStatus.OFFLINE]
)
def test_a_printer_in_fault_does_not_print(
    virtual_printer: VirtualPrinter, fault: PrinterStatus
) -> None:
    virtual_printer.play(fault)
    stream = virtual_printer.stream()

    stream.feed(encode_ticket(sample_ticket(), parse_printer_url("dummy://?mode=text")))

    assert virtual_printer.printouts == []
    assert virtual_printer.dropped == 1


def test_it_answers_every_dle_eot_query(virtual_printer: VirtualPrinter) -> None:
    stream = virtual_printer.stream()
    virtual_printer.play(PrinterStatus.COVER_OPEN)

    replies = stream.feed(b"".join(b"\x10\x04" + bytes((n,)) for n in (1, 2, 3, 4)))

    assert replies == bytes((0x1A, 0x16, 0x12, 0x12))


def test_unknown_is_played_by_silence_not_by_a_status(virtual_printer: VirtualPrinter) -> None:
    with pytest.raises(ValueError, match="silent"):
        virtual_printer.play(PrinterStatus.UNKNOWN)

    virtual_printer.silent = True
    assert virtual_printer.stream().feed(b"\x10\x04\x04") == b""
