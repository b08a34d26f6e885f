"""What a running app holds: its stores, writer, hub and service."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from queue_core.clock import Clock
from queue_server.auth import LoginThrottle
from queue_server.hub import Hub
from queue_server.service import QueueService
from queue_server.settings import Settings
from queue_server.store import Store
from queue_server.tokens import Tokens
from queue_server.writer import Writer


@dataclass(slots=True)
class AppState:
    settings: Settings
    clock: Clock
    reader: Store
    writer: Writer
    hub: Hub
    service: QueueService
    throttle: LoginThrottle
    tokens: Tokens
    # Streams that may send their snapshot and replay at once (see routes/events.py).
    stream_starts: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(8))
