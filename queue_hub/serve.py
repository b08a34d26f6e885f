"""Running the hub under uvicorn, saying where once it accepts connections."""

from __future__ import annotations

import contextlib
import socket
import sys
from collections.abc import Generator

import uvicorn

from queue_hub.app import create_app
from queue_hub.settings import HubSettings
from queue_hub.store import connect


class AnnouncingServer(uvicorn.Server):
    """Prints its URL on stdout once its sockets listen (the bound port, so `--port 0`
    tells a test where to go)."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.should_exit or not getattr(self, "servers", None):
            return
        port = self.servers[0].sockets[0].getsockname()[1]
        print(f"motcua hub: serving on http://{self.config.host}:{port}", flush=True)

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # uvicorn raises SIGTERM/SIGINT again once it has shut down: exit 0 instead.
        with super().capture_signals():
            try:
                yield
            finally:
                self._captured_signals.clear()


def run(settings: HubSettings, log_level: str = "warning") -> None:
    """Migrate, then serve until SIGINT or SIGTERM."""
    store = connect(settings.database_url, max_size=settings.pool_size)
    try:
        app = create_app(settings, store)
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            log_level=log_level,
            lifespan="on",
            ws_ping_interval=20,
            ws_ping_timeout=20,
            timeout_graceful_shutdown=5,
        )
        AnnouncingServer(config).run()
    finally:
        store.close()
    sys.stdout.flush()
