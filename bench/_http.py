"""A lean HTTP/1.1 client for the benchmark: one keep-alive connection over asyncio streams.

httpx's AsyncClient costs about 2.2 ms of CPU per request on the 2-core reference machine, so
a bench built on it measures itself (≈ 450 requests/s at most). This client does only what the
bench needs: it writes a request by hand and reads the status line, the headers and a
`Content-Length` (or chunked) body. No redirects, no TLS, no pooling: one connection per worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode


class HttpError(Exception):
    """The peer broke HTTP/1.1 framing or closed the connection mid-answer."""


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Connection:
    """One keep-alive HTTP/1.1 connection; requests on it run one after another."""

    def __init__(self, host: str, port: int, local_host: str | None = None) -> None:
        self._host = host
        self._port = port
        # A source address of its own (any 127.x.y.z on loopback): the server counts
        # connections per client address, and each real device has its own.
        self._local_addr = None if local_host is None else (local_host, 0)
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> Connection:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
        self._reader = self._writer = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        content_type: str | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(
                self._host, self._port, local_addr=self._local_addr
            )
        assert self._reader is not None
        self._writer.write(
            _request_bytes(method, path, self._host, body, content_type, token, headers)
        )
        await self._writer.drain()
        response = await _read_response(self._reader, method)
        if response.headers.get("connection", "").lower() == "close" or self._reader.at_eof():
            await self.close()
        return response

    async def get(self, path: str, *, token: str | None = None) -> Response:
        return await self.request("GET", path, token=token)

    async def post_json(
        self,
        path: str,
        payload: object,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        body = json.dumps(payload, separators=(",", ":")).encode()
        return await self.request(
            "POST", path, body=body, content_type="application/json", token=token, headers=headers
        )

    async def post_form(self, path: str, fields: dict[str, str]) -> Response:
        body = urlencode(fields).encode()
        return await self.request(
            "POST", path, body=body, content_type="application/x-www-form-urlencoded"
        )


def _request_bytes(
    method: str,
    path: str,
    host: str,
    body: bytes,
    content_type: str | None,
    token: str | None,
    headers: dict[str, str] | None = None,
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    if token is not None:
        lines.append(f"Authorization: Bearer {token}")
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _read_response(reader: asyncio.StreamReader, method: str) -> Response:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        raise HttpError("connection closed before the response head") from exc
    except asyncio.LimitOverrunError as exc:
        raise HttpError("response head longer than the stream limit") from exc
    status, headers = _parse_head(head)
    try:
        body = await _read_body(reader, method, status, headers)
    except asyncio.IncompleteReadError as exc:
        raise HttpError("connection closed mid-body") from exc
    return Response(status, headers, body)


def _parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise HttpError(f"bad status line: {status_line!r}")
    headers: dict[str, str] = {}
    for line in header_lines:
        name, sep, value = line.partition(":")
        if not sep:
            raise HttpError(f"bad header line: {line!r}")
        headers[name.strip().lower()] = value.strip()
    return int(parts[1]), headers


async def _read_body(
    reader: asyncio.StreamReader, method: str, status: int, headers: dict[str, str]
) -> bytes:
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        return b""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return await _read_chunked(reader)
    if "content-length" in headers:
        return await reader.readexactly(int(headers["content-length"]))
    # Neither framing: the body runs to the end of the connection, which request() then closes.
    return await reader.read()


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            # Trailers, if any, end with an empty line.
            while await reader.readuntil(b"\r\n") != b"\r\n":
                pass
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)
