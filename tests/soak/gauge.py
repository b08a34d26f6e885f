"""What a soak test reads and how it drives an app hard: reference counts of the
singletons, the process's RSS, faster timers, and events pushed through an app's
own event-bridge signal.

Why the singletons: on CPython 3.11 `None`, `True` and `False` are ordinary
reference-counted objects. A binding that hands one back without taking its reference
(PySide6 6.12.0 does, on every call that returns None and every signal that carries a
bool) makes `sys.getrefcount(None)` fall by one per call, until the count reaches zero
and the interpreter aborts (`Fatal Python error: none_dealloc`). Ordinary code only
moves these counts up and down by what objects alive at that moment hold, so a count
that drifts by thousands over thousands of UI updates is the fault, not noise.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QObject, QTimer

from queue_client.qt import EventBridge
from queue_core.protocol import Event

# How far a count may move between two quiet moments without any fault: what the
# objects alive at that instant happen to hold (the waiting list the desk last read,
# a response in flight, the live server's asyncio timers and caches). Measured on
# PySide6 6.11.3 after warm-up: None and True wander within about ±350 and come back.
# Beyond that, 1 reference per 20 updates: the counter client's test gains about one
# per 16 updates on 6.11.3 (+5 a round, with no sign of which object holds them;
# < 1 KiB a round). The fault moves None by one to eighteen per update (measured on
# 6.12.0): at the first check that is 4× (kiosk) to 15× (board) the allowance.
REFCOUNT_TOLERANCE = 1000
REFCOUNT_PER_UPDATE = 0.05
# RSS growth allowed between the end of warm-up and any later check. The process
# holds the test's live server too (its SQLite page cache grows with the day's
# tickets) and glibc keeps freed arenas: measured growth on 6.11.3 is 0.0–2.2 MiB
# per test. 8 MiB is ~4× the most, and less than what a leak of 1.5 KiB per update
# (≥ 5,400 updates a test) or 90 KiB per round (≈ two ticket rasters) would add.
RSS_TOLERANCE_MIB = 8
# Periodic timers at or under this interval are UI tickers (a clock, a blink, a
# scrolling ticker, elapsed-time labels): the soak runs them at `FAST_TICK_MS`.
# Slower ones talk to the server or the printer and keep their pace.
TICKER_MAX_MS = 1000
FAST_TICK_MS = 2


def scale() -> float:
    """`MOTCUA_SOAK_SCALE` (or `--soak-scale`): 1 in CI, more to soak longer by hand."""
    return float(os.environ.get("MOTCUA_SOAK_SCALE", "1"))


def scaled(count: int) -> int:
    return max(1, round(count * scale()))


def rss_kib(pid: int | None = None) -> int:
    """VmRSS of a process (this one by default), from /proc/PID/status."""
    status = Path(f"/proc/{pid or os.getpid()}/status").read_text(encoding="ascii")
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc status")


@dataclass(frozen=True, slots=True)
class Reading:
    none: int
    true: int
    false: int
    rss_kib: int

    @classmethod
    def take(cls) -> Reading:
        """At a quiet moment: deferred deletes done, garbage collected."""
        app = QCoreApplication.instance()
        assert app is not None
        for _ in range(3):
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
            app.processEvents()
            gc.collect()
        return cls(sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False), rss_kib())


@dataclass(frozen=True, slots=True)
class Drift:
    """From the end of warm-up to the end of the soak, over `events` app updates."""

    start: Reading
    end: Reading
    events: int

    def per_thousand(self, delta: int) -> float:
        return delta * 1000 / self.events

    def describe(self) -> str:
        parts = []
        for name in ("none", "true", "false"):
            delta = getattr(self.end, name) - getattr(self.start, name)
            parts.append(f"{name} {delta:+d} ({self.per_thousand(delta):+.1f} per 1,000 events)")
        rss = (self.end.rss_kib - self.start.rss_kib) / 1024
        parts.append(f"RSS {self.start.rss_kib / 1024:.1f} → {self.end.rss_kib / 1024:.1f} MiB")
        parts.append(f"({rss:+.1f})")
        return f"over {self.events} events: " + ", ".join(parts)

    def check(self, warming_up: bool = False) -> None:
        """Fails on a refcount or RSS drift beyond what no fault explains.

        While `warming_up`, caches fill and counts may rise as they like; they still
        cannot fall by thousands, so a leak is caught there already, before it has
        drained a count far enough to abort the interpreter."""
        allowed = REFCOUNT_TOLERANCE + REFCOUNT_PER_UPDATE * self.events
        for name in ("none", "true", "false"):
            delta = getattr(self.end, name) - getattr(self.start, name)
            if warming_up:
                delta = min(delta, 0)
            assert abs(delta) <= allowed, (
                f"sys.getrefcount({name.capitalize()}) drifted {delta:+d} "
                f"{self.describe()}: a binding leaks references to {name.capitalize()}"
            )
        growth_mib = (self.end.rss_kib - self.start.rss_kib) / 1024
        assert warming_up or growth_mib <= RSS_TOLERANCE_MIB, (
            f"RSS grew {growth_mib:.1f} MiB {self.describe()}"
        )


class Waiter:
    """`qtbot.waitUntil` without its cost: pytest-qt makes a new event loop, timer and
    connection for each 10 ms poll and they are never freed until the test ends (six
    references to None each, measured), which over a day of waits drowns the signal
    this test looks for. One loop and one timer serve every wait here."""

    POLL_MS = 5

    def __init__(self) -> None:
        self._loop = QEventLoop()
        self._timer = QTimer(self._loop, singleShot=True, interval=self.POLL_MS)
        self._timer.timeout.connect(self._loop.quit)

    def until(self, condition: Callable[[], object], timeout_ms: int = 10_000) -> None:
        """Turn the event loop until `condition()` holds; TimeoutError after `timeout_ms`."""
        deadline = time.monotonic() + timeout_ms / 1000
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"still not true after {timeout_ms} ms: {condition}")
            self._timer.start()
            self._loop.exec()


def quicken(root: QObject, to_ms: int = FAST_TICK_MS) -> list[QTimer]:
    """Run `root`'s UI tickers (periodic, at most 1 s) every `to_ms` instead; returns them.

    They fire as Qt fires them, through their own slots: a day's clock ticks in seconds.
    """
    found = [
        timer
        for timer in root.findChildren(QTimer)
        if not timer.isSingleShot() and 0 < timer.interval() <= TICKER_MAX_MS
    ]
    for timer in found:
        timer.setInterval(to_ms)
    return found


class Recorder(QObject):
    """Keeps the events an app received from the server, to deliver them again."""

    def __init__(self, bridge: EventBridge) -> None:
        super().__init__(bridge)
        self.events: list[Event] = []
        self.received = 0
        bridge.event_received.connect(self._record)

    def _record(self, event: Event, _live: bool) -> None:
        self.received += 1
        if len(self.events) < 200:
            self.events.append(event)


def replay(bridge: EventBridge, events: list[Event], count: int) -> Iterator[int]:
    """Emit `count` recorded events through `bridge.event_received`, the signal the stream's
    worker thread emits: the app's slots run exactly as for a live event. Every fourth goes
    as a replayed (not live) one, so both `True` and `False` cross the signal. Yields after
    each event so the caller can let the loop turn."""
    assert events, "no event was recorded"
    for i in range(count):
        bridge.event_received.emit(events[i % len(events)], i % 4 != 0)
        yield i
