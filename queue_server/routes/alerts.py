"""The active alerts, for the staff's screens (raises and clears come on the stream)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from queue_core.protocol import AlertOut
from queue_server.auth import Principal
from queue_server.policy import Action
from queue_server.routes.deps import State, allowed

router = APIRouter(tags=["alerts"])


@router.get("/api/alerts", response_model=list[AlertOut], summary="The active alerts")
async def alerts(
    state: State, _: Annotated[Principal, Depends(allowed(Action.VIEW_ALERTS))]
) -> list[AlertOut]:
    return state.service.alerts()
