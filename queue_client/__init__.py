"""The apps' only way to the server: a typed REST client, the live event stream
and its Qt bridge (`queue_client.qt`, imported on demand since it needs Qt)."""

from queue_client.errors import (
    ClientError,
    Conflict,
    Forbidden,
    NotAuthenticated,
    RequestRejected,
    ServerUnreachable,
)
from queue_client.rest import QueueClient, new_idempotency_key
from queue_client.stream import EventStream, LinkState

__all__ = [
    "ClientError",
    "Conflict",
    "EventStream",
    "Forbidden",
    "LinkState",
    "NotAuthenticated",
    "QueueClient",
    "RequestRejected",
    "ServerUnreachable",
    "new_idempotency_key",
]
