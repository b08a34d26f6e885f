"""Site templates the province hands down: a centre that follows one fetches it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.concurrency import run_in_threadpool

from queue_core.protocol import HubTemplateOut
from queue_hub.errors import NotFound
from queue_hub.routes.deps import CentreCaller, Store

router = APIRouter(tags=["templates"])


@router.get("/api/hub/templates/{name}", response_model=HubTemplateOut, summary="A site template")
async def template(
    name: Annotated[str, Path(max_length=100)], _: CentreCaller, store: Store
) -> HubTemplateOut:
    found = await run_in_threadpool(store.template, name)
    if found is None:
        raise NotFound(f"Không có mẫu {name} / no template {name}")
    return HubTemplateOut(
        name=found.name, version=found.version, toml=found.body, updated_at=found.updated_at
    )
