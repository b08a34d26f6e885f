"""Running the app under uvicorn, saying where once it accepts connections."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Generator

import click
import uvicorn
from fastapi import FastAPI


class AnnouncingServer(uvicorn.Server):
    """A uvicorn server that prints its URL on stdout once its sockets listen.

    The printed port is the bound one, so `--port 0` tells a test where to go.
    """

    bound_port: int | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.should_exit or not getattr(self, "servers", None):
            return
        port = self.servers[0].sockets[0].getsockname()[1]
        self.bound_port = port
        click.echo(f"motcua: serving on http://{self.config.host}:{port} (API docs: /docs)")

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # uvicorn raises SIGTERM/SIGINT again once it has shut down, so the process would
        # die of the signal (-15, or a KeyboardInterrupt); the contract wants a clean exit 0.
        with super().capture_signals():
            try:
                yield
            finally:
                self._captured_signals.clear()


def make_server(app: FastAPI, host: str, port: int, log_level: str = "warning") -> AnnouncingServer:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        lifespan="on",
        # Displays keep long-lived WebSockets: ping them so dead ones are noticed.
        ws_ping_interval=20,
        ws_ping_timeout=20,
        timeout_graceful_shutdown=5,
    )
    return AnnouncingServer(config)


def run(app: FastAPI, host: str, port: int, log_level: str = "warning") -> None:
    """Serve until SIGINT or SIGTERM (uvicorn's handlers shut down cleanly)."""
    # Server.run() sets up uvicorn's event loop (uvloop when installed).
    make_server(app, host, port, log_level).run()
