"""The hub's errors, translated to HTTP in `queue_hub.app`.

HubError
├── Unauthorized      → 401 (no token, or one the hub does not know)
├── Hole              → 409 with the hub's `acknowledged_seq` (a shipment past what it holds)
├── NotFound          → 404 (UnknownCentre: no centre of that code)
├── InvalidInput      → 422
└── StoreUnavailable  → 503 (the database, not the request, failed)
"""

from __future__ import annotations


class HubError(Exception):
    """The root of the hub's errors; `message` is what a person reads."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unauthorized(HubError):
    pass


class Hole(HubError):
    """A shipment starting after a seq the hub does not hold yet: the centre resends from
    `acknowledged_seq`."""

    def __init__(self, centre: str, acknowledged_seq: int) -> None:
        super().__init__(
            f"Trạm {centre}: thiếu sự kiện sau seq {acknowledged_seq}, gửi lại từ đó / "
            f"centre {centre}: events after seq {acknowledged_seq} are missing, resend from there"
        )
        self.centre = centre
        self.acknowledged_seq = acknowledged_seq


class NotFound(HubError):
    pass


class UnknownCentre(NotFound):
    pass


class InvalidInput(HubError):
    pass


class StoreUnavailable(HubError):
    pass
