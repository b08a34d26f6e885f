"""An app's heartbeat file as a supervisor reads it, without Qt.

The GUI side that writes it is `queue_client.liveness`; a supervisor (`motcua demo`,
`bench/soak.py`) only reads, and must not load Qt to do so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

HEARTBEAT_ENV = "MOTCUA_HEARTBEAT"


@dataclass(frozen=True, slots=True)
class Beat:
    """One heartbeat as its file holds it."""

    pid: int
    at: float
    stall_ms: float
    stall_max_ms: float

    @classmethod
    def read(cls, path: Path) -> Beat | None:
        """The last beat written to `path`, or None when there is none (yet)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                int(data["pid"]),
                float(data["at"]),
                float(data["stall_ms"]),
                float(data["stall_max_ms"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
