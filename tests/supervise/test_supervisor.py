"""The supervisor with real app processes against a real `motcua serve`: an app killed or
frozen is back on its screen, said once in the log with the reason; a crash loop backs off."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

from counter_client.kept_session import FILE_NAME, SessionKeeper
from motcua.supervisor import AppSpec, Supervisor
from queue_client import QueueClient
from tests.helpers.server_process import MOTCUA, ServerProcess, serve
from tests.server.conftest import PASSWORDS, prepare_data_dir

pytestmark = pytest.mark.slow

T = TypeVar("T")
# Generous: a cold Qt start on a busy two-core machine. The figures are measured, not asserted.
APP_START_S = 60.0
OFFSCREEN = {"QT_QPA_PLATFORM": "offscreen"}


@dataclass
class Hall:
    server: ServerProcess
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    data_dir = tmp_path_factory.mktemp("hall") / "data"
    tokens = prepare_data_dir(data_dir)
    with serve(data_dir) as server:
        yield Hall(server, tokens)


def wait_until(what: str, found: Callable[[], T | None], timeout_s: float = APP_START_S) -> T:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"no {what} within {timeout_s} s")


def app(hall: Hall, name: str, *flags: str, env: dict[str, str] | None = None) -> AppSpec:
    command = [MOTCUA, name, "--server", hall.server.url, *flags, "--windowed"]
    return AppSpec(name, command, {**OFFSCREEN, **(env or {})})


def lines_of(supervisor: Supervisor, name: str, text: str) -> int:
    log = supervisor.log_path(name).read_text(encoding="utf-8", errors="replace")
    return sum(text in line for line in log.splitlines())


def restart_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "motcua.supervisor" and r.levelno == logging.WARNING
    ]


def new_beat_after(supervisor: Supervisor, name: str, old_pid: int) -> int:
    beat = wait_until(
        f"heartbeat of a new {name}",
        lambda: (b := supervisor.beat(name)) is not None and b.pid != old_pid and b,
    )
    return beat.pid


def test_a_board_killed_with_sigkill_is_back_on_its_screen(
    hall: Hall, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="motcua.supervisor")
    spec = app(hall, "display", "--token", hall.tokens["display"])
    with Supervisor([spec], tmp_path / "run") as supervisor:
        first = wait_until("first heartbeat", lambda: supervisor.beat("display"))
        wait_until("board online", lambda: lines_of(supervisor, "display", "server: online"))
        killed_at = time.monotonic()
        os.kill(first.pid, signal.SIGKILL)
        pid = new_beat_after(supervisor, "display", first.pid)
        back_s = time.monotonic() - killed_at
        # Back on its screen: the new board's own link to the server is up again.
        wait_until("board online again", lambda: lines_of(supervisor, "display", "online") >= 2)
        online_s = time.monotonic() - killed_at
        assert supervisor.pid("display") == pid
    print(f"SIGKILL → heartbeat {back_s:.2f} s, → board online {online_s:.2f} s")
    [restart] = supervisor.restarts
    assert restart.death.signal_name == "SIGKILL"
    assert restart.delay_s <= 5
    [line] = restart_lines(caplog)
    assert "SIGKILL" in line
    assert "display" in line


def test_a_kiosk_killed_comes_back_and_reports_to_the_server(
    hall: Hall, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="motcua.supervisor")
    spec = app(hall, "kiosk", "--token", hall.tokens["kiosk"])
    with (
        Supervisor([spec], tmp_path / "run") as supervisor,
        hall.server.client(hall.tokens["admin"]) as admin,
    ):

        def kiosk_seen() -> str | None:
            devices = admin.get("/api/devices").json()
            seen = [d["last_seen_at"] for d in devices if d.get("kind") == "kiosk"]
            return max((s for s in seen if s), default=None)

        first = wait_until("first heartbeat", lambda: supervisor.beat("kiosk"))
        before = wait_until("kiosk seen by the server", kiosk_seen)
        os.kill(first.pid, signal.SIGKILL)
        new_beat_after(supervisor, "kiosk", first.pid)
        # Its device token came from the command line: the new kiosk reports at once.
        wait_until("the new kiosk seen", lambda: (s := kiosk_seen()) is not None and s > before)
    [line] = restart_lines(caplog)
    assert "SIGKILL" in line


def test_a_frozen_app_is_killed_and_restarted_after_the_threshold(
    hall: Hall, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="motcua.supervisor")
    spec = app(hall, "display", "--token", hall.tokens["display"])
    with Supervisor([spec], tmp_path / "run", stall_after_s=5) as supervisor:
        first = wait_until("first heartbeat", lambda: supervisor.beat("display"))
        os.kill(first.pid, signal.SIGSTOP)  # alive, but its GUI thread no longer turns
        new_beat_after(supervisor, "display", first.pid)
        with pytest.raises(ProcessLookupError):
            os.kill(first.pid, 0)  # the frozen one is gone, not left behind
    [restart] = supervisor.restarts
    assert restart.death.silent_s is not None
    assert restart.death.silent_s >= 5
    [line] = restart_lines(caplog)
    assert "không phản hồi 5 giây / not answering for 5 s" in line


def test_an_app_that_never_answers_is_restarted_after_its_start_grace(tmp_path: Path) -> None:
    sleeper = AppSpec("sleeper", [sys.executable, "-c", "import time; time.sleep(600)"])
    with Supervisor([sleeper], tmp_path / "run", start_grace_s=1) as supervisor:
        wait_until("a restart", lambda: supervisor.restarts, timeout_s=20)
    assert supervisor.restarts[0].death.silent_s is not None


def test_a_crash_loop_backs_off(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="motcua.supervisor")
    crash = AppSpec("crash", [sys.executable, "-c", "import sys; sys.exit('boom: no config')"])
    with Supervisor(
        [crash], tmp_path / "run", first_delay_s=0.05, max_delay_s=0.4, poll_s=0.01
    ) as supervisor:
        wait_until("six restarts", lambda: len(supervisor.restarts) >= 6, timeout_s=30)
    delays = [r.delay_s for r in supervisor.restarts[:6]]
    assert delays == [0.05, 0.1, 0.2, 0.4, 0.4, 0.4]
    assert supervisor.starts("crash") <= len(supervisor.restarts) + 1
    first = supervisor.restarts[0]
    assert first.death.exit_code == 1
    assert first.tail == ("boom: no config",)
    assert len(restart_lines(caplog)) == len(supervisor.restarts)
    assert "exited with code 1" in restart_lines(caplog)[0]


FATAL = """
import os, sys
sys.stderr.write("Fatal Python error: none_dealloc: deallocating None\\n")
sys.stderr.write("Python runtime state: initialized\\n\\n")
sys.stderr.write("Current thread (most recent call first):\\n")
for line in range(40):
    sys.stderr.write(f'  File "kiosk/app.py", line {line} in tick\\n')
