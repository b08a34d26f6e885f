"""The board's loudspeaker as the announcer sees it: one WAV at a time, and when it ends.

The real one is `display_board.speaker.QtAudioOutput`; tests pass a fake.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal


class AudioOutput(QObject):
    """Plays one file at a time; `finished` once per `play`, when it ended or failed."""

    finished = Signal()

    def play(self, path: Path) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        """Cut the current sound short, without `finished`."""
        raise NotImplementedError

    def set_volume(self, volume: float) -> None:
        """0.0 (silent) to 1.0."""
        raise NotImplementedError
