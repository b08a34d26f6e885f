"""Devices: their heartbeat (with printer status) and their administration."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response

from queue_core.errors import NotFound
from queue_core.protocol import DeviceOut, HeartbeatRequest
from queue_server.auth import Principal, revoke_device
from queue_server.policy import Action
from queue_server.routes.deps import MAX_ID, State, allowed
from queue_server.store import Store
from queue_server.writer import Outcome

router = APIRouter(tags=["devices"])


class UnknownDevice(NotFound):
    def __init__(self, device_id: int) -> None:
        super().__init__(f"Không có thiết bị mã {device_id}")


def device_out(row: dict[str, Any]) -> DeviceOut:
    def at(key: str) -> datetime | None:
        return datetime.fromisoformat(row[key]) if row[key] else None

    return DeviceOut(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        created_at=datetime.fromisoformat(row["created_at"]),
        revoked_at=at("revoked_at"),
        last_seen_at=at("last_seen_at"),
        printer=row["printer"],
        counter=row["counter"],
    )


@router.get(
    "/api/devices", response_model=list[DeviceOut], summary="Registered devices and their health"
)
async def devices(
    state: State, _: Annotated[Principal, Depends(allowed(Action.LIST_DEVICES))]
) -> list[DeviceOut]:
    return [device_out(row) for row in state.reader.devices()]


@router.post(
    "/api/devices/heartbeat",
    status_code=204,
    summary="A device says it is alive (and its printer's state)",
)
async def heartbeat(
    request: HeartbeatRequest,
    state: State,
    who: Annotated[Principal, Depends(allowed(Action.HEARTBEAT))],
) -> Response:
    now = state.clock.now()

    def write(store: Store) -> Outcome[None]:
        changes: dict[str, object] = {"last_seen_at": now.isoformat()}
        changes.update(request.model_dump(exclude_none=True))
        store.update_device(int(who.subject), changes)
        return Outcome(None)

    await state.writer.run(write)
    return Response(status_code=204)


@router.post(
    "/api/devices/{device_id}/revoke", response_model=DeviceOut, summary="Revoke a device's token"
)
async def revoke(
    device_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    state: State,
    _: Annotated[Principal, Depends(allowed(Action.MANAGE_DEVICES))],
) -> DeviceOut:
    now = state.clock.now()

    def write(store: Store) -> Outcome[dict[str, Any]]:
        if store.device(device_id) is None:
            raise UnknownDevice(device_id)
        revoke_device(store, device_id, now)
        row = store.device(device_id)
        assert row is not None
        return Outcome(row)

    return device_out(await state.writer.run(write))
