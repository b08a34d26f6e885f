"""Devices: their heartbeat (with printer status) and their administration."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, cast

from fastapi import APIRouter, Depends, Path, Response

from queue_core.errors import NotFound
from queue_core.protocol import DeviceOut, HeartbeatRequest, PrinterState
from queue_server.auth import Principal, revoke_device
from queue_server.policy import Action
from queue_server.routes.deps import MAX_ID, State, allowed
from queue_server.store import Device, Store

router = APIRouter(tags=["devices"])


class UnknownDevice(NotFound):
    def __init__(self, device_id: int) -> None:
        super().__init__(f"Không có thiết bị mã {device_id}")


def device_out(device: Device, local: Callable[[datetime], datetime]) -> DeviceOut:
    """`device` as the API shows it, its times in the site's timezone (`local`)."""
    return DeviceOut(
        id=device.id,
        name=device.name,
        kind=device.kind,
        created_at=local(device.created_at),
        revoked_at=local(device.revoked_at) if device.revoked_at else None,
        last_seen_at=local(device.last_seen_at) if device.last_seen_at else None,
        printer=cast(PrinterState | None, device.printer),  # stored from a PrinterState
        counter=device.counter,
    )


@router.get(
    "/api/devices", response_model=list[DeviceOut], summary="Registered devices and their health"
)
async def devices(
    state: State, _: Annotated[Principal, Depends(allowed(Action.LIST_DEVICES))]
) -> list[DeviceOut]:
    local = state.service.views.local
    return [device_out(device, local) for device in state.reader.devices()]


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
    device_id = int(who.subject)

    def heard(store: Store, known: Device | None) -> Device:
        store.record_heartbeat(device_id, now, request.printer, request.detail, request.version)
        if known is None:  # registered since the server started
            found = store.device(device_id)
            assert found is not None  # its token was valid
            return found
        # The fields not reported keep their value, as the store keeps them.
        return dataclasses.replace(
            known,
            last_seen_at=now,
            printer=request.printer or known.printer,
            detail=request.detail or known.detail,
            version=request.version or known.version,
        )

    await state.service.device_command(device_id, who, heard)
    return Response(status_code=204)


@router.post(
    "/api/devices/{device_id}/revoke", response_model=DeviceOut, summary="Revoke a device's token"
)
async def revoke(
    device_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    state: State,
    who: Annotated[Principal, Depends(allowed(Action.MANAGE_DEVICES))],
) -> DeviceOut:
    now = state.clock.now()

    def write(store: Store, _known: Device | None) -> Device:
        if store.device(device_id) is None:
            raise UnknownDevice(device_id)
        revoke_device(store, device_id, now)
        device = store.device(device_id)
        assert device is not None
        return device

    # Through the hall: a device out of service raises nothing, and its alerts clear.
    revoked = await state.service.device_command(device_id, who, write)
    state.tokens.refresh()  # the device's open streams close now
    return device_out(revoked, state.service.views.local)
