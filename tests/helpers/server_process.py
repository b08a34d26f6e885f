"""Real `motcua` processes for tests that drive the server from outside.

`serve()` starts `motcua serve --port 0` on a data directory, waits for the line
that says where it listens, and always kills the process when the test ends.
`motcua()` runs one admin command to completion.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

MOTCUA = str(Path(sys.executable).with_name("motcua"))
URL_LINE = re.compile(r"http://[\w.\-\[\]:]+:(\d+)")
START_TIMEOUT_S = 20.0


def child_env() -> dict[str, str]:
    """The environment without the settings the tests mean to give as flags.

    PYTHONUNBUFFERED goes too: a supervisor reading the URL line through a pipe
    must get it although stdout is then block-buffered.
    """
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MOTCUA_") and k != "PYTHONUNBUFFERED"
    }


def motcua(
    *args: str, stdin: str = "", timeout: float = 30, command: Sequence[str] = (MOTCUA,)
) -> subprocess.CompletedProcess[str]:
    """Run `motcua ARGS…` to completion (the password, if any, on `stdin`)."""
    return subprocess.run(
        [*command, *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        env=child_env(),
        check=False,
    )


class ServerProcess:
    """A running `motcua serve` (or `motcua demo`) with its stdout drained by a thread."""

    def __init__(self, process: subprocess.Popen[str], stderr_path: Path) -> None:
        self.process = process
        self.stderr_path = stderr_path
        self.lines: list[str] = []
        self._seen: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        self.url = self._wait_for_url()

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            self._seen.put(line)
        self._seen.put(None)

    def _wait_for_url(self) -> str:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                line = self._seen.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(
                    f"no URL line within {START_TIMEOUT_S} s; stderr:\n{self.stderr()}"
                ) from None
            if line is None:
                self.process.wait(timeout=5)
                raise AssertionError(
                    f"exited with {self.process.returncode} before listening;"
                    f" stdout: {self.lines}; stderr:\n{self.stderr()}"
                )
            found = URL_LINE.search(line)
            if found:
                return f"http://127.0.0.1:{found.group(1)}"

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def client(self, token: str | None = None, timeout: float = 10) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
        """Send `sig`, wait for the exit, and return the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"still running {timeout} s after signal {sig}") from None
        self._reader.join(timeout=5)
        return code

    def stop_cleanly(self, sig: int = signal.SIGTERM) -> None:
        """Stop with `sig` and check it was an orderly exit: code 0, no traceback."""
        code = self.stop(sig)
        errors = self.stderr()
        assert code == 0, f"exit code {code} after signal {sig}; stderr:\n{errors}"
        assert "Traceback" not in errors, errors

    def kill(self) -> None:
        """SIGKILL: the power cut. No shutdown code runs."""
        self.stop(signal.SIGKILL)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        self._reader.join(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()


def _start(args: Sequence[str], log_dir: Path) -> tuple[subprocess.Popen[str], Path]:
    log_dir.mkdir(parents=True, exist_ok=True)
    stderr_path = log_dir / f"stderr-{len(list(log_dir.glob('stderr-*')))}.log"
    with stderr_path.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            [MOTCUA, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            encoding="utf-8",
            env=child_env(),
        )
    return process, stderr_path


@contextmanager
def running(args: Sequence[str], log_dir: Path) -> Iterator[ServerProcess]:
    """Start `motcua ARGS…`, wait for its URL line; kill it whatever happens."""
    process, stderr_path = _start(args, log_dir)
    server: ServerProcess | None = None
    try:
        server = ServerProcess(process, stderr_path)
        yield server
    finally:
        if server is not None:
            server.close()
        else:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)
            if process.stdout is not None:
                process.stdout.close()


@contextmanager
def serve(data_dir: Path, site_file: Path | None = None) -> Iterator[ServerProcess]:
    """`motcua serve --data-dir DATA_DIR --port 0 [--site SITE_FILE]`, on 127.0.0.1."""
    args = ["serve", "--data-dir", str(data_dir), "--host", "127.0.0.1", "--port", "0"]
    if site_file is not None:
        args += ["--site", str(site_file)]
    with running(args, data_dir.parent / f"{data_dir.name}-logs") as server:
        yield server
