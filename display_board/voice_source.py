"""The server's audio for this board, fetched once and kept in a folder.

The server makes every sound (`/api/voice/…`), so all boards say the same
words in the same voice; a board only downloads and plays them.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import httpx

from display_board.errors import VoiceUnavailable

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
        self._base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"}
        self._folder = folder
        self._rate = rate
        self._timeout_s = timeout_s
        self._lock = threading.Lock()

    def chime(self) -> Path:
        return self._fetch("chime.wav", "/api/voice/chime.wav", {})

    def call(self, number: str, counter: int) -> Path:
        if not re.fullmatch(r"[A-Za-z0-9]{1,16}", number):
            raise VoiceUnavailable(f"cannot say ticket number {number!r}")
        return self._fetch(
            f"call-{number}-{counter}.wav",
            "/api/voice/call.wav",
            {"number": number, "counter": str(counter), "rate": str(self._rate)},
        )

    def _fetch(self, name: str, path: str, params: dict[str, str]) -> Path:
        target = self._folder / name
        if target.is_file():
            return target
        try:
            response = httpx.get(
                self._base_url + path,
                params=params,
                headers=self._headers,
                timeout=self._timeout_s,
            )
        except httpx.HTTPError as exc:
            raise VoiceUnavailable(f"cannot reach the server for {path}: {exc}") from exc
        if response.status_code != 200:
            raise VoiceUnavailable(f"{path}: {response.status_code} {response.text[:200]}")
        with self._lock:
            self._folder.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".part")
            partial.write_bytes(response.content)
            partial.replace(target)
        return target
