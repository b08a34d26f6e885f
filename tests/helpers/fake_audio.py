"""A loudspeaker and a voice for the display board's tests.

`FakeAudioOutput` is the edge the announcer plays to: it plays nothing, takes
`duration_ms` per sound (or waits for `finish()`), and records what it was asked
to play and whether a sound ever started while another was still playing.
`FakeVoice` stands in for the server's audio where a test needs to fail or delay it.
"""

from __future__ import annotations

import io
import threading
import wave
from pathlib import Path

from PySide6.QtCore import QTimer

from display_board.audio import AudioOutput
from display_board.errors import VoiceUnavailable


class FakeAudioOutput(AudioOutput):
    def __init__(self, duration_ms: int = 20, auto_finish: bool = True) -> None:
        super().__init__()
        self.played: list[str] = []  # file names, in order
        self.events: list[tuple[str, str]] = []  # ("start" | "end" | "stop", file name)
        self.overlaps = 0
        self.playing: str | None = None
        self.volume = 1.0
        self.auto_finish = auto_finish
        self._timer = QTimer(self, singleShot=True, interval=duration_ms)
        self._timer.timeout.connect(self.finish)

    def play(self, path: Path) -> None:
        if self.playing is not None:
            self.overlaps += 1
        self.playing = path.name
        self.played.append(path.name)
        self.events.append(("start", path.name))
        if self.auto_finish:
            self._timer.start()

    def finish(self) -> None:
        if self.playing is not None:
            self.events.append(("end", self.playing))
            self.playing = None
            self.finished.emit()

    def stop(self) -> None:
        self._timer.stop()
        if self.playing is not None:
            self.events.append(("stop", self.playing))
            self.playing = None

    def set_volume(self, volume: float) -> None:
        self.volume = volume


def tiny_wav(seconds: float = 0.01) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(bytes(2 * int(8000 * seconds)))
    return buffer.getvalue()


class FakeVoice:
    """Sounds as tiny WAV files named like the real `ServerVoice`'s.

    Args:
        folder: where the files go.
        failing: numbers whose sentence cannot be had.
        gate: when given, sentences wait for it to be set (a slow server).
    """

    def __init__(
        self,
        folder: Path,
        failing: frozenset[str] = frozenset(),
        gate: threading.Event | None = None,
    ) -> None:
        self.folder = folder
        self.failing = failing
        self.gate = gate
        folder.mkdir(parents=True, exist_ok=True)

    def chime(self) -> Path:
        return self._file("chime.wav")

    def call(self, number: str, counter: int) -> Path:
        if self.gate is not None:
            self.gate.wait(10)
        if number in self.failing:
            raise VoiceUnavailable(f"no voice for {number}")
        return self._file(f"call-{number}-{counter}.wav")

    def _file(self, name: str) -> Path:
        path = self.folder / name
        if not path.exists():  # pool threads may race here: write aside, then rename
            partial = path.with_suffix(f".{threading.get_ident()}")
            partial.write_bytes(tiny_wav())
            partial.replace(path)
        return path
