"""A stand-in for the province hub that speaks the wire (`queue_core.protocol`'s Shipment
and ShipmentAck): a real HTTP server (uvicorn, real sockets) in a thread of the test, for
the centre's shipper tests. It keeps what a centre shipped, skips what it already holds,
answers 409 to a shipment that would leave a hole, and can be stopped and started again
on the same port, made to fail, or made to answer late.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from queue_core.protocol import Shipment, ShipmentAck, ShippedEvent, SiteOut


@dataclass
class Received:
    """One shipment as the hub read it."""

    after_seq: int
    seqs: list[int]
    site: SiteOut | None


@dataclass
class FakeHubState:
    token: str
    centre: str = "XA-THU-NGHIEM"
    events: list[ShippedEvent] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    # Seqs shipped again after the hub held them (skipped, as the real hub does).
    duplicates: list[int] = field(default_factory=list)
    # Answer the next N requests with this status before doing anything.
    fail_next: int = 0
    fail_status: int = 503
    # Answer every shipment 409 with this `acknowledged_seq` (a confused hub).
    conflict_ack: int | None = None
    # Store a shipment, then wait this long before answering (a slow link).
    answer_delay_s: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def acknowledged_seq(self) -> int:
        return self.events[-1].seq if self.events else 0

    def forget_after(self, seq: int) -> None:
        """Lose what follows `seq` (a hub restored from an older backup)."""
        with self.lock:
            self.events = [e for e in self.events if e.seq <= seq]


def fake_hub_app(state: FakeHubState) -> FastAPI:
    app = FastAPI()

    def refused(request: Request) -> Response | None:
        with state.lock:
            if state.fail_next > 0:
                state.fail_next -= 1
                return JSONResponse({"detail": "failing on purpose"}, state.fail_status)
        if request.headers.get("authorization") != f"Bearer {state.token}":
            return JSONResponse({"detail": "bad token"}, 401)
        return None

    @app.get("/api/hub/ack")
    async def ack(request: Request) -> Response:
        if (refusal := refused(request)) is not None:
            return refusal
        return Response(
            ShipmentAck(
                centre=state.centre, acknowledged_seq=state.acknowledged_seq
            ).model_dump_json(),
            media_type="application/json",
        )

    @app.post("/api/hub/events")
    async def events(request: Request) -> Response:
        if (refusal := refused(request)) is not None:
            return refusal
        shipment = Shipment.model_validate_json(await request.body())
        if state.conflict_ack is not None:
            return JSONResponse({"detail": "?", "acknowledged_seq": state.conflict_ack}, 409)
        with state.lock:
            state.received.append(
                Received(shipment.after_seq, [e.seq for e in shipment.events], shipment.site)
            )
            held = state.acknowledged_seq
            if shipment.after_seq > held:
                return JSONResponse(
                    {"detail": "a hole before this shipment", "acknowledged_seq": held}, 409
                )
            for event in shipment.events:
                if event.seq <= state.acknowledged_seq:
                    state.duplicates.append(event.seq)
                else:
                    state.events.append(event)
            answer = ShipmentAck(centre=state.centre, acknowledged_seq=state.acknowledged_seq)
        if state.answer_delay_s:
            await asyncio.sleep(state.answer_delay_s)
        return Response(answer.model_dump_json(), media_type="application/json")

    return app


class FakeHub:
    """The stand-in hub, served on 127.0.0.1 (the same port after a restart)."""

    def __init__(self, token: str = "hub-token-of-the-centre") -> None:
        self.state = FakeHubState(token)
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 10.0) -> None:
        config = uvicorn.Config(
            fake_hub_app(self.state),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake hub did not start")
            time.sleep(0.01)
        self.port = server.servers[0].sockets[0].getsockname()[1]

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(10)
            self._server = self._thread = None

    def seqs(self) -> list[int]:
        with self.state.lock:
            return [e.seq for e in self.state.events]
