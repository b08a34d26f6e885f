"""`motcua printer test|status|emulate`, through click's runner and as real processes."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from printer_drivers.cli import printer
from printer_drivers.emulator import TcpEmulator, VirtualPrinter
from printer_drivers.sample import vietnamese_letters
from printer_drivers.status import PrinterStatus

from .test_status import free_port

PRINTER_GROUP = [sys.executable, "-c", "from printer_drivers.cli import printer; printer()"]


def test_the_group_is_named_printer() -> None:
    assert printer.name == "printer"
    assert set(printer.commands) == {"test", "status", "emulate"}


@pytest.mark.parametrize("played", [s for s in PrinterStatus if s is not PrinterStatus.UNKNOWN])
def test_status_prints_one_word_as_its_last_line(
    virtual_printer: VirtualPrinter, tcp_emulator: TcpEmulator, played: PrinterStatus
) -> None:
    virtual_printer.play(played)

    result = CliRunner().invoke(printer, ["status", tcp_emulator.url])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == played.value


def test_status_of_a_dummy_printer_is_unknown() -> None:
    result = CliRunner().invoke(printer, ["status", "dummy://"])

    assert result.output.splitlines()[-1] == "unknown"


def test_status_refuses_a_bad_url() -> None:
    result = CliRunner().invoke(printer, ["status", "lpt://1"])

    assert result.exit_code == 2
    assert "lpt" in result.output


def test_test_prints_the_sample_ticket_and_every_letter(
    virtual_printer: VirtualPrinter, tcp_emulator: TcpEmulator
) -> None:
    result = CliRunner().invoke(printer, ["test", f"{tcp_emulator.url}?mode=text"])

    assert result.exit_code == 0, result.output
    printout = virtual_printer.wait_for_printouts(1)[0]
    texts = printout.texts
    assert {"SỐ THỨ TỰ", "1005", "Tư pháp – Hộ tịch"} <= set(texts)
    assert printout.qr_codes == ["https://motcua.example.vn/t/1005"]
    assert set(vietnamese_letters()) <= set("".join(texts))


def test_test_prints_a_raster_by_default(
    virtual_printer: VirtualPrinter, tcp_emulator: TcpEmulator
) -> None:
    result = CliRunner().invoke(printer, ["test", tcp_emulator.url])

    assert result.exit_code == 0, result.output
    (raster,) = virtual_printer.wait_for_printouts(1)[0].rasters
    assert raster.width == 576
    assert raster.height > 1000  # the ticket, then the letters


def test_test_reports_a_printer_out_of_paper(
    virtual_printer: VirtualPrinter, tcp_emulator: TcpEmulator
) -> None:
    virtual_printer.play(PrinterStatus.PAPER_OUT)

    result = CliRunner().invoke(printer, ["test", tcp_emulator.url])

    assert result.exit_code == 1
    assert "hết giấy" in result.output


def test_emulate_needs_exactly_one_endpoint() -> None:
    assert CliRunner().invoke(printer, ["emulate"]).exit_code == 2
    assert CliRunner().invoke(printer, ["emulate", "--pty", "--tcp", "h:1"]).exit_code == 2


def run_status(url: str) -> tuple[str, float]:
    started = time.monotonic()
    done = subprocess.run(
        [*PRINTER_GROUP, "status", url], capture_output=True, text=True, timeout=30, check=True
    )
    return done.stdout.splitlines()[-1], time.monotonic() - started


@pytest.fixture
def emulator_process(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        [*PRINTER_GROUP, "emulate", "--tcp", "127.0.0.1:0", "--out", str(tmp_path / "out")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    yield process, url
    if process.poll() is None:
        process.kill()
    process.communicate(timeout=10)


def test_the_commands_work_as_real_processes(
    emulator_process: tuple[subprocess.Popen[str], str], tmp_path: Path
) -> None:
    process, url = emulator_process
    assert process.stdin is not None
    assert url.startswith("tcp://127.0.0.1:")

    assert run_status(url)[0] == "ok"
    process.stdin.write("paper-out\n")
    process.stdin.flush()
    # The emulator reads its stdin on its own thread; ask until it has played the fault.
    for _ in range(50):
        if run_status(url)[0] == "paper-out":
            break
    assert run_status(url)[0] == "paper-out"
    process.stdin.write("ok\n")
    process.stdin.flush()
    for _ in range(50):
        if run_status(url)[0] == "ok":
            break
    subprocess.run([*PRINTER_GROUP, "test", url], check=True, capture_output=True, timeout=30)
    for _ in range(100):
        if (tmp_path / "out" / "ticket-0001.txt").exists():
            break
        time.sleep(0.05)
    assert (tmp_path / "out" / "ticket-0001.png").exists()

    process.stdin.write("quit\n")
    process.stdin.flush()
    assert process.wait(timeout=10) == 0


def test_an_absent_printer_is_offline_within_5_seconds_as_a_process() -> None:
    word, seconds = run_status(f"tcp://127.0.0.1:{free_port()}")

    assert word == "offline"
    assert seconds < 5


def test_the_emulator_stops_cleanly_on_sigterm(
    emulator_process: tuple[subprocess.Popen[str], str],
) -> None:
    process, url = emulator_process
    assert run_status(url)[0] == "ok"

    process.terminate()

    assert process.wait(timeout=10) == 0


def test_emulate_on_a_pty_prints_the_device_path_first(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [*PRINTER_GROUP, "emulate", "--pty", "--out", str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        path = process.stdout.readline().strip()
        assert path.startswith("/dev/")
        assert process.stdout.readline().strip() == f"PRINTER: serial://{path}"

        assert run_status(f"serial://{path}")[0] == "ok"
    finally:
        process.terminate()
        process.communicate(timeout=10)
    assert process.returncode == 0
