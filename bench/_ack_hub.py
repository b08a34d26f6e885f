"""A stand-in province hub for `hub_link.py`, run as its own process: it reads each shipment
as the hub does (`Shipment`, strict), answers 409 to one that would leave a hole, and
acknowledges the highest `seq` it has seen, keeping nothing else (the bench measures the
centre, not the hub). Run: `python bench/_ack_hub.py --port P --token T`; it prints its URL
once it listens and stops on SIGTERM.
"""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from queue_core.protocol import Shipment, ShipmentAck


def make_app(token: str) -> FastAPI:
    app = FastAPI()
    held = [0]
    expected = f"Bearer {token}"

    def ack() -> Response:
        body = ShipmentAck(centre="BENCH", acknowledged_seq=held[0]).model_dump_json()
        return Response(body, media_type="application/json")

    @app.get("/api/hub/ack")
    async def get_ack(request: Request) -> Response:
        if request.headers.get("authorization") != expected:
            return JSONResponse({"detail": "unknown token"}, 401)
        return ack()

    @app.post("/api/hub/events")
    async def events(request: Request) -> Response:
        if request.headers.get("authorization") != expected:
            return JSONResponse({"detail": "unknown token"}, 401)
        shipment = Shipment.model_validate_json(await request.body())
        if shipment.after_seq > held[0]:
            return JSONResponse({"detail": "hole", "acknowledged_seq": held[0]}, 409)
        if shipment.events:
            held[0] = max(held[0], shipment.events[-1].seq)
        return ack()

    return app


class Announcing(uvicorn.Server):
    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        print(f"ack hub: serving on http://{self.config.host}:{self.config.port}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    config = uvicorn.Config(
        make_app(args.token), host="127.0.0.1", port=args.port, log_level="warning"
    )
    Announcing(config).run()


if __name__ == "__main__":
    main()
