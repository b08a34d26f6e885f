"""Running the app under uvicorn, saying where once it accepts connections."""

from __future__ import annotations

import contextlib
import errno
import functools
import gc
import os
import socket
import sys
from collections.abc import Generator

import click
import uvicorn
from fastapi import FastAPI

from queue_server import log_redaction
from queue_server.connections import ConnectionLimits, guarded_protocol, raise_open_files_limit
from queue_server.settings import Settings
from queue_server.state import AppState


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


# Objects made (less those freed) between two passes of the garbage collector over the
# young ones; Python's default is 700. Nearly everything a request makes is freed by its
# count, yet at 700 the passes came often enough to cost, and every so often a full one
# followed, which walks the whole of the day's hall. bench/issue.py, 20,000 tickets issued
# and called: 180 → 100 ms in the collector over the run, full passes 6 → 3 (19 ms each),
# about 4 µs less CPU a ticket (three pairs back to back).
# Set for the server's process (`run`), not by the app: tests run many apps in one process.
YOUNG_OBJECTS_PER_COLLECTION = 10_000

# The levels at which uvicorn's access lines (INFO) are shown.
ACCESS_LOG_LEVELS = frozenset({"trace", "debug", "info"})


def make_server(
    app: FastAPI,
    host: str,
    port: int,
    log_level: str = "warning",
    limits: ConnectionLimits | None = None,
) -> AnnouncingServer:
    log_redaction.install()  # boards' addresses carry their tokens: never log one
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        # uvicorn formats every request's access line before its logger filters it out.
        access_log=log_level in ACCESS_LOG_LEVELS,
        lifespan="on",
        # Connections per address, and a deadline and a size for each request's head.
        http=guarded_protocol(limits or limits_of(app)),
        # Displays keep long-lived WebSockets: ping them so dead ones are noticed.
        ws_ping_interval=20,
        ws_ping_timeout=20,
        timeout_graceful_shutdown=5,
    )
    return AnnouncingServer(config)


def limits_of(app: FastAPI) -> ConnectionLimits:
    """The connection limits of the app's settings (the defaults for a bare app)."""
    settings: Settings | None = getattr(app.state, "settings", None)
    if settings is None:
        return ConnectionLimits()
    return ConnectionLimits(
        per_address=settings.connections_per_address,
        head_timeout_s=settings.head_timeout_s,
        reserve=settings.connections_reserve,
        token_valid=functools.partial(_token_valid, app),
    )


def _token_valid(app: FastAPI, token: str) -> bool:
    """Whether `token` is a valid token of the running app's hall (its in-memory table)."""
    state: AppState | None = getattr(app.state, "motcua", None)
    return state is not None and state.tokens.holder(token, state.clock.now()) is not None


class CannotListen(Exception):
    """The address or port cannot be listened on; the message is one line for people."""


def _cannot_listen(host: str, port: int, exc: OSError) -> CannotListen:
    if isinstance(exc, socket.gaierror):
        text = f"không tìm thấy địa chỉ {host} / unknown host {host}"
    elif exc.errno == errno.EADDRINUSE:
        text = (
            f"cổng {port} trên {host} đang được một chương trình khác dùng (có thể motcua đã "
            f"chạy); chọn cổng khác bằng --port / port {port} on {host} is already in use"
        )
    elif exc.errno == errno.EACCES:
        text = (
            f"không có quyền mở cổng {port} (cổng dưới 1024 cần quyền quản trị) / "
            f"no permission to listen on port {port}"
        )
    elif exc.errno == errno.EADDRNOTAVAIL:
        text = f"địa chỉ {host} không thuộc máy này / address {host} is not on this machine"
    else:
        text = f"không mở được {host}:{port} ({exc.strerror}) / cannot listen on {host}:{port}"
    return CannotListen(f"motcua: {text}")


def listen(host: str, port: int) -> list[socket.socket]:
    """Bound sockets for `host`:`port`, one per address the name stands for (as asyncio's
    `create_server` would bind them), or CannotListen.

    Binding before uvicorn starts lets a busy port fail in one plain line, before the
    database is opened, instead of uvicorn's English log line.
    """
    sockets: list[socket.socket] = []
    try:
        infos = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
        for family, kind, proto, _name, address in dict.fromkeys(infos):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            # As asyncio does: on Windows SO_REUSEADDR would let a second server take a
            # port already in use instead of failing.
            if os.name == "posix":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            # With --port 0, every address of the name on the port the first one was given.
            sock.bind((address[0], port, *address[2:]))
            port = sock.getsockname()[1]
    except OSError as exc:
        for sock in sockets:
            sock.close()
        raise _cannot_listen(host, port, exc) from exc
    return sockets


def run(app: FastAPI, host: str, port: int, log_level: str = "warning") -> None:
    """Serve until SIGINT or SIGTERM (uvicorn's handlers shut down cleanly); a port that
    cannot be listened on ends the process with one line on stderr and exit status 1."""
    try:
        sockets = listen(host, port)
    except CannotListen as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    raise_open_files_limit()  # every connection is an open file
    gc.set_threshold(YOUNG_OBJECTS_PER_COLLECTION, *gc.get_threshold()[1:])
    # Server.run() sets up uvicorn's event loop (uvloop when installed).
    make_server(app, host, port, log_level).run(sockets=sockets)
