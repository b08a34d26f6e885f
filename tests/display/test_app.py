"""`motcua display` as a process: it connects, speaks, and ends cleanly on SIGTERM."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading

from tests.helpers.live_server import LiveServer


def test_the_board_runs_follows_the_server_and_stops_on_sigterm(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MOTCUA_TOKEN": tokens["display"]}
    command = [
        sys.executable,
        "-m",
        "queue_server",
        "display",
        "--server",
        server.url,
        "--windowed",
    ]
    lines: queue.Queue[str] = queue.Queue()
    seen: list[str] = []
    with subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True) as board:
        stderr = board.stderr
        assert stderr is not None
        reader = threading.Thread(target=lambda: [lines.put(line) for line in stderr])
        reader.start()
        try:
            while not any("link to the server: online" in line for line in seen):
                seen.append(lines.get(timeout=20))
            board.send_signal(signal.SIGTERM)
            assert board.wait(10) == 0
        finally:
            if board.poll() is None:
                board.kill()
            reader.join(10)
    assert not any("Traceback" in line for line in seen)
