"""Liveness, for the reverse proxy in front of the hub processes: 200 while this process
reaches the database, 503 when it does not (the proxy then sends to another)."""

from __future__ import annotations

from fastapi import APIRouter

from queue_core.protocol import PROTOCOL_VERSION
from queue_hub.routes.deps import Store

router = APIRouter(tags=["health"])


@router.get("/api/health", summary="Whether this hub process is up")
def health(store: Store) -> dict[str, object]:
    store.ping()
    return {"status": "ok", "protocol": PROTOCOL_VERSION, "role": "hub"}
