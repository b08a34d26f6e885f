"""No token in any log line.

A board's address carries its token (`/display?token=…`, `/ws/events?token=…`), and at
`--log-level info` uvicorn logs every request's address; a careless message could hold
an `Authorization: Bearer …` value. Whoever reads the logs (a journal, a support bundle)
must not be able to act as the hall's screens. Redaction happens where every record is
made, so it covers uvicorn's access and error logs, the app's loggers and any library's.
"""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "***"
_SECRETS = re.compile(
    r"(?P<name>(?:token|access_token)=)[^&\s\"']+|(?P<scheme>Bearer\s+)[A-Za-z0-9._~+/=-]+",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """`text` with every token value replaced by `***`."""
    return _SECRETS.sub(lambda m: (m.group("name") or m.group("scheme")) + REDACTED, text)


def _redacted(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


def install() -> None:
    """Redact every log record this process makes from now on (once; idempotent)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "redacts_tokens", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        # uvicorn's access formatter unpacks the arguments: keep their shape.
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _redacted(v) for k, v in record.args.items()}
        return record

    factory.redacts_tokens = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
