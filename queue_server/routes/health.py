"""Liveness, for load balancers and installers."""

from __future__ import annotations

from fastapi import APIRouter, Request

from queue_core.protocol import PROTOCOL_VERSION
from queue_server.shipper import Shipper

router = APIRouter(tags=["health"])


@router.get("/api/health", summary="Whether the server is up")
async def health(request: Request) -> dict[str, object]:
    answer: dict[str, object] = {"status": "ok", "protocol": PROTOCOL_VERSION}
    shipper: Shipper | None = getattr(request.app.state, "shipper", None)
    if shipper is not None:
        # Public: figures and the kind of failure only (see LinkStatus.public).
        answer["hub"] = shipper.public(request.app.state.motcua.clock.now())
    return answer
