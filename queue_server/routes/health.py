"""Liveness, for load balancers and installers."""

from __future__ import annotations

from fastapi import APIRouter

from queue_core.protocol import PROTOCOL_VERSION

router = APIRouter(tags=["health"])


@router.get("/api/health", summary="Whether the server is up")
async def health() -> dict[str, object]:
    return {"status": "ok", "protocol": PROTOCOL_VERSION}
