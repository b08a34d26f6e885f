"""The server's audio for this board, fetched once and kept in a folder.

The server makes every sound (`/api/voice/…`), so all boards say the same
words in the same voice; a board only downloads and plays them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

from display_board.errors import VoiceUnavailable
from queue_client import ClientError, QueueClient

SPEECH_RATE = 0.95


class ServerVoice:
    """Chime and call sentences as local WAV files (blocking: call it off the GUI thread).

    Args:
        base_url: the server.
        token: any valid token (the board's display token).
        folder: where the files are kept while the board runs.
        rate: speech rate, 1 being normal speed.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        folder: Path,
        rate: float = SPEECH_RATE,
        timeout_s: float = 10.0,
    ) -> None:
        self._server = (base_url, token, timeout_s)
        self._folder = folder
        self._rate = rate
        self._lock = threading.Lock()

    def chime(self) -> Path:
        return self._fetch("chime.wav", QueueClient.chime_audio)

    def call(self, number: str, counter: int) -> Path:
        if not re.fullmatch(r"[A-Za-z0-9]{1,16}", number):
            raise VoiceUnavailable(f"cannot say ticket number {number!r}")
        return self._fetch(
            f"call-{number}-{counter}.wav",
            lambda client: client.call_audio(number, counter, self._rate),
        )

    def _fetch(self, name: str, download: Callable[[QueueClient], bytes]) -> Path:
        target = self._folder / name
        if target.is_file():
            return target
        base_url, token, timeout_s = self._server
        try:
            # A connection per download: they are rare (each sound is kept) and a board
            # may run for months; nothing stays open between calls.
            with QueueClient(base_url, token, timeout_s=timeout_s) as client:
                audio = download(client)
        except ClientError as exc:
            raise VoiceUnavailable(f"no audio for {name}: {exc.message}") from exc
        with self._lock:
            self._folder.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".part")
            partial.write_bytes(audio)
            partial.replace(target)
        return target
