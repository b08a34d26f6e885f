"""The benchmarks still measure what they say, at a size that proves it in seconds.

They run as the CI runs them, as processes, each against real `motcua serve` processes;
only their verdicts and the shape of their figures are checked, never a timing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.server_process import child_env

pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parents[2] / "bench"


def bench(script: str, *args: str) -> dict[str, Any]:
    """Run `bench/SCRIPT ARGS… --json`; its last line, parsed, once it exited 0."""
    result = subprocess.run(
        [sys.executable, str(BENCH / script), *args, "--json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=110,
        env=child_env(),
        check=False,
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["ok"] is True, figures
    return figures


def test_issue_beside_every_floor_late_in_a_day_with_history() -> None:
    figures = bench(
        "issue.py",
        *("--tickets", "40", "--clients", "2", "--today", "60", "--waiting", "25"),
        *("--history", "3", "--history-per-day", "20", "--counters", "3"),
    )
    assert figures["counters"] == 3  # a clerk calling at each of three counters
    assert "3 past days" in figures["prefill"]
    assert "60 served today + 25 waiting" in figures["prefill"]
    for phase in ("issue", "call_next", "floor_app", "floor_asgi", "sqlite3"):
        assert figures[phase]["count"] == 40, phase
        assert figures[phase]["bad"] == 0, phase
    for phase in ("issue", "call_next", "floor_app", "floor_asgi"):
        assert figures[phase]["server_cpu_ms_per_request"] is not None, phase
    assert figures["ratio_sqlite3"] > 0
    assert figures["ratio_floor_app"] > 0
    assert figures["ratio_floor_asgi"] > 0


def test_boards_reconnecting_at_once() -> None:
    figures = bench(
        "fanout.py",
        *("--reconnect", "30", "--kiosks", "2", "--history", "2", "--history-per-day", "20"),
    )
    storm = figures["reconnect"]
    assert storm["got"] == storm["boards"] == 30
    assert storm["kiosk_quiet"]["count"] > 0
    assert storm["kiosk_storm"]["bad"] == 0


def test_desks_over_a_long_queue() -> None:
    figures = bench(
        "fanout.py", *("--desks", "3", "--waiting", "40", "--desk-seconds", "2", "--pace", "4")
    )
    desks = figures["desks"]
    assert desks["health"]["count"] >= 10
    assert desks["waiting_list"]["count"] > 0
    assert desks["issue"]["count"] > 0
    assert desks["call_next"]["count"] > 0
    assert desks["list_bytes"] > 0


def test_the_hot_path_without_sockets() -> None:
    figures = bench("hot_path.py", *("--tickets", "64", "--connections", "4", "--clerks", "3"))
    motcua, calls, floor = figures["motcua"], figures["call_next"], figures["floor"]
    assert motcua["tickets"] == floor["tickets"] == 64
    assert motcua["other"] == calls["other"] == floor["other"] == []
    # Every answer was a ticket, and each is in the database (the warm-up's too).
    assert figures["stored"] == motcua["created"] > 64
    assert motcua["cpu_us_per_ticket"] > floor["cpu_us_per_ticket"] > 0
    # The clerks called every one of them, each once (the bench checks which).
    assert calls["calls"] == figures["stored"]
    assert calls["cpu_us_per_call"] > 0
    assert figures["ok"]
