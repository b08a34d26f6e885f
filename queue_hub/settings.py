"""The hub's settings: built by `motcua hub serve` from its flags, passed down."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HubSettings:
    database_url: str
    host: str = "127.0.0.1"
    port: int = 8100
    pool_size: int = 8
