"""What the hub's store hands out: plain records, no database types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Centre:
    code: str
    name: str
    acknowledged_seq: int
    site: dict[str, Any] | None
    last_shipped_at: datetime | None
    last_event_at: datetime | None


@dataclass(frozen=True, slots=True)
class User:
    username: str
    display_name: str
    password_hash: str
    disabled: bool


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    version: int
    body: str
    updated_at: datetime
