"""A real motcua server (uvicorn, real sockets, real WebSockets) in a thread of the test
process: what the apps' tests talk to. It can be stopped and started again on the same
port and data, as a hall's server restarts."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

from queue_core.clock import Clock
from queue_server.app import create_app
from queue_server.serve import AnnouncingServer, make_server
from queue_server.settings import Settings


class LiveServer:
    def __init__(self, data_dir: Path, clock: Clock | None = None) -> None:
        self.data_dir = data_dir
        self.clock = clock
        self.port = 0
        self._server: AnnouncingServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 10.0) -> None:
        app = create_app(Settings(data_dir=self.data_dir), clock=self.clock)
        server = make_server(app, "127.0.0.1", self.port)
        self._server = server
        self._thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        # `started` comes a moment before the bound port is known: wait for the port.
        while server.bound_port is None:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the live server did not start")
            time.sleep(0.01)
        self.port = server.bound_port

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(10)
            self._server = self._thread = None
