"""Server settings: frozen, built once at the edge (CLI or tests) and passed down."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    site_file: Path | None = None  # read only when the database is created
    host: str = "127.0.0.1"
    port: int = 8000
    user_token_ttl_s: int = 12 * 3600
    login_max_failures: int = 5  # failed logins in a row before a username is locked out
    login_lockout_s: int = 60
    # Commands the single writer commits together (group commit); 1 disables batching.
    write_batch_max: int = 64
    # Events buffered for one WebSocket client before it is cut off as too slow.
    ws_buffer_max: int = 1000
    # How often an open event stream checks that its token is still valid.
    ws_token_check_s: float = 30.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from `MOTCUA_*` variables, then `overrides` (the CLI's flags)."""
        env = os.environ if environ is None else environ
        settings = cls(data_dir=Path(env.get("MOTCUA_DATA_DIR", "motcua-data")))
        if "MOTCUA_SITE" in env:
            settings = replace(settings, site_file=Path(env["MOTCUA_SITE"]))
        if "MOTCUA_HOST" in env:
            settings = replace(settings, host=env["MOTCUA_HOST"])
        if "MOTCUA_PORT" in env:
            settings = replace(settings, port=int(env["MOTCUA_PORT"]))
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(settings, **given)  # type: ignore[arg-type]
