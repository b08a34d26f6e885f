"""The boards' voice, made on the server so every board, browser and TV sounds the same.

Speech comes from a folder of recorded clips when the centre provides one
(`DATA_DIR/voice-clips/`, one WAV per word or phrase, see docs/display.md), else
from espeak-ng's Vietnamese voice, run offline and cached on disk. The chime is
synthesised here (two bell tones), in the same format as the speech it precedes.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import logging
import math
import os
import shutil
import subprocess
import tempfile
import threading
import unicodedata
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

CLIPS_DIR = "voice-clips"
CACHE_DIR = "voice-cache"
SPEECH_RATE = 0.95  # a little slower than normal speech (DOMAIN.md)
ESPEAK_WPM = 175  # espeak-ng's normal speed, words per minute
ESPEAK_TIMEOUT_S = 5.0
CACHE_MAX_BYTES = 64 * 1024 * 1024  # ≈ 300 sentences of ≈ 200 KB; the least used go first
SYNTHESES_AT_ONCE = 2  # espeak-ng runs: one per core of a small server
SYNTHESIS_WAIT_S = 10.0  # how long a request waits for its turn before giving up
PAUSE_S = 0.7  # between the chime and a sentence, and between repeats
CLIP_GAP_S = 0.04  # between recorded words


class VoiceUnavailable(Exception):
    """Nothing can say this sentence: no espeak-ng, or it failed, and no complete clips."""


class VoiceRationed(Exception):
    """This caller may not have a new sentence synthesised now (its ration is used up)."""


class VoiceBusy(Exception):
    """espeak-ng is already running as often as allowed, and this request waited enough."""


@dataclass(frozen=True, slots=True)
class Format:
    channels: int = 1
    sampwidth: int = 2
    framerate: int = 22050  # espeak-ng's


@functools.cache
def chime_wav(fmt: Format = Format()) -> bytes:
    """Two bell tones, high then low (E5, C5), with a few harmonics and a soft decay."""
    frames = bytearray()
    for frequency, length_s in ((659.25, 0.55), (523.25, 0.95)):
        count = int(fmt.framerate * length_s)
        for i in range(count):
            t = i / fmt.framerate
            envelope = min(1.0, t / 0.005) * math.exp(-3.2 * t)
            tone = sum(
                weight * math.sin(2 * math.pi * frequency * partial * t)
                for partial, weight in ((1, 1.0), (2, 0.35), (3, 0.12))
            )
            sample = int(max(-1.0, min(1.0, 0.45 * envelope * tone)) * 32767)
            frames += sample.to_bytes(2, "little", signed=True) * fmt.channels
    return _wav(fmt, bytes(frames))


def announcement(sentence: bytes, repeat: int = 2) -> bytes:
    """The whole announcement as one WAV: the chime, then the sentence `repeat` times."""
    fmt, _ = read_wav(sentence)
    return join_wavs([chime_wav(fmt), *[sentence] * repeat], PAUSE_S)


def silence(fmt: Format, seconds: float) -> bytes:
    return bytes(int(fmt.framerate * seconds) * fmt.channels * fmt.sampwidth)


def read_wav(data: bytes) -> tuple[Format, bytes]:
    """The format and PCM frames of a 16-bit WAV; ValueError for anything else."""
    try:
        with wave.open(io.BytesIO(data)) as reader:
            fmt = Format(reader.getnchannels(), reader.getsampwidth(), reader.getframerate())
            frames = reader.readframes(reader.getnframes())
    except (wave.Error, EOFError) as exc:
        raise ValueError(f"not a PCM WAV file: {exc}") from exc
    if fmt.sampwidth != 2:
        raise ValueError("clips must be 16-bit PCM WAV")
    return fmt, frames


def join_wavs(parts: list[bytes], gap_s: float = 0.0) -> bytes:
    """One WAV of `parts` (all of one format) in order, `gap_s` of silence between them."""
    decoded = [read_wav(part) for part in parts]
    formats = {fmt for fmt, _ in decoded}
    if len(formats) != 1:
        raise ValueError(f"WAV parts differ in format: {sorted(map(str, formats))}")
    fmt = formats.pop()
    return _wav(fmt, silence(fmt, gap_s).join(frames for _, frames in decoded))


def duration_s(data: bytes) -> float:
    with wave.open(io.BytesIO(data)) as reader:
        return float(reader.getnframes()) / float(reader.getframerate())


def _wav(fmt: Format, frames: bytes) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(fmt.channels)
        writer.setsampwidth(fmt.sampwidth)
        writer.setframerate(fmt.framerate)
        writer.writeframes(frames)
    return buffer.getvalue()


def clip_key(words: str) -> str:
    """A clip's name for some words: NFC, lower case, single spaces ("mời công dân")."""
    return " ".join(unicodedata.normalize("NFC", words).lower().split())