sys.stderr.write("Extension modules: PySide6.QtCore (total: 1)\\n")
sys.stderr.flush()
os.abort()
"""


def test_a_fatal_error_is_named_in_the_restart_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The fault of issue 10 ends in a thread dump: the line that matters is above it."""
    caplog.set_level(logging.INFO, logger="motcua.supervisor")
    dying = AppSpec("kiosk", [sys.executable, "-c", FATAL])
    with Supervisor([dying], tmp_path / "run") as supervisor:
        wait_until("a restart", lambda: supervisor.restarts, timeout_s=20)
    restart = supervisor.restarts[0]
    assert restart.death.signal_name == "SIGABRT"
    assert restart.cause == "Fatal Python error: none_dealloc: deallocating None"
    assert restart.cause not in restart.tail
    line = restart_lines(caplog)[0]
    assert "SIGABRT" in line
    assert "Fatal Python error: none_dealloc" in line


def test_a_counter_client_killed_comes_back_signed_in_at_its_counter(
    hall: Hall, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="motcua.supervisor")
    home = tmp_path / "home"
    # The clerk signed in at counter 2 on this PC today (as the desk keeps it on opening).
    with QueueClient(hall.server.url) as clerk:
        token = clerk.login("lan", PASSWORDS["lan"])
        clerk.open_counter(2)
    keeper = SessionKeeper(home / "data" / "motcua-counter" / FILE_NAME)
    keeper.save(hall.server.url, "lan", 2, token.access_token, token.expires_at)
    env = {"XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config")}
    spec = app(hall, "counter", env=env)
    with (
        Supervisor([spec], tmp_path / "run") as supervisor,
        hall.server.client(hall.tokens["sup"]) as sup,
    ):

        def held_by_lan() -> bool:
            counter = sup.get("/api/counters/2").json()
            return bool(counter["clerk"] == "Nguyễn Thị Lan")

        first = wait_until("first heartbeat", lambda: supervisor.beat("counter"))
        wait_until(
            "desk resumed", lambda: lines_of(supervisor, "counter", "lan resumed at counter 2")
        )
        killed_at = time.monotonic()
        os.kill(first.pid, signal.SIGKILL)
        new_beat_after(supervisor, "counter", first.pid)
        back_s = time.monotonic() - killed_at
        wait_until(
            "desk resumed again",
            lambda: lines_of(supervisor, "counter", "lan resumed at counter 2") >= 2,
        )
        desk_s = time.monotonic() - killed_at
        assert held_by_lan()
        assert keeper.load(hall.server.url) is not None
    print(f"SIGKILL → heartbeat {back_s:.2f} s, → desk of counter 2 {desk_s:.2f} s")
    [line] = restart_lines(caplog)
    assert "SIGKILL" in line


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux's")
def test_apps_do_not_outlive_a_killed_supervisor(tmp_path: Path) -> None:
    """A demo whose terminal is closed, or that is killed, leaves no app behind."""
    pid_file = tmp_path / "app.pid"
    app_code = f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid()));"
    app_code += " time.sleep(600)"
    supervising = (
        "import sys, time, pathlib\n"
        "from motcua.supervisor import AppSpec, Supervisor\n"
        f"app = AppSpec('app', [sys.executable, '-c', {app_code!r}])\n"
        f"Supervisor([app], pathlib.Path({str(tmp_path / 'run')!r})).start()\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", supervising])
    try:
        child = int(wait_until("the app's pid", lambda: pid_file.exists() and pid_file.read_text()))
        parent.kill()
        parent.wait(10)

        def gone() -> bool:
            try:
                os.kill(child, 0)
            except ProcessLookupError:
                return True
            return False

        wait_until("the app's end", gone, timeout_s=20)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(10)
