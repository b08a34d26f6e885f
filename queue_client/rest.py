"""A typed REST client over the wire models of `queue_core.protocol`."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter

from queue_client.errors import (
    Conflict,
    Forbidden,
    NotAuthenticated,
    RequestRejected,
    ServerUnreachable,
)
from queue_core.protocol import (
    FOLLOW_CODE_HEADER,
    AlertOut,
    CounterOut,
    CounterStatsOut,
    HeartbeatRequest,
    IssueRequest,
    Me,
    OpenCounterRequest,
    PauseRequest,
    PrinterState,
    RatingOut,
    RatingRequest,
    RatingScaleOut,
    RequeueRequest,
    ServiceOut,
    SiteOut,
    TicketOut,
    TokenOut,
    TransferRequest,
    WalkInRequest,
)

M = TypeVar("M", bound=BaseModel)

_UNREACHABLE = "Không kết nối được máy chủ"
_REJECTIONS: dict[int, type[RequestRejected]] = {
    401: NotAuthenticated,
    403: Forbidden,
    409: Conflict,
}


def new_idempotency_key() -> str:
    """A key for one citizen's touch: retries with it never issue a second ticket."""
    return uuid.uuid4().hex


class QueueClient:
    """The server's REST API.

    Every method blocks (call it from a worker thread in a GUI) and raises
    `ServerUnreachable` or a `RequestRejected` subclass instead of httpx errors.

    Args:
        base_url: e.g. `http://192.168.1.10:8000`.
        token: a device token or a staff token (see `login`).
        timeout_s: per request; kept short so a kiosk never hangs on a dead server.
        transport: for tests that route requests to an in-process app.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout_s: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout_s, transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> QueueClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- plumbing ----------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        json: BaseModel | None = None,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> httpx.Response:
        all_headers = dict(headers or {})
        if self.token is not None:
            all_headers.setdefault("Authorization", f"Bearer {self.token}")
        body = json.model_dump(mode="json", exclude_none=True) if json is not None else None
        try:
            response = self._http.request(
                method, path, json=body, data=data, headers=all_headers, params=params
            )
        except httpx.HTTPError as exc:
            raise ServerUnreachable(_UNREACHABLE) from exc
        if response.status_code >= 400:
            raise _rejection(response)
        return response

    def _get(self, path: str, model: type[M]) -> M:
        return model.model_validate_json(self._request("GET", path).content)

    def _get_list(self, path: str, model: type[M]) -> list[M]:
        return TypeAdapter(list[model]).validate_json(self._request("GET", path).content)  # type: ignore[valid-type]

    def _post(self, path: str, model: type[M], json: BaseModel | None = None) -> M:
        return model.model_validate_json(self._request("POST", path, json=json).content)

    # --- reads -------------------------------------------------------------------------

    def health(self) -> bool:
        return self._request("GET", "/api/health").status_code == 200

    def me(self) -> Me:
        return self._get("/api/auth/me", Me)

    def site(self) -> SiteOut:
        return self._get("/api/site", SiteOut)

    def services(self) -> list[ServiceOut]:
        return self._get_list("/api/services", ServiceOut)

    def counters(self) -> list[CounterOut]:
        return self._get_list("/api/counters", CounterOut)

    def counter(self, number: int) -> CounterOut:
        return self._get(f"/api/counters/{number}", CounterOut)

    def ticket(self, ticket_id: int) -> TicketOut:
        return self._get(f"/api/tickets/{ticket_id}", TicketOut)

    def waiting(self, counter: int | None = None, limit: int | None = None) -> list[TicketOut]:
        """The first `limit` waiting tickets (the server's default when None) in call
        order: of the hall, or of those `counter` may call."""
        query = [f"counter={counter}"] if counter is not None else []
        query += [f"limit={limit}"] if limit is not None else []
        path = "/api/tickets" + ("?" + "&".join(query) if query else "")
        return self._get_list(path, TicketOut)

    def find_ticket(self, number: str) -> TicketOut | None:
        """Today's ticket printed with `number` (e.g. "1005"), whatever its status."""
        found = self._get_list(f"/api/tickets?number={quote(number, safe='')}", TicketOut)
        return found[0] if found else None

    def find_followed(self, code: str) -> TicketOut | None:
        """Today's ticket holding the follow code `code` (read from its QR code)."""
        found = self._get_list(f"/api/tickets?follow_code={quote(code, safe='')}", TicketOut)
        return found[0] if found else None

    def rating_scale(self) -> RatingScaleOut:
        return self._get("/api/rating-scale", RatingScaleOut)

    def chime_audio(self) -> bytes:
        """The boards' chime, a WAV file's bytes."""
        return self._request("GET", "/api/voice/chime.wav").content

    def call_audio(self, number: str, counter: int, rate: float | None = None) -> bytes:
        """The spoken call of `number` to `counter` as the server's voice says it (WAV)."""
        params = {"number": number, "counter": str(counter)}
        if rate is not None:
            params["rate"] = str(rate)
        return self._request("GET", "/api/voice/call.wav", params=params).content

    # --- sign in -----------------------------------------------------------------------

    def login(self, username: str, password: str) -> TokenOut:
        """Sign in with the OAuth2 password flow; the client keeps the token."""
        response = self._request(
            "POST", "/api/auth/token", data={"username": username, "password": password}
        )
        token = TokenOut.model_validate_json(response.content)
        self.token = token.access_token
        return token

    def logout(self, token: str | None = None) -> None:
        """Sign out on the server: `token` (by default this client's own) stops working.

        The token is given explicitly so a sign-out can run on a worker thread while the
        client is already cleared for the next clerk.
        """
        bearer = token or self.token
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else None
        self._request("POST", "/api/auth/logout", headers=headers)

    # --- tickets -----------------------------------------------------------------------

    def issue(
        self, service: str, priority: bool = False, idempotency_key: str | None = None
    ) -> TicketOut:
        """Take a number. Retrying with the same `idempotency_key` returns the same ticket."""
        key = idempotency_key or new_idempotency_key()
        response = self._request(
            "POST",
            "/api/tickets",
            json=IssueRequest(service=service, priority=priority),
            headers={"Idempotency-Key": key},
        )
        ticket = TicketOut.model_validate_json(response.content)
        # A server before follow codes sends none: the QR then falls back to `/t/{id}`.
        return ticket.model_copy(update={"follow_code": response.headers.get(FOLLOW_CODE_HEADER)})

    def complete(self, ticket_id: int) -> TicketOut:
        return self._post(f"/api/tickets/{ticket_id}/complete", TicketOut)

    def no_show(self, ticket_id: int) -> TicketOut:
        return self._post(f"/api/tickets/{ticket_id}/no-show", TicketOut)

    def undo_no_show(self, ticket_id: int) -> TicketOut:
        """Take back a no-show, at the counter that marked it, within a few minutes.

        Raises:
            Conflict: too late, another counter's, or that counter serves someone else.
        """
        return self._post(f"/api/tickets/{ticket_id}/undo-no-show", TicketOut)

    def requeue(self, ticket_id: int, counter: int | None = None) -> TicketOut:
        """Put a late citizen's no-show first in its service's queue (same number).

        Args:
            counter: the counter doing it; the clerk's own by default.
        """
        return self._post(
            f"/api/tickets/{ticket_id}/requeue", TicketOut, RequeueRequest(counter=counter)
        )

    def cancel(self, ticket_id: int) -> TicketOut:
        return self._post(f"/api/tickets/{ticket_id}/cancel", TicketOut)

    def transfer(
        self, ticket_id: int, *, service: str | None = None, counter: int | None = None
    ) -> TicketOut:
        body = TransferRequest(service=service, counter=counter)
        return self._post(f"/api/tickets/{ticket_id}/transfer", TicketOut, body)

    def rate(
        self,
        ticket_id: int,
        score: int,
        reasons: list[str] | None = None,
        comment: str | None = None,
        follow_code: str | None = None,
    ) -> RatingOut:
        body = RatingRequest(
            ticket_id=ticket_id,
            score=score,
            reasons=reasons or [],
            comment=comment,
            follow_code=follow_code,
        )
        return self._post("/api/ratings", RatingOut, body)

    # --- counters ----------------------------------------------------------------------

    def call_next(self, counter: int) -> TicketOut | None:
        """Call the next citizen to `counter`; None when nobody waits."""
        response = self._request("POST", f"/api/counters/{counter}/call-next")
        if response.status_code == 204:
            return None
        return TicketOut.model_validate_json(response.content)

    def recall(self, counter: int) -> TicketOut:
        return self._post(f"/api/counters/{counter}/recall", TicketOut)

    def call_ticket(self, counter: int, ticket_id: int) -> TicketOut:
        return self._post(f"/api/counters/{counter}/call/{ticket_id}", TicketOut)

    def walk_in(self, counter: int, service: str, priority: bool = False) -> TicketOut:
        body = WalkInRequest(service=service, priority=priority)
        return self._post(f"/api/counters/{counter}/walk-in", TicketOut, body)

    def open_counter(self, counter: int, force: bool = False) -> CounterOut:
        return self._post(
            f"/api/counters/{counter}/open", CounterOut, OpenCounterRequest(force=force)
        )

    def close_counter(self, counter: int) -> CounterOut:
        return self._post(f"/api/counters/{counter}/close", CounterOut)

    def pause(self, counter: int, reason: str) -> CounterOut:
        return self._post(f"/api/counters/{counter}/pause", CounterOut, PauseRequest(reason=reason))

    def resume(self, counter: int) -> CounterOut:
        return self._post(f"/api/counters/{counter}/resume", CounterOut)

    # --- devices -----------------------------------------------------------------------

    def heartbeat(
        self,
        printer: PrinterState | None = None,
        detail: str | None = None,
        version: str | None = None,
    ) -> None:
        self._request(
            "POST",
            "/api/devices/heartbeat",
            json=HeartbeatRequest(printer=printer, detail=detail, version=version),
        )

    def alerts(self) -> list[AlertOut]:
        """The active alerts (staff only)."""
        return self._get_list("/api/alerts", AlertOut)

    # --- the clerk's desk ----------------------------------------------------------------

    def counter_stats(self, counter: int) -> CounterStatsOut:
        """Today's figures at `counter`: the signed-in clerk's own work there."""
        return self._get(f"/api/counters/{counter}/stats", CounterStatsOut)


def _rejection(response: httpx.Response) -> RequestRejected:
    detail, error = f"Máy chủ trả lời {response.status_code}", None
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        raw = body.get("detail")
        if isinstance(raw, str):
            detail = raw
        elif isinstance(raw, list) and raw:
            detail = "Dữ liệu không hợp lệ: " + "; ".join(
                str(item.get("msg", item)) for item in raw if isinstance(item, dict)
            )
        error = body.get("error") if isinstance(body.get("error"), str) else None
    kind = _REJECTIONS.get(response.status_code, RequestRejected)
    return kind(response.status_code, detail, error)
