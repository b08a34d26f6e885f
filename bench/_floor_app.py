"""The HTTP floors of `issue.py`: a minimal durable issue endpoint, run as its own process.

FastAPI + uvicorn (its defaults: uvloop, httptools), one bearer token checked from memory,
and a writer thread that commits whatever requests are queued in one transaction (group
commit; WAL, `synchronous=FULL`) before answering each: what this stack can do per request
with nothing of motcua's own. With `--bare`, the same endpoint as a bare ASGI callable on
uvicorn, without FastAPI: what uvicorn itself costs, the floor under any route served
below FastAPI (as motcua serves issuing and call-next). Run: `python bench/_floor_app.py
--port P --data-dir DIR --token T [--bare]`; it prints its URL once it listens and stops
on SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import queue
import sqlite3
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel


class IssueRequest(BaseModel):
    service: str
    priority: bool = False


class Writer(threading.Thread):
    """Commits each batch of queued tickets at once, then answers every request in it."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.jobs: queue.SimpleQueue[tuple[IssueRequest, asyncio.Future[dict[str, Any]]]] = (
            queue.SimpleQueue()
        )
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = FULL")
        self.db.execute(
            "create table if not exists tickets (id integer primary key, number text,"
            " service text, priority integer, status text, issued_at text)"
        )
        self.sequences: dict[str, int] = {}

    def run(self) -> None:
        while True:
            batch = [self.jobs.get()]
            while not self.jobs.empty():
                batch.append(self.jobs.get_nowait())
            answers = []
            self.db.execute("BEGIN IMMEDIATE")
            for request, future in batch:
                sequence = self.sequences[request.service] = (
                    self.sequences.get(request.service, 0) + 1
                )
                number = f"{request.service}{sequence:04d}"
                row = self.db.execute(
                    "insert into tickets (number, service, priority, status, issued_at)"
                    " values (?, ?, ?, 'waiting', datetime('now')) returning id",
                    (number, request.service, int(request.priority)),
                ).fetchone()
                answers.append(
                    (
                        future,
                        {
                            "id": row[0],
                            "number": number,
                            "service": request.service,
                            "status": "waiting",
                        },
                    )
                )
            self.db.execute("COMMIT")
            for future, answer in answers:
                future.get_loop().call_soon_threadsafe(future.set_result, answer)


def make_app(writer: Writer, token: str) -> FastAPI:
    app = FastAPI()
    tokens = {f"Bearer {token}"}

    @app.get("/api/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/tickets", status_code=201)
    async def issue(body: IssueRequest, authorization: str = Header("")) -> dict[str, Any]:
        if authorization not in tokens:
            raise HTTPException(401, "unknown token")
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        writer.jobs.put((body, future))
        return await future

    return app


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def make_bare_app(writer: Writer, token: str) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The same two routes as `make_app`, read straight from the ASGI scope."""
    authorization = f"Bearer {token}".encode()

    async def answer(send: Send, status: int, body: bytes) -> None:
        headers = [(b"content-length", str(len(body)).encode())]
        headers.append((b"content-type", b"application/json"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["path"] == "/api/health":
            await answer(send, 200, b'{"status":"ok"}')
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        if dict(scope["headers"]).get(b"authorization") != authorization:
            await answer(send, 401, b'{"detail":"unknown token"}')
            return
        body = IssueRequest.model_validate_json(b"".join(chunks))
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        writer.jobs.put((body, future))
        await answer(send, 201, json.dumps(await future).encode())

    return app


class Announcing(uvicorn.Server):
    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        print(f"floor: serving on http://{self.config.host}:{self.config.port}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--bare", action="store_true", help="a bare ASGI app, no FastAPI")
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    writer = Writer(args.data_dir / "floor-app.db")
    writer.start()
    app = make_bare_app(writer, args.token) if args.bare else make_app(writer, args.token)
    config = uvicorn.Config(app, host="127.0.0.1", port=args.port, log_level="warning")
    Announcing(config).run()


if __name__ == "__main__":
    main()