class Voice:
    """Says call sentences as WAV bytes (thread-safe; the routes call it from a pool).

    Args:
        cache_dir: where espeak-ng's sentences are kept.
        clips_dir: a folder of recorded clips, used when it has every word of a sentence.
        espeak: the espeak-ng program.
        cache_max_bytes: the size the cache is kept under (the least recently used go).
        syntheses: espeak-ng runs at once; others wait up to `SYNTHESIS_WAIT_S`.
    """

    def __init__(
        self,
        cache_dir: Path,
        clips_dir: Path | None = None,
        espeak: str = "espeak-ng",
        *,
        cache_max_bytes: int = CACHE_MAX_BYTES,
        syntheses: int = SYNTHESES_AT_ONCE,
    ) -> None:
        self.cache_dir = cache_dir
        self.clips_dir = clips_dir
        self.espeak = espeak
        self.cache_max_bytes = cache_max_bytes
        self._syntheses = threading.BoundedSemaphore(syntheses)
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._reported: set[str] = set()

    @classmethod
    def for_data_dir(
        cls,
        data_dir: Path,
        cache_max_bytes: int = CACHE_MAX_BYTES,
        syntheses: int = SYNTHESES_AT_ONCE,
    ) -> Voice:
        return cls(
            data_dir / CACHE_DIR,
            data_dir / CLIPS_DIR,
            cache_max_bytes=cache_max_bytes,
            syntheses=syntheses,
        )

    def cached(self, text: str, rate: float = SPEECH_RATE) -> bytes | None:
        """The sentence when saying it costs nothing new: from the clips or the cache."""
        if self.clips_dir is not None and self.clips_dir.is_dir():
            try:
                return self.from_clips(text)
            except VoiceUnavailable:
                pass
        path = self._cache_path(text, rate)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: kept longest when the cache is trimmed
        return data

    def speak(
        self, text: str, rate: float = SPEECH_RATE, ration: Callable[[], bool] | None = None
    ) -> bytes:
        """One sentence: from the clips when they hold every word, else from espeak-ng.

        `ration` is asked only when espeak-ng is about to run (not for what twenty boards
        asking at once get from the first one's run); False raises VoiceRationed."""
        if self.clips_dir is not None and self.clips_dir.is_dir():
            try:
                return self.from_clips(text)
            except VoiceUnavailable as exc:
                self._report_once(str(exc))
        return self.from_espeak(text, rate, ration)

    def chime(self, fmt: Format = Format()) -> bytes:
        return chime_wav(fmt)

    # --- recorded clips ------------------------------------------------------------------

    def clips(self) -> dict[str, Path]:
        """The clips folder's WAV files by `clip_key` of their names."""
        if self.clips_dir is None or not self.clips_dir.is_dir():
            return {}
        return {clip_key(p.stem): p for p in self.clips_dir.iterdir() if p.suffix == ".wav"}

    def from_clips(self, text: str) -> bytes:
        """`text` assembled from clips, longest phrase first ("mời công dân" before "mời")."""
        available = self.clips()
        words = clip_key(text).split()
        parts: list[bytes] = []
        missing: list[str] = []
        start = 0
        while start < len(words):
            for end in range(len(words), start, -1):
                path = available.get(" ".join(words[start:end]))
                if path is not None:
                    parts.append(path.read_bytes())
                    start = end
                    break
            else:
                missing.append(words[start])
                start += 1
        if missing:
            raise VoiceUnavailable(f"no recorded clip for: {', '.join(dict.fromkeys(missing))}")
        try:
            return join_wavs(parts, CLIP_GAP_S)
        except ValueError as exc:
            raise VoiceUnavailable(
                f"the clips in {self.clips_dir} cannot be joined: {exc}"
            ) from exc

    # --- espeak-ng -----------------------------------------------------------------------

    def _cache_path(self, text: str, rate: float) -> Path:
        words_per_minute = round(ESPEAK_WPM * rate)
        key = hashlib.sha256(f"espeak-ng|vi|{words_per_minute}|{text}".encode()).hexdigest()
        return self.cache_dir / f"{key[:32]}.wav"

    def from_espeak(
        self, text: str, rate: float = SPEECH_RATE, ration: Callable[[], bool] | None = None
    ) -> bytes:
        words_per_minute = round(ESPEAK_WPM * rate)
        path = self._cache_path(text, rate)
        with self._lock(path.stem):
            if path.is_file():
                return path.read_bytes()
            if ration is not None and not ration():
                raise VoiceRationed(text)
            if not self._syntheses.acquire(timeout=SYNTHESIS_WAIT_S):
                raise VoiceBusy(f"espeak-ng busy for over {SYNTHESIS_WAIT_S} s")
            try:
                data = self._run_espeak(text, words_per_minute)
            finally:
                self._syntheses.release()
            self._store(path, data)
        return data

    def _run_espeak(self, text: str, words_per_minute: int) -> bytes:
        program = shutil.which(self.espeak)
        if program is None:
            raise VoiceUnavailable("espeak-ng is not installed (Debian: apt install espeak-ng)")
        # A file, not --stdout: on a pipe espeak-ng cannot go back to write the lengths.
        with tempfile.TemporaryDirectory(prefix="motcua-voice-") as scratch:
            out = Path(scratch) / "speech.wav"
            command = [program, "-v", "vi", "-b", "1", "-s", str(words_per_minute), "-w", str(out)]
            try:
                subprocess.run(  # the text on stdin: a site's phrase can never pass as an option
                    command,
                    input=text.encode(),
                    capture_output=True,
                    timeout=ESPEAK_TIMEOUT_S,
                    check=True,
                )
                data = out.read_bytes()
                read_wav(data)
            except subprocess.TimeoutExpired as exc:
                raise VoiceUnavailable(f"espeak-ng took over {ESPEAK_TIMEOUT_S} s") from exc
            except (subprocess.CalledProcessError, OSError, ValueError) as exc:
                raise VoiceUnavailable(f"espeak-ng failed: {exc}") from exc
        return data

    def _store(self, path: Path, data: bytes) -> None:
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{threading.get_ident()}.part")
            partial.write_bytes(data)
            os.replace(partial, path)
            self._prune()
        except OSError as exc:  # a full or read-only disk costs speed, not the voice
            self._report_once(f"cannot cache voice in {self.cache_dir}: {exc}")

    def _prune(self) -> None:
        """Keep the cache under `cache_max_bytes`: past it, the least recently used go
        until it is down to three quarters (so pruning is not paid on every new sentence)."""
        files: list[tuple[float, int, Path]] = []
        for path in self.cache_dir.glob("*.wav"):
            with contextlib.suppress(OSError):  # another thread may have pruned it
                stat = path.stat()
                files.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in files)
        if total <= self.cache_max_bytes:
            return
        files.sort()
        for _, size, old in files:
            if total <= self.cache_max_bytes * 3 // 4:
                break
            old.unlink(missing_ok=True)
            total -= size

    def _lock(self, key: str) -> threading.Lock:
        # One synthesis per sentence: twenty boards asking at once wait for the first.
        with self._locks_guard:
            if len(self._locks) > 256:
                self._locks = {k: v for k, v in self._locks.items() if v.locked()}
            return self._locks.setdefault(key, threading.Lock())

    def _report_once(self, message: str) -> None:
        if message not in self._reported:
            self._reported.add(message)
            log.warning("voice: %s", message)
