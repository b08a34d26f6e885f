"""The centre's end of the wire to the province hub: three requests, and their failures named.

A failure is one of a few kinds (`LinkDown.kind`), plain enough for the public health
answer; the hub's address and its words go to the server's log only, and the token,
which is as good as a password for the centre, goes nowhere but the request header.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx
from pydantic import ValidationError

from queue_core.protocol import HubTemplateOut, ShipmentAck

EVENTS_PATH = "api/hub/events"
ACK_PATH = "api/hub/ack"
TEMPLATES_PATH = "api/hub/templates"


class LinkDown(Exception):
    """The hub did not take the request; try again later.

    `kind` is one of: `unreachable` (no connection), `timeout`, `unauthorized` (the hub
    refuses the token: 401 or 403), `not-found` (404: no such template, or not a hub at
    that address), `rejected` (another 4xx), `hub-error` (5xx),
    `bad-answer` (not the wire's answer). `detail` is for the log.
    """

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


class Behind(Exception):
    """409: the shipment started past what the hub holds; ship on from `acknowledged_seq`."""

    def __init__(self, acknowledged_seq: int) -> None:
        super().__init__(f"the hub holds up to seq {acknowledged_seq}")
        self.acknowledged_seq = acknowledged_seq


class HubLink:
    """An HTTP client for one hub, with the centre's hub token on every request."""

    def __init__(
        self,
        url: str,
        token: str,
        timeout_s: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        # A trailing slash keeps a path prefix (`https://tinh.example/hub`) in every URL.
        self._client = httpx.AsyncClient(
            base_url=url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {token}", "User-Agent": "motcua-centre"},
            timeout=httpx.Timeout(timeout_s),
            follow_redirects=False,
            transport=transport,
        )

    async def ack(self) -> ShipmentAck:
        """The highest `seq` of this centre's log that the hub holds."""
        return _ack(await self._send("GET", ACK_PATH))

    async def ship(self, shipment: bytes) -> ShipmentAck:
        """POST one `Shipment` (its JSON); the hub's acknowledgement.

        Raises:
            Behind: 409, the hub holds less than the shipment assumed.
            LinkDown: anything else but 200.
        """
        response = await self._send("POST", EVENTS_PATH, shipment)
        return _ack(response)

    async def template(self, name: str) -> HubTemplateOut:
        """The province's site template `name`, its latest version."""
        response = await self._send("GET", f"{TEMPLATES_PATH}/{quote(name, safe='')}")
        try:
            return HubTemplateOut.model_validate_json(response.content)
        except ValidationError as exc:
            raise LinkDown("bad-answer", f"template {name}: {_text(response)}") from exc

    async def _send(self, method: str, path: str, body: bytes | None = None) -> httpx.Response:
        headers = {"Content-Type": "application/json"} if body is not None else None
        try:
            response = await self._client.request(method, path, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise LinkDown("timeout", f"{method} {path}: {type(exc).__name__}") from exc
        except httpx.HTTPError as exc:
            raise LinkDown("unreachable", f"{method} {path}: {exc!r}") from exc
        if response.status_code == 409:
            raise Behind(_held(response))
        if response.status_code in (401, 403):
            raise LinkDown("unauthorized", f"{method} {path}: {response.status_code}")
        if response.status_code == 404:
            raise LinkDown("not-found", f"{method} {path}: 404 {_text(response)}")
        if 400 <= response.status_code < 500:
            raise LinkDown("rejected", f"{method} {path}: {response.status_code} {_text(response)}")
        if response.status_code != 200:
            raise LinkDown("hub-error", f"{method} {path}: {response.status_code}")
        return response

    async def aclose(self) -> None:
        await self._client.aclose()


def _ack(response: httpx.Response) -> ShipmentAck:
    try:
        return ShipmentAck.model_validate_json(response.content)
    except ValidationError as exc:
        raise LinkDown("bad-answer", f"{response.status_code}: {_text(response)}") from exc


def _held(response: httpx.Response) -> int:
    """The `acknowledged_seq` of a 409's body."""
    try:
        held = response.json()["acknowledged_seq"]
    except (ValueError, KeyError, TypeError) as exc:
        raise LinkDown("bad-answer", f"409: {_text(response)}") from exc
    if not isinstance(held, int) or isinstance(held, bool) or held < 0:
        raise LinkDown("bad-answer", f"409: {_text(response)}")
    return held


def _text(response: httpx.Response) -> str:
    return response.text[:200]
