"""Reports run in a worker process of their own, one at a time, at a lower priority: never
in the server's process, whose interpreter lock the counters' calls need. A worker that
dies is a StoreError (503) for that report, and the next report gets a new worker."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from queue_server.reports import WORKER_NICENESS, ReportRunner
from queue_server.store import StoreError
from tests.helpers.server_process import serve
from tests.server.conftest import prepare_data_dir


def where(data_dir: Path) -> tuple[int, int, str]:
    return os.getpid(), os.nice(0) if hasattr(os, "nice") else 0, data_dir.name


def die(data_dir: Path) -> None:
    os._exit(3)


def test_a_report_runs_in_a_lower_priority_worker_process(tmp_path: Path) -> None:
    runner = ReportRunner(tmp_path / "data")

    async def twice() -> list[tuple[int, int, str]]:
        return [await runner.run(where), await runner.run(where)]

    try:
        first, second = asyncio.run(twice())
    finally:
        runner.close()
    assert first == second  # one worker, kept
    pid, niceness, name = first
    assert pid != os.getpid()
    assert name == "data"
    if hasattr(os, "nice"):
        assert niceness >= os.nice(0) + WORKER_NICENESS


def test_a_dead_worker_fails_its_report_alone(tmp_path: Path) -> None:
    runner = ReportRunner(tmp_path)

    async def die_then_work() -> tuple[int, int, str]:
        with pytest.raises(StoreError):
            await runner.run(die)
        return await runner.run(where)

    try:
        pid, _, _ = asyncio.run(die_then_work())
    finally:
        runner.close()
    assert pid != os.getpid()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # "pid (command) state ppid ...": the command may hold spaces and parentheses.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_killed_server_leaves_no_report_worker_behind(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir)
    with serve(data_dir) as server, server.client(tokens["sup"]) as client:
        answer = client.get(
            "/api/reports/summary", params={"from": "2026-11-01", "to": "2026-11-30"}
        )
        assert answer.status_code == 200, answer.text
        workers = _children(server.process.pid)
        assert workers, "the report ran in no worker process"
        server.kill()
    deadline = time.monotonic() + 15
    while any(Path(f"/proc/{pid}").exists() for pid in workers):
        assert time.monotonic() < deadline, f"worker {workers} outlived its server"
        time.sleep(0.1)
