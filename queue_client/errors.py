"""What can go wrong between an app and the server, in terms an app can act on.

ClientError
 ├── ServerUnreachable      no answer: network down, server stopped (retry later)
 └── RequestRejected        the server answered 4xx/5xx; `status`, `detail`, `error`
      ├── NotAuthenticated  401: the token is unknown, expired or revoked
      ├── Forbidden         403: this token's role may not do that
      └── Conflict          409: a domain rule said no (closed, paused, rated…)
"""

from __future__ import annotations


class ClientError(Exception):
    """Base of every queue_client error; `message` is Vietnamese, fit for a screen."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ServerUnreachable(ClientError):
    pass


class RequestRejected(ClientError):
    def __init__(self, status: int, detail: str, error: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.error = error  # the server's error class name, e.g. "ServiceClosed"


class NotAuthenticated(RequestRejected):
    pass


class Forbidden(RequestRejected):
    pass


class Conflict(RequestRejected):
    pass
