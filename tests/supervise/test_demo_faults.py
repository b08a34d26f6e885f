"""The demo's own faults: the QR address, the wait wording, a second demo on a busy port or
data directory, each run's printouts in a folder of its own."""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest

from motcua.demo import DemoBusy, check_free, follow_url, new_run_dir, wait_phrase
from queue_client.beat import Beat
from queue_core.protocol import TicketOut
from tests.helpers.server_process import motcua, running

T = TypeVar("T")
TICKET = TicketOut.model_validate(
    {
        "id": 54,
        "number": "1005",
        "service": "TP",
        "service_name": "Tư pháp – Hộ tịch",
        "priority": False,
        "status": "waiting",
        "issued_at": datetime(2026, 11, 30, 2, 0, tzinfo=UTC),
        "waiting_ahead": 0,
        "estimated_wait_minutes": 0,
    }
)


@pytest.mark.parametrize("base", ["http://127.0.0.1:8000", "http://127.0.0.1:8000/"])
def test_the_follow_address_is_joined_as_a_url(base: str) -> None:
    assert follow_url(base, TICKET) == "http://127.0.0.1:8000/t/54"


def test_the_follow_address_carries_the_unguessable_code_when_there_is_one() -> None:
    coded = TICKET.model_copy(update={"follow_code": "k3J9xQ2mP7aZ"})
    assert follow_url("http://127.0.0.1:8000", coded) == "http://127.0.0.1:8000/t/k3J9xQ2mP7aZ"


def test_no_wait_is_said_as_the_ticket_says_it() -> None:
    assert wait_phrase(0) == "dưới 1 phút"
    assert wait_phrase(7) == "khoảng 7 phút"
    assert "None" not in wait_phrase(None)


def test_a_busy_port_fails_before_the_data_directory_is_touched(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(DemoBusy) as caught, check_free(data_dir, "127.0.0.1", port):
            pytest.fail("ran on a busy port")
    assert caught.value.exit_code == 2
    assert str(port) in caught.value.message
    assert "\n" not in caught.value.message
    assert not (data_dir / "motcua.db").exists()
    assert [p.name for p in data_dir.iterdir()] == ["motcua.lock"]


def test_a_second_demo_on_one_data_directory_fails_at_once(tmp_path: Path) -> None:
    with (
        check_free(tmp_path / "demo", "127.0.0.1", 0),
        pytest.raises(DemoBusy),
        check_free(tmp_path / "demo", "127.0.0.1", 0),
    ):
        pytest.fail("two demos on one data directory")
    with check_free(tmp_path / "demo", "127.0.0.1", 0):
        pass  # free again once the first has ended


def test_each_run_keeps_its_printouts_in_a_folder_of_its_own(tmp_path: Path) -> None:
    timezone = ZoneInfo("Asia/Ho_Chi_Minh")
    first, second = new_run_dir(tmp_path, timezone), new_run_dir(tmp_path, timezone)
    assert first != second
    assert first.is_dir()
    assert second.is_dir()
    assert first.parent == second.parent == tmp_path / "runs"


@pytest.mark.slow
def test_a_second_demo_leaves_the_running_one_working(tmp_path: Path) -> None:
    """It used to revoke the running demo's device tokens, then fail on the busy port."""
    data_dir = tmp_path / "demo"
    args = ["demo", "--data-dir", str(data_dir), "--port", "0", "--no-apps", "--pace", "5"]
    with running(args, tmp_path / "logs") as first:
        kiosk = next(
            line.split(":", 1)[1].strip() for line in wait_for(first.lines, "Kiosk token:")
        )
        port = first.url.rsplit(":", 1)[1]
        second = motcua(*args[:3], "--port", port, "--no-apps", timeout=30)
        assert second.returncode == 2
        assert len(second.stderr.strip().splitlines()) == 1, second.stderr
        assert "Traceback" not in second.stderr
        with first.client(kiosk) as http:
            assert http.get("/api/services").status_code == 200
        narration = "\n".join(first.lines)
        assert "HTTP Request" not in narration
        assert "INFO" not in narration
        assert "khoảng 0 phút" not in narration
        first.stop_cleanly()
    runs = list((data_dir / "runs").iterdir())
    assert len(runs) == 1
    assert (runs[0] / "demo.log").is_file()


def wait_for(lines: list[str], text: str, timeout_s: float = 20) -> list[str]:
    """The lines holding `text`, once one has come."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = [line for line in list(lines) if text in line]
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"no line with {text!r} in {lines}")


@pytest.mark.slow
def test_the_demo_narrates_an_app_that_died_and_restarts_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    args = ["demo", "--data-dir", str(data_dir), "--port", "0", "--apps", "--pace", "2"]
    with running(args, tmp_path / "logs") as demo:
        [logs] = wait_for(demo.lines, "Nhật ký (logs):")
        run_dir = Path(logs.split(":", 1)[1].strip()).parent
        beat = run_dir / "kiosk.heartbeat"
        first = wait_until(lambda: Beat.read(beat), timeout_s=60)
        os.kill(first.pid, signal.SIGKILL)
        [said] = wait_for(demo.lines, "⚠ Kiosk lấy số đã dừng")
        assert "(bị dừng bởi tín hiệu SIGKILL)" in said
        wait_until(lambda: (b := Beat.read(beat)) is not None and b.pid != first.pid, 60)
        demo.stop_cleanly()
    assert len([line for line in demo.lines if "⚠" in line]) == 1


def wait_until(found: Callable[[], T | None], timeout_s: float) -> T:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"nothing within {timeout_s} s")


def test_a_demo_and_a_server_exclude_each_other_on_one_data_directory(tmp_path: Path) -> None:
    from queue_server.database import lock_data_dir

    with (
        lock_data_dir(tmp_path / "demo"),  # as a running server holds it
        pytest.raises(DemoBusy),
        check_free(tmp_path / "demo", "127.0.0.1", 0),
    ):
        pytest.fail("a demo beside a server")
