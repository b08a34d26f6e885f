"""The clerk's session kept on this PC for the day, so a restarted desk comes back signed in.

Kept: the server, the username, the counter, and the user token the server gave at sign-in
(`POST /api/auth/token`), with the moment it stops holding: the end of the local day or the
token's own expiry, whichever comes first. Never the password. The file is readable by
this user alone (0600), written aside and renamed so a crash never leaves half of it.
Signing out deletes it and revokes the token on the server; a token the server no longer
accepts (revoked, expired, user disabled) sends the clerk back to the sign-in screen.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

FILE_NAME = "session.json"


def _now() -> datetime:
    return datetime.now(UTC)


def end_of_local_day(at: datetime) -> datetime:
    """The next midnight after `at` on this PC's clock (its local timezone)."""
    local = at.astimezone()
    midnight = datetime.combine(local.date() + timedelta(days=1), time(), local.tzinfo)
    # Through UTC: a day with a DST change still ends at the wall clock's midnight.
    return midnight.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class KeptSession:
    server: str
    username: str
    counter: int
    token: str
    valid_until: datetime

    def to_json(self) -> str:
        data = asdict(self)
        data["valid_until"] = self.valid_until.isoformat()
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> KeptSession:
        data = json.loads(text)
        valid_until = datetime.fromisoformat(str(data["valid_until"]))
        if valid_until.tzinfo is None:
            raise ValueError("valid_until without a timezone")
        return cls(
            str(data["server"]),
            str(data["username"]),
            int(data["counter"]),
            str(data["token"]),
            valid_until,
        )


class SessionKeeper:
    """Reads, writes and forgets the kept session in `path`.

    Args:
        path: the file, e.g. `~/.local/share/motcua/motcua-counter/session.json`.
        now: the clock (tests move it past midnight).
    """

    def __init__(self, path: Path, now: Callable[[], datetime] = _now) -> None:
        self.path = path
        self._now = now

    def save(
        self, server: str, username: str, counter: int, token: str, expires_at: datetime | None
    ) -> KeptSession:
        now = self._now()
        end = end_of_local_day(now)
        valid_until = min(end, expires_at) if expires_at is not None else end
        kept = KeptSession(server.rstrip("/"), username, counter, token, valid_until)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        scratch = self.path.with_name(self.path.name + ".tmp")
        with contextlib.suppress(FileNotFoundError):
            scratch.unlink()
        # Created 0600 from the start: the token is never readable by others, not even briefly.
        fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(kept.to_json())
        os.replace(scratch, self.path)
        return kept

    def load(self, server: str) -> KeptSession | None:
        """The kept session for `server` if it still holds; a stale one is deleted."""
        try:
            kept = KeptSession.from_json(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            self.forget()
            return None
        if kept.server != server.rstrip("/") or self._now() >= kept.valid_until:
            self.forget()
            return None
        return kept

    def forget(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
