"""The real loudspeaker: QtMultimedia's QMediaPlayer.

It plays to the end in real time even on a machine with no sound server
(TECH-NOTES), so a board whose speaker is unplugged still keeps its queue moving.
Imported only by boards that speak: loading QtMultimedia costs time and log lines.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

from display_board.audio import AudioOutput

log = logging.getLogger(__name__)


class QtAudioOutput(AudioOutput):
    def __init__(self, volume: float = 1.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._output = QAudioOutput(self)
        self._player = QMediaPlayer(self)
        self._player.setAudioOutput(self._output)
        self._player.mediaStatusChanged.connect(self._status_changed)
        self._player.errorOccurred.connect(self._failed)
        self._playing = False
        self.set_volume(volume)

    def play(self, path: Path) -> None:
        self._playing = True
        url = QUrl.fromLocalFile(str(path))
        if self._player.source() == url:
            self._player.setPosition(0)  # the same sentence again: the second time it is said
        else:
            self._player.setSource(url)
        self._player.play()

    def stop(self) -> None:
        self._playing = False
        self._player.stop()

    def set_volume(self, volume: float) -> None:
        self._output.setVolume(max(0.0, min(1.0, volume)))

    def _status_changed(self, status: QMediaPlayer.MediaStatus) -> None:
        if status in (QMediaPlayer.MediaStatus.EndOfMedia, QMediaPlayer.MediaStatus.InvalidMedia):
            self._done()

    def _failed(self, error: QMediaPlayer.Error, message: str) -> None:
        log.warning("cannot play %s: %s", self._player.source().toLocalFile(), message)
        self._done()

    def _done(self) -> None:
        if self._playing:
            self._playing = False
            self.finished.emit()
