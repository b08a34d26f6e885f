"""The queue of announcements: a chime, then the call sentence `repeat` times.

One announcement at a time and one sound at a time, whatever arrives meanwhile:
calls wait their turn in order, and a recall is one more announcement. Each
call's sentence is fetched from the server as soon as the call arrives, so it is
usually ready by the time the chime has rung. A sound that never reports its end
is cut off by a watchdog, so a broken speaker cannot stall the queue.
"""

from __future__ import annotations

import functools
import logging
import wave
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from display_board.audio import AudioOutput
from queue_client.qt import Runner

log = logging.getLogger(__name__)

PAUSE_MS = 700  # after the chime and between repeats
GAP_MS = 500  # between two announcements
BACKLOG = 3  # announcements waiting beyond which each is said once, to catch up
WATCHDOG_SLACK_MS = 5000


class VoiceSource(Protocol):
    def chime(self) -> Path: ...

    def call(self, number: str, counter: int) -> Path: ...


@dataclass(frozen=True, slots=True)
class Announcement:
    number: str
    counter: int
    recall: bool = False


class _Fetch:
    """A sound being fetched: ready with a path, failed, or still on its way."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self.done = False


@dataclass(slots=True)
class _Job:
    announcement: Announcement
    speech: _Fetch


class Announcer(QObject):
    """Says calls one after another on `output`, with sounds from `voice`.

    Signals:
        started(Announcement): its chime is about to ring.
        finished(Announcement): its last word is said (or it could not be).
    """

    started = Signal(object)
    finished = Signal(object)

    def __init__(
        self,
        output: AudioOutput,
        voice: VoiceSource,
        repeat: int = 2,
        *,
        pause_ms: int = PAUSE_MS,
        gap_ms: int = GAP_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.repeat = repeat
        self._output = output
        self._voice = voice
        self._pause_ms = pause_ms
        self._gap_ms = gap_ms
        self._queue: deque[_Job] = deque()
        self._current: _Job | None = None
        self._steps: deque[str] = deque()
        self._playing = False
        # One download at a time, in the order the calls came.
        self._downloads = Runner(1, self)
        self._failures: set[str] = set()
        self._pause = QTimer(self, singleShot=True)
        self._pause.timeout.connect(self._advance)
        self._watchdog = QTimer(self, singleShot=True)
        self._watchdog.timeout.connect(self._stuck)
        output.finished.connect(self._played)
        self._chime = self._fetch(voice.chime)

    @property
    def pending(self) -> int:
        """Announcements not yet finished, the current one included."""
        return len(self._queue) + (self._current is not None)

    def announce(self, number: str, counter: int, recall: bool = False) -> None:
        fetch = self._fetch(functools.partial(self._voice.call, number, counter))
        self._queue.append(_Job(Announcement(number, counter, recall), fetch))
        self._advance()

    def _fetch(self, call: Any) -> _Fetch:
        fetch = _Fetch()

        def ready(path: Path) -> None:
            fetch.path, fetch.done = path, True
            self._advance()

        def failed(error: Exception) -> None:
            fetch.done = True
            if str(error) not in self._failures:  # once per cause, not once per call
                self._failures.add(str(error))
                log.warning("no voice for this call, the chime only: %s", error)
            self._advance()

        self._downloads.run(call, ready, failed)
        return fetch

    def _advance(self) -> None:
        while not self._playing and not self._pause.isActive():
            if self._current is None:
                if not self._queue:
                    return
                self._current = self._queue.popleft()
                times = self.repeat if len(self._queue) < BACKLOG else 1
                self._steps = deque(["chime", *["pause", "speech"] * times, "gap"])
                self.started.emit(self._current.announcement)
            if not self._steps:
                done, self._current = self._current, None
                self.finished.emit(done.announcement)
                continue
            step = self._steps.popleft()
            if step == "gap":
                self._pause.start(self._gap_ms)
                continue
            sound = self._chime if step == "chime" else self._current.speech
            if not sound.done:
                self._steps.appendleft(step)
                return  # still on its way from the server; its arrival resumes here
            if sound.path is None:
                continue  # no such sound: the chime alone, or the words alone
            if step == "pause":
                self._pause.start(self._pause_ms)
            else:
                self._play(sound.path)

    def _play(self, path: Path) -> None:
        self._playing = True
        self._watchdog.start(_duration_ms(path) + WATCHDOG_SLACK_MS)
        self._output.play(path)

    def _played(self) -> None:
        if self._playing:  # else the watchdog already gave up on it
            self._playing = False
            self._watchdog.stop()
            self._advance()

    def _stuck(self) -> None:
        log.warning("the speaker never finished a sound; skipping it")
        self._output.stop()
        self._playing = False
        self._advance()


def _duration_ms(path: Path) -> int:
    try:
        with wave.open(str(path)) as reader:
            return int(1000 * reader.getnframes() / reader.getframerate())
    except (OSError, wave.Error, EOFError, ZeroDivisionError):
        return 30_000
