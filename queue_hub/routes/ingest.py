"""A centre ships its event log (`POST /api/hub/events`) and asks where to resume
(`GET /api/hub/ack`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from queue_core.protocol import Shipment, ShipmentAck
from queue_hub.errors import InvalidInput
from queue_hub.routes.deps import CentreCaller, Now, Store

router = APIRouter(tags=["hub"])

MAX_BODY = 64 * 1024 * 1024  # 500 events of a centre's log, snapshots included


@router.post(
    "/api/hub/events",
    response_model=ShipmentAck,
    summary="Ship a centre's next events",
    responses={409: {"description": "A hole: resend after `acknowledged_seq`"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": Shipment.model_json_schema()}},
        }
    },
)
async def ship(request: Request, centre: CentreCaller, store: Store, clock: Now) -> ShipmentAck:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise InvalidInput("Lô sự kiện quá lớn / shipment too large")
    # Parsed from the JSON text, as the wire defines it: the model is strict, and a
    # datetime arrives as text.
    try:
        shipment = Shipment.model_validate_json(body)
    except ValidationError as exc:
        raise InvalidInput(_explained(exc)) from exc
    held = await run_in_threadpool(store.ingest, centre.code, shipment, clock.now())
    return ShipmentAck(centre=centre.code, acknowledged_seq=held)


@router.get("/api/hub/ack", response_model=ShipmentAck, summary="Where a centre ships on")
def ack(centre: CentreCaller, store: Store) -> ShipmentAck:
    held = store.centre(centre.code).acknowledged_seq
    return ShipmentAck(centre=centre.code, acknowledged_seq=held)


def _explained(exc: ValidationError) -> str:
    first = exc.errors(include_input=False, include_url=False)[:3]
    where = "; ".join(
        f"{'.'.join(str(p) for p in error['loc']) or 'body'}: {error['msg']}" for error in first
    )
    return f"Lô sự kiện không hợp lệ / invalid shipment: {where}"
