"""The province's live view: every centre now (`GET /api/hub/centres`), and its changes
pushed as centres ship (`/api/hub/stream`, from any hub process, see `queue_hub.live`)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from queue_core.protocol import HubCentreOut
from queue_hub import overview
from queue_hub.auth import hash_token
from queue_hub.errors import StoreUnavailable
from queue_hub.live import Live
from queue_hub.routes.deps import SESSION_COOKIE, Now, StaffCaller, Store
from queue_hub.store import HubStore

router = APIRouter(tags=["province"])

UNAUTHORIZED = 4401  # closed before the handshake completes: the client sees an HTTP 403


@router.get("/api/hub/centres", response_model=list[HubCentreOut], summary="Every centre now")
async def centres(_: StaffCaller, store: Store, clock: Now) -> list[HubCentreOut]:
    return await run_in_threadpool(overview.centres, store, clock.now())


@router.websocket("/api/hub/stream")
async def stream(websocket: WebSocket, token: str = "") -> None:
    """First `{"type": "centres", "centres": [...]}`, every centre; then
    `{"type": "centres.updated", "centres": [...]}` with the centres that shipped."""
    store: HubStore = websocket.app.state.store
    live: Live = websocket.app.state.live
    clock = websocket.app.state.clock
    # A browser cannot set a socket's headers: the page's cookie, or `?token=`.
    token = token or websocket.cookies.get(SESSION_COOKIE, "")
    try:
        user = await run_in_threadpool(store.token_user, hash_token(token), clock.now())
    except StoreUnavailable:
        user = None
    if user is None:
        await websocket.close(code=UNAUTHORIZED)
        return
    await websocket.accept()
    # The page only listens: reading its side tells when it (or a shutting-down server)
    # closes, which waiting on the queue alone would never notice.
    closed = asyncio.create_task(_closed(websocket))
    with live.subscribed() as queue:
        try:
            first = await run_in_threadpool(overview.centres, store, clock.now())
            await websocket.send_json(_frame("centres", first))
            while True:
                change = asyncio.create_task(queue.get())
                await asyncio.wait({change, closed}, return_when=asyncio.FIRST_COMPLETED)
                if closed.done():
                    change.cancel()
                    return
                await websocket.send_json(_frame("centres.updated", change.result()))
        except (WebSocketDisconnect, StoreUnavailable):
            return
        finally:
            closed.cancel()


async def _closed(websocket: WebSocket) -> None:
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass


def _frame(kind: str, rows: list[HubCentreOut]) -> dict[str, object]:
    return {"type": kind, "centres": [row.model_dump(mode="json") for row in rows]}
