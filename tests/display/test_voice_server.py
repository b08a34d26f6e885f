"""The voice the server makes for every board: chime, sentences, clips, the CLI."""

from __future__ import annotations

import io
import math
import shutil
import wave
from pathlib import Path

import pytest
from click.testing import CliRunner

from motcua.cli import main
from queue_server.voice import (
    CACHE_DIR,
    CLIPS_DIR,
    Voice,
    VoiceUnavailable,
    chime_wav,
    duration_s,
    join_wavs,
    read_wav,
)
from tests.display.conftest import App

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng missing")


def tone(seconds: float, framerate: int = 16000) -> bytes:
    """A recorded 'word' for a clips folder: a short tone."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(framerate)
        count = int(seconds * framerate)
        writer.writeframes(
            b"".join(
                int(8000 * math.sin(i / 8)).to_bytes(2, "little", signed=True) for i in range(count)
            )
        )
    return buffer.getvalue()


def test_the_chime_is_two_tones_of_a_second_and_a_half() -> None:
    fmt, frames = read_wav(chime_wav())
    assert (fmt.channels, fmt.sampwidth, fmt.framerate) == (1, 2, 22050)
    assert duration_s(chime_wav()) == pytest.approx(1.5, abs=0.01)
    assert max(frames) > 0  # not silence


def test_any_token_gets_the_chime_and_no_token_gets_401(app: App) -> None:
    for who in ("display", "kiosk", "lan"):
        response = app.get("/api/voice/chime.wav", who)
        assert response.status_code == 200
        assert response.headers["content-type"] == "audio/wav"
        assert duration_s(response.content) > 1
    assert app.get("/api/voice/chime.wav", None).status_code == 401


@needs_espeak
def test_a_call_is_spoken_by_espeak_and_cached_under_the_data_dir(app: App) -> None:
    response = app.get("/api/voice/call.wav", number="1005", counter=3)
    assert response.status_code == 200, response.text
    assert 3 < duration_s(response.content) < 8
    cached = list((app.data_dir / CACHE_DIR).glob("*.wav"))
    assert len(cached) == 1
    again = app.get("/api/voice/call.wav", number="1005", counter=3)
    assert again.content == response.content == cached[0].read_bytes()
    slower = app.get("/api/voice/call.wav", number="1005", counter=3, rate=0.7)
    assert duration_s(slower.content) > duration_s(response.content)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"number": "1005"},
        {"counter": 3},
        {"number": "", "counter": 3},
        {"number": "10 05", "counter": 3},
        {"number": "1005/../x", "counter": 3},
        {"number": "Đ005", "counter": 3},
        {"number": "1" * 17, "counter": 3},
        {"number": "1005", "counter": 0},
        {"number": "1005", "counter": 1000},
        {"number": "1005", "counter": "ba"},
        {"number": "1005", "counter": 3, "rate": "nan"},
        {"number": "1005", "counter": 3, "rate": "inf"},
        {"number": "1005", "counter": 3, "rate": 9},
        {"number": "1005", "counter": 9},  # no such counter in the site
    ],
)
def test_bad_input_is_a_4xx_never_a_5xx(app: App, params: dict[str, object]) -> None:
    response = app.get("/api/voice/call.wav", **params)
    assert 400 <= response.status_code < 500, response.text
    assert "detail" in response.json()


def test_a_server_without_any_voice_answers_404_with_a_reason(app: App, tmp_path: Path) -> None:
    app.client.app.state.voice = Voice(tmp_path / "cache", espeak="no-such-espeak")  # type: ignore[attr-defined]
    response = app.get("/api/voice/call.wav", number="1005", counter=3)
    assert response.status_code == 404
    assert "espeak-ng" in response.json()["detail"]


SENTENCE = "mời công dân có số thứ tự một nghìn không trăm linh năm đến quầy số ba"
SENTENCE_WORDS = SENTENCE.split(" ")


def test_recorded_clips_are_joined_longest_phrase_first(app: App) -> None:
    clips = app.data_dir / CLIPS_DIR
    clips.mkdir()
    # One clip for the opening phrase (its file name has spaces and capitals), one per other word.
    (clips / "Mời công dân có số thứ tự.wav").write_bytes(tone(1.0))
    for word in SENTENCE_WORDS[7:]:
        (clips / f"{word}.wav").write_bytes(tone(0.2))
    response = app.get("/api/voice/call.wav", number="1005", counter=3)
    assert response.status_code == 200
    parts = 1 + len(SENTENCE_WORDS[7:])
    expected = 1.0 + 0.2 * (parts - 1) + 0.04 * (parts - 1)
    assert duration_s(response.content) == pytest.approx(expected, abs=0.01)
    assert read_wav(response.content)[0].framerate == 16000


@needs_espeak
def test_a_missing_clip_falls_back_to_espeak(app: App, caplog: pytest.LogCaptureFixture) -> None:
    clips = app.data_dir / CLIPS_DIR
    clips.mkdir()
    for word in SENTENCE_WORDS[:-1]:  # no "ba"
        (clips / f"{word}.wav").write_bytes(tone(0.2))
    response = app.get("/api/voice/call.wav", number="1005", counter=3)
    assert response.status_code == 200
    assert read_wav(response.content)[0].framerate == 22050  # espeak-ng's
    assert "no recorded clip for: ba" in caplog.text


def test_clips_of_different_formats_are_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / "xin.wav").write_bytes(tone(0.1, 16000))
    (tmp_path / "chào.wav").write_bytes(tone(0.1, 22050))
    with pytest.raises(VoiceUnavailable, match="cannot be joined"):
        Voice(tmp_path / "cache", tmp_path).from_clips("Xin chào")
    with pytest.raises(ValueError, match="differ in format"):
        join_wavs([tone(0.1, 16000), tone(0.1, 8000)])


@needs_espeak
def test_voice_wav_writes_the_whole_announcement(tmp_path: Path) -> None:
    out = tmp_path / "call.wav"
    result = CliRunner().invoke(main, ["voice", "wav", "1005", "3", str(out)])
    assert result.exit_code == 0, result.output
    # chime 1.5 s + pause + sentence + pause + sentence
    assert duration_s(out.read_bytes()) > 8
    assert "một nghìn không trăm linh năm" in result.output


def test_voice_wav_with_clips_names_the_missing_words(tmp_path: Path) -> None:
    (tmp_path / "mời.wav").write_bytes(tone(0.1))
    result = CliRunner().invoke(
        main, ["voice", "wav", "A005", "3", str(tmp_path / "x.wav"), "--clips", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "no recorded clip for: công, dân" in result.output
    assert not (tmp_path / "x.wav").exists()


def test_voice_wav_with_a_complete_clips_folder(tmp_path: Path) -> None:
    for word in {*SENTENCE_WORDS, "a"}:
        (tmp_path / f"{word}.wav").write_bytes(tone(0.1))
    out = tmp_path / "out.wav"
    args = ["voice", "wav", "A005", "3", str(out), "--clips", str(tmp_path), "--reading", "digits"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "a không không năm" in result.output
    assert duration_s(out.read_bytes()) > 2
