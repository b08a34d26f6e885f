"""Voice on demand: new sentences rationed per token (a real `motcua serve`), espeak-ng
runs bounded, the cache kept under a size in bytes."""

from __future__ import annotations

import shutil
import stat
import threading
from pathlib import Path

import pytest

from queue_server.voice import Voice
from tests.helpers.server_process import running
from tests.server.conftest import prepare_data_dir

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng missing"),
]


def test_new_sentences_are_rationed_per_token_and_cached_ones_are_not(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir)
    env_file = tmp_path / "motcua.env"
    env_file.write_text("MOTCUA_VOICE_BURST=3\nMOTCUA_VOICE_INTERVAL_S=60\n", encoding="utf-8")
    args = ["serve", "--data-dir", str(data_dir), "--port", "0", "--env-file", str(env_file)]
    with running(args, tmp_path / "logs") as server:
        with server.client(tokens["display"]) as board:

            def say(number: int) -> int:
                response = board.get("/api/voice/call.wav", params={"number": number, "counter": 1})
                return response.status_code

            # Eight boards sharing the token ask for one new call at once: one run, one use.
            at_once: list[int] = []
            boards = [threading.Thread(target=lambda: at_once.append(say(1001))) for _ in range(8)]
            for thread in boards:
                thread.start()
            for thread in boards:
                thread.join(timeout=60)
            assert at_once == [200] * 8
            assert [say(n) for n in (1002, 1003)] == [200, 200]
            refused = board.get("/api/voice/call.wav", params={"number": 1004, "counter": 1})
            assert refused.status_code == 429
            assert int(refused.headers["retry-after"]) > 0
            assert "detail" in refused.json()
            assert say(1001) == 200  # already said: costs nothing, never refused
        with server.client(tokens["kiosk"]) as other:  # another token has its own ration
            response = other.get("/api/voice/call.wav", params={"number": 1004, "counter": 1})
            assert response.status_code == 200


def counting_espeak(tmp_path: Path) -> tuple[Path, Path]:
    """espeak-ng behind a script that logs how many runs are going on when each starts."""
    running_dir, log = tmp_path / "running", tmp_path / "runs.log"
    running_dir.mkdir()
    script = tmp_path / "espeak-counting"
    script.write_text(
        "#!/bin/sh\n"
        f'touch "{running_dir}/$$"\n'
        f'ls "{running_dir}" | wc -l >> "{log}"\n'
        "sleep 0.2\n"  # long enough for the others to pile up if nothing bounds them
        f'{shutil.which("espeak-ng")} "$@"; status=$?\n'
        f'rm "{running_dir}/$$"\n'
        "exit $status\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, log


def test_espeak_runs_are_bounded(tmp_path: Path) -> None:
    script, log = counting_espeak(tmp_path)
    voice = Voice(tmp_path / "cache", espeak=str(script), syntheses=2)
    threads = [
        threading.Thread(target=voice.speak, args=(f"Mời công dân số {n} đến quầy 1",))
        for n in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    counts = [int(line) for line in log.read_text().split()]
    assert len(counts) == 8
    assert max(counts) <= 2


def test_the_cache_is_kept_under_its_size_in_bytes(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    probe = Voice(cache).speak("Mời công dân số 1000 đến quầy 1")
    cap = len(probe) * 5  # room for about five sentences
    voice = Voice(cache, cache_max_bytes=cap)
    for n in range(1001, 1013):
        voice.speak(f"Mời công dân số {n} đến quầy 1")
        assert sum(p.stat().st_size for p in cache.glob("*.wav")) <= cap
    # The most recent sentence is kept; the first ones went.
    assert voice.cached("Mời công dân số 1012 đến quầy 1") is not None
    assert voice.cached("Mời công dân số 1000 đến quầy 1") is None
