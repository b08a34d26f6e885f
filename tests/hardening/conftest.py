"""A real `motcua serve` on a prepared hall, and what to measure it with from outside."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.helpers.server_process import ServerProcess, serve
from tests.server.conftest import prepare_data_dir


@dataclass
class Served:
    server: ServerProcess
    tokens: dict[str, str]
    data_dir: Path


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir)
    with serve(data_dir) as server:
        yield Served(server, tokens, data_dir)


def rss_mib(pid: int, field_name: str = "VmRSS") -> float:
    """A process's resident memory (or its peak, `VmHWM`) from /proc, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field_name}:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no {field_name} for {pid}")


def client_from(url: str, address: str, timeout: float = 30) -> httpx.Client:
    """An HTTP client whose connections come from `address` (any of 127.0.0.0/8)."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=url, transport=transport, timeout=timeout)


@dataclass
class Watch:
    """Polls `/api/health` and the server's RSS while something else happens."""

    server: ServerProcess
    latencies_ms: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    peak_rss_mib: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _first: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _run(self) -> None:
        with self.server.client(timeout=30) as http:
            while not self._stop.is_set():
                self.peak_rss_mib = max(self.peak_rss_mib, rss_mib(self.server.process.pid))
                started = time.perf_counter()
                status = http.get("/api/health").status_code
                self.latencies_ms.append((time.perf_counter() - started) * 1000)
                self.statuses.append(status)
                self._first.set()
                self._stop.wait(0.02)

    def __enter__(self) -> Watch:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        # Watching from the first answer on: an attack over before the first poll would
        # otherwise leave nothing watched.
        self._first.wait(timeout=30)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join(timeout=60)

    def summary(self) -> str:
        lat = sorted(self.latencies_ms)
        p95 = lat[int(len(lat) * 0.95)] if lat else float("nan")
        return (
            f"health: {len(lat)} polls, median {statistics.median(lat):.1f} ms, "
            f"p95 {p95:.1f} ms, max {max(lat):.1f} ms; peak RSS {self.peak_rss_mib:.0f} MiB"
        )
