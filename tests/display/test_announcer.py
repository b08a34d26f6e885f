"""The queue of announcements: chime then sentence, `repeat` times, never overlapping."""

from __future__ import annotations

import io
import math
import threading
import time
import wave
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from display_board import announcer as announcer_module
from display_board.announcer import Announcement, Announcer
from tests.helpers.fake_audio import FakeAudioOutput, FakeVoice


def make(
    tmp_path: Path, output: FakeAudioOutput | None = None, **voice: object
) -> tuple[Announcer, FakeAudioOutput]:
    speaker = output or FakeAudioOutput()
    announcer = Announcer(speaker, FakeVoice(tmp_path, **voice), pause_ms=5, gap_ms=5)  # type: ignore[arg-type]
    return announcer, speaker


def said(number: str, counter: int, times: int = 2) -> list[str]:
    return ["chime.wav", *[f"call-{number}-{counter}.wav"] * times]


def test_one_call_is_the_chime_then_the_sentence_twice(qtbot: QtBot, tmp_path: Path) -> None:
    announcer, speaker = make(tmp_path)
    with qtbot.waitSignal(announcer.finished, timeout=5000) as done:
        announcer.announce("1005", 3)
    assert done.args == [Announcement("1005", 3)]
    assert speaker.played == said("1005", 3)
    assert announcer.pending == 0


def test_calls_wait_their_turn_and_never_overlap(qtbot: QtBot, tmp_path: Path) -> None:
    announcer, speaker = make(tmp_path)
    started: list[Announcement] = []
    announcer.started.connect(started.append)
    announcer.announce("1001", 1)
    announcer.announce("2001", 3)
    announcer.announce("1001", 1, recall=True)  # a recall is said again, in its turn
    qtbot.waitUntil(lambda: announcer.pending == 0, timeout=5000)
    assert speaker.played == said("1001", 1) + said("2001", 3) + said("1001", 1)
    assert [a.number for a in started] == ["1001", "2001", "1001"]
    assert started[2].recall
    assert speaker.overlaps == 0
    # Strictly alternating: every sound ends before the next starts.
    assert [kind for kind, _ in speaker.events] == ["start", "end"] * 9


def test_the_site_repeat_setting_is_followed(qtbot: QtBot, tmp_path: Path) -> None:
    announcer, speaker = make(tmp_path)
    announcer.repeat = 3
    with qtbot.waitSignal(announcer.finished, timeout=5000):
        announcer.announce("A005", 8)
    assert speaker.played == said("A005", 8, times=3)


def test_a_backlog_is_said_once_each_to_catch_up(qtbot: QtBot, tmp_path: Path) -> None:
    announcer, speaker = make(tmp_path)
    for number in ("1001", "1002", "1003", "1004", "1005"):
        announcer.announce(number, 1)
    qtbot.waitUntil(lambda: announcer.pending == 0, timeout=5000)
    # 1001 starts at once; 1002 leaves 3 behind it, so it is said once; then back to twice.
    assert speaker.played == (
        said("1001", 1) + said("1002", 1, 1) + said("1003", 1) + said("1004", 1) + said("1005", 1)
    )
    assert speaker.overlaps == 0


def test_a_call_without_voice_still_rings_the_chime(qtbot: QtBot, tmp_path: Path) -> None:
    announcer, speaker = make(tmp_path, failing=frozenset({"1001"}))
    announcer.announce("1001", 1)
    announcer.announce("1002", 1)
    qtbot.waitUntil(lambda: announcer.pending == 0, timeout=5000)
    assert speaker.played == ["chime.wav", *said("1002", 1)]


def test_a_slow_sentence_is_waited_for_after_the_chime(qtbot: QtBot, tmp_path: Path) -> None:
    gate = threading.Event()
    announcer, speaker = make(tmp_path, gate=gate)
    announcer.announce("1001", 1)
    qtbot.waitUntil(lambda: speaker.events == [("start", "chime.wav"), ("end", "chime.wav")])
    assert announcer.pending == 1
    gate.set()
    qtbot.waitUntil(lambda: announcer.pending == 0, timeout=5000)
    assert speaker.played == said("1001", 1)
    assert speaker.overlaps == 0


def test_a_sound_that_never_ends_is_cut_off(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(announcer_module, "WATCHDOG_SLACK_MS", 50)
    announcer, speaker = make(tmp_path, FakeAudioOutput(auto_finish=False))
    with qtbot.waitSignal(announcer.finished, timeout=5000):
        announcer.announce("1001", 1)
    assert [kind for kind, _ in speaker.events] == ["start", "stop"] * 3
    speaker.finish()  # a late end, after the watchdog gave up, changes nothing
    assert announcer.pending == 0


def tone_wav(path: Path, seconds: float, frequency: float) -> Path:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(22050)
        count = int(22050 * seconds)
        writer.writeframes(
            b"".join(
                int(6000 * math.sin(2 * math.pi * frequency * i / 22050)).to_bytes(
                    2, "little", signed=True
                )
                for i in range(count)
            )
        )
    path.write_bytes(buffer.getvalue())
    return path


# QtMultimedia reports each optional library it cannot load, and the missing sound server.
@pytest.mark.qt_log_ignore(
    "Couldn't (load|resolve)", "pa_context_connect", "No audio device", "PulseAudio"
)
def test_the_real_speaker_plays_each_sound_to_its_end(qtbot: QtBot, tmp_path: Path) -> None:
    from display_board.speaker import QtAudioOutput

    speaker = QtAudioOutput(volume=0.5)
    one = tone_wav(tmp_path / "one.wav", 0.3, 660)
    two = tone_wav(tmp_path / "two.wav", 0.4, 523)
    started = time.monotonic()
    for path in (one, one, two):  # the same file twice, as a sentence said twice
        with qtbot.waitSignal(speaker.finished, timeout=5000):
            speaker.play(path)
    elapsed = time.monotonic() - started
    assert elapsed >= 0.9  # played in real time, not skipped
