"""Server settings: frozen, built once at the edge (CLI or tests) and passed down.

Read by pydantic-settings, in one order of precedence (docs/configuration.md):
command-line flags, then `MOTCUA_*` environment variables, then the optional
settings file (`--env-file`, `KEY=value` lines of the same names), then the
defaults below.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, HttpUrl, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MOTCUA_",
        frozen=True,
        extra="ignore",  # the file may hold the apps' MOTCUA_* variables too
        populate_by_name=True,
    )

    data_dir: Path
    # Read only when the database is created (--site on an existing one is refused).
    site_file: Path | None = Field(default=None, validation_alias=AliasChoices("MOTCUA_SITE"))
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    user_token_ttl_s: int = Field(default=12 * 3600, gt=0)
    # A person signed in to the staff pages is signed out after this long without a page.
    page_idle_s: int = Field(default=30 * 60, gt=0)
    # Failed logins in a row before a username is locked out.
    login_max_failures: int = Field(default=5, gt=0)
    login_lockout_s: int = Field(default=60, ge=0)
    # Failed logins in a row from one address, whatever the usernames, before it is locked out.
    login_address_max_failures: int = Field(default=20, gt=0)
    # Password checks run at once (argon2: 64 MiB each); a few more may wait, the rest get 503.
    login_concurrency: int = Field(default=2, gt=0)
    # Commands the single writer commits together (group commit); 1 disables batching.
    write_batch_max: int = Field(default=64, gt=0)
    # Events buffered for one WebSocket client before it is cut off as too slow.
    ws_buffer_max: int = Field(default=1000, gt=0)
    # How often an open event stream checks that its token is still valid.
    ws_token_check_s: float = Field(default=30.0, gt=0)
    # A reconnecting client further behind than this gets the snapshot instead of a replay.
    ws_replay_max: int = Field(default=2000, gt=0)
    # Replays per token: this many at once, then one every ws_replay_interval_s.
    ws_replay_burst: int = Field(default=4, gt=0)
    ws_replay_interval_s: float = Field(default=2.0, ge=0)
    # Connections one client address may hold open (event streams not counted).
    connections_per_address: int = Field(default=64, gt=0)
    # Of the connections the open-files limit allows, those kept for requests with a token
    # and for /api/health (strangers get 503 once only these are left).
    connections_reserve: int = Field(default=64, gt=0)
    # Seconds a connection has to send a request's head, from opening or the last answer.
    head_timeout_s: float = Field(default=10.0, gt=0)
    # New spoken sentences (espeak-ng runs) per token: this many at once, then one per interval.
    voice_burst: int = Field(default=120, gt=0)
    voice_interval_s: float = Field(default=0.05, ge=0)
    # espeak-ng runs at once, and the size the voice cache is kept under.
    voice_syntheses: int = Field(default=2, gt=0)
    voice_cache_max_mb: int = Field(default=64, gt=0)
    # The province hub this centre ships its event log to (docs/province.md); none: no hub.
    hub_url: HttpUrl | None = None
    # A secret: kept out of every repr and log line.
    hub_token: SecretStr | None = Field(default=None, validate_default=True)
    # The longest pause between two tries while the hub cannot be reached (backoff cap).
    hub_retry_max_s: float = Field(default=60.0, gt=0)
    # How long one request to the hub may take: connecting, sending, or waiting for its answer.
    hub_timeout_s: float = Field(default=10.0, gt=0)
    # After a commit, how long the shipper waits for more events before it ships the batch:
    # a busy hall ships one request a second, not one a call.
    hub_linger_s: float = Field(default=1.0, ge=0)
    # The province's site template this centre follows (docs/province.md); none: none.
    hub_template: str | None = Field(default=None, min_length=1, max_length=100)
    # How often the followed template is fetched, in seconds.
    hub_template_interval_s: float = Field(default=300.0, gt=0)

    @field_validator("hub_token")
    @classmethod
    def _hub_token_with_url(cls, token: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if info.data.get("hub_url") is not None and not (token and token.get_secret_value()):
            raise ValueError("cần mã của trung tâm trên máy chủ tỉnh / the hub token is needed")
        return token

    @classmethod
    def load(cls, env_file: Path | None = None, **flags: object) -> Settings:
        """Settings from `flags` (None: not given), the environment, `env_file`, defaults."""
        given = {name: value for name, value in flags.items() if value is not None}
        return cls(_env_file=env_file, **given)  # type: ignore[arg-type]
