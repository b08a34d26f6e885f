"""Keeps the hall's apps running: one that exits or stops answering is restarted, and said so.

Each app runs as a child process with a heartbeat file of its own (`MOTCUA_HEARTBEAT`),
which its GUI thread rewrites every second (`queue_client.liveness`). A watcher thread
polls every child: an exit is seen at once; a heartbeat that stops changing for
`stall_after_s` means the GUI thread froze (a deadlock, a stopped process), and the child
is killed. Either way one log line says which app, why (exit code or signal, or how long
it was silent) and the last lines it wrote, and the app starts again within 5 s. An app
that keeps dying is restarted after a doubling delay, never in a tight loop.

No Qt here: the supervisor must outlive the apps it watches.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from queue_client.beat import FROZEN_AFTER_S, HEARTBEAT_ENV, Beat

log = logging.getLogger(__name__)

STALL_AFTER_S = float(FROZEN_AFTER_S)
# Python, Qt and the first request to the server: a cold start on a busy PC.
START_GRACE_S = 30.0
POLL_S = 0.2
# The first restart comes at once; each further one within a crash loop doubles the wait.
FIRST_DELAY_S = 0.5
MAX_DELAY_S = 60.0
# A run this long was not part of a crash loop: the next death restarts at once again.
STABLE_S = 60.0
TAIL_LINES = 5
STOP_TIMEOUT_S = 5.0


@dataclass(frozen=True, slots=True)
class AppSpec:
    """An app to keep running: its name in the log, its command, extra environment."""

    name: str
    command: Sequence[str]
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Death:
    """Why a child ended: exactly one of `exit_code`, `signal_name`, `silent_s` is set."""

    exit_code: int | None = None
    signal_name: str | None = None
    silent_s: float | None = None

    @classmethod
    def from_returncode(cls, returncode: int) -> Death:
        if returncode < 0:
            try:
                name = signal.Signals(-returncode).name
            except ValueError:
                name = f"signal {-returncode}"
            return cls(signal_name=name)
        return cls(exit_code=returncode)

    @property
    def vietnamese(self) -> str:
        if self.silent_s is not None:
            return f"không phản hồi {self.silent_s:.0f} giây"
        if self.signal_name is not None:
            return f"bị dừng bởi tín hiệu {self.signal_name}"
        return f"thoát với mã {self.exit_code}"

    @property
    def english(self) -> str:
        if self.silent_s is not None:
            return f"not answering for {self.silent_s:.0f} s"
        if self.signal_name is not None:
            return f"killed by {self.signal_name}"
        return f"exited with code {self.exit_code}"


@dataclass(frozen=True, slots=True)
class Restart:
    """One restart, as logged once."""

    app: str
    pid: int
    death: Death
    lived_s: float
    delay_s: float
    tail: tuple[str, ...]
    cause: str | None = None  # the last error headline the app wrote lately, if any

    def message(self) -> str:
        """One log line, Vietnamese then English."""
        line = (
            f"{self.app} (pid {self.pid}) {self.death.vietnamese} / {self.death.english}"
            f" sau {self.lived_s:.1f} giây / after {self.lived_s:.1f} s;"
            f" khởi động lại sau {self.delay_s:.1f} giây / restarting in {self.delay_s:.1f} s"
        )
        if self.cause is not None and self.cause not in self.tail:
            line += f"; lỗi cuối / last error: {self.cause}"
        if self.tail:
            line += "; cuối nhật ký / last output: " + " ⏎ ".join(self.tail)
        return line


class _Child:
    """One app: its current process (or None while a restart is due) and its history."""

    def __init__(self, spec: AppSpec, run_dir: Path) -> None:
        self.spec = spec
        self.heartbeat = run_dir / f"{spec.name}.heartbeat"
        self.log_path = run_dir / f"{spec.name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.started = 0.0
        self.log_offset = 0
        self.last_beat_at: float | None = None  # the file's own `at`, to see it change
        self.last_change = 0.0  # monotonic time the beat last changed (or the start)
        self.due = 0.0
        self.failures = 0
        self.starts = 0


class Supervisor:
    """Starts `apps`, keeps them running until `stop()`.

    Args:
        apps: what to run; names must be distinct (they name the files in `run_dir`).
        run_dir: where each app's heartbeat file and log file (`NAME.log`, its stdout and
            stderr) live.
        on_restart: called on the watcher thread for every restart (the demo narrates it).
    """

    def __init__(
        self,
        apps: Sequence[AppSpec],
        run_dir: Path,
        *,
        on_restart: Callable[[Restart], None] | None = None,
        stall_after_s: float = STALL_AFTER_S,
        start_grace_s: float = START_GRACE_S,
        first_delay_s: float = FIRST_DELAY_S,
        max_delay_s: float = MAX_DELAY_S,
        stable_s: float = STABLE_S,
        poll_s: float = POLL_S,
    ) -> None:
        run_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir = run_dir
        self._children = {spec.name: _Child(spec, run_dir) for spec in apps}
        self._on_restart = on_restart
        self.stall_after_s = stall_after_s
        self.start_grace_s = start_grace_s
        self.first_delay_s = first_delay_s
        self.max_delay_s = max_delay_s
        self.stable_s = stable_s
        self._poll_s = poll_s
        self.restarts: list[Restart] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="supervisor", daemon=True)

    # --- the public face ------------------------------------------------------------------

    def start(self) -> None:
        """Start watching; the watcher thread starts every app at once (see `_die_with_us`)."""
        self._thread.start()

    def stop(self) -> None:
        """Stop watching, then ask every app to end (SIGTERM), killing those that don't."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()
        with self._lock:
            running = [c.process for c in self._children.values() if c.process is not None]
            for process in running:
                if process.poll() is None:
                    _end(process, force=False)
            for process in running:
                try:
                    process.wait(STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    _end(process, force=True)
                    process.wait()

    def __enter__(self) -> Supervisor:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def pid(self, name: str) -> int | None:
        """The running process of app `name`, or None while it is being restarted."""
        process = self._children[name].process
        return process.pid if process is not None and process.poll() is None else None

    def beat(self, name: str) -> Beat | None:
        """App `name`'s last heartbeat, if it came from the process running now."""
        child = self._children[name]
        beat = Beat.read(child.heartbeat)
        pid = self.pid(name)
        return beat if beat is not None and beat.pid == pid else None

    def log_path(self, name: str) -> Path:
        return self._children[name].log_path

    def starts(self, name: str) -> int:
        return self._children[name].starts

    # --- the watcher ----------------------------------------------------------------------

    def _watch(self) -> None:
        first = True
        while first or not self._stopping.wait(self._poll_s):
            first = False
            with self._lock:
                if self._stopping.is_set():
                    return
                for child in self._children.values():
                    try:
                        self._check(child)
                    except OSError as exc:  # e.g. no such command: keep the others going
                        log.error("%s: %s", child.spec.name, exc)
                        child.process = None
                        self._schedule(child, None, Death(exit_code=127), time.monotonic())
                    except Exception:  # the watcher must outlive anything one app does
                        log.exception("supervising %s", child.spec.name)

    def _check(self, child: _Child) -> None:
        now = time.monotonic()
        process = child.process
        if process is None:
            if now >= child.due:
                self._spawn(child)
            return
        returncode = process.poll()
        if returncode is not None:
            self._schedule(child, process, Death.from_returncode(returncode), now)
            return
        # Any beat counts, whatever its pid: the file was deleted before this start, and an
        # app started through a wrapper (`sh -c`, `xvfb-run`) beats from a grandchild.
        beat = Beat.read(child.heartbeat)
        if beat is not None and beat.at != child.last_beat_at:
            child.last_beat_at = beat.at
            child.last_change = now
        silent_s = now - child.last_change
        limit = self.stall_after_s if child.last_beat_at is not None else self.start_grace_s
        if silent_s >= limit:
            # SIGKILL: a stopped or deadlocked process would never act on SIGTERM.
            _end(process, force=True)
            process.wait()
            self._schedule(child, process, Death(silent_s=silent_s), now)

    def _schedule(
        self, child: _Child, process: subprocess.Popen[bytes] | None, death: Death, now: float
    ) -> None:
        lived_s = now - child.started
        child.failures = 1 if lived_s >= self.stable_s else child.failures + 1
        delay_s = min(self.max_delay_s, self.first_delay_s * 2 ** (child.failures - 1))
        child.process = None
        child.due = now + delay_s
        restart = Restart(
            child.spec.name,
            process.pid if process is not None else 0,
            death,
            lived_s,
            delay_s,
            *_last_words(child.log_path, child.log_offset),
        )
        self.restarts.append(restart)
        log.warning("%s", restart.message())
        if self._on_restart is not None:
            try:
                self._on_restart(restart)
            except Exception:
                log.exception("on_restart failed")

    def _spawn(self, child: _Child) -> None:
        child.started = child.last_change = time.monotonic()
        child.last_beat_at = None
        with contextlib.suppress(FileNotFoundError):
            child.heartbeat.unlink()  # a beat of the last run must not pass for this one's
        env = {**os.environ, **child.spec.env, HEARTBEAT_ENV: str(child.heartbeat)}
        output: IO[bytes]
        with child.log_path.open("ab") as output:
            child.log_offset = output.tell()
            child.process = subprocess.Popen(
                list(child.spec.command),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                env=env,
                # Its own session: Ctrl-C in the demo's terminal reaches the supervisor,
                # which then stops the apps itself, rather than each app dying on its own.
                start_new_session=True,
                preexec_fn=_die_with_us if _libc is not None else None,
            )
        child.starts += 1
        log.info("%s started (pid %d)", child.spec.name, child.process.pid)


_PR_SET_PDEATHSIG = 1
_libc: Any = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def _die_with_us() -> None:
    """In the child, before exec: on Linux, SIGTERM it when the thread that started it ends.

    Apps in a session of their own would outlive a supervisor that is killed, or whose
    terminal is closed (SIGHUP). That thread is the watcher, which lives as long as the
    supervisor does. Elsewhere nothing is done.
    """
    if _libc is not None:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def _end(process: subprocess.Popen[bytes], force: bool) -> None:
    """SIGTERM (or SIGKILL) the app's whole process group, wrappers' children included."""
    if sys.platform == "win32":
        if force:
            process.kill()
        else:
            process.terminate()
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL if force else signal.SIGTERM)


# What an app's death looks like in its output: CPython's fatal error (the PySide6 fault of
# issue 10 ends so, followed by a long thread dump), the last line of a traceback, a log
# line at ERROR or above.
_CAUSE = re.compile(
    r"^(Fatal Python error: .*|[\w.]*(Error|Exception|Exit)\b.*)$|\b(ERROR|CRITICAL)\b"
)


def _last_words(path: Path, offset: int) -> tuple[tuple[str, ...], str | None]:
    """The last non-blank lines an app wrote since `offset` of its log file, and the last
    of them all that reads as the cause of its death."""
    try:
        with path.open("rb") as output:
            output.seek(offset)
            text = output.read()[-65_536:].decode("utf-8", errors="replace")
    except OSError:
        return (), None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # Within a fatal error's thread dump, not from an unrelated hour earlier.
    cause = next((line for line in reversed(lines[-200:]) if _CAUSE.search(line)), None)
    return tuple(lines[-TAIL_LINES:]), cause
