"""An app's heartbeat file as a supervisor reads it, without Qt.

The GUI side that writes it is `queue_client.liveness`; a supervisor (`motcua demo`,
`bench/soak.py`) only reads, and must not load Qt to do so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

HEARTBEAT_ENV = "MOTCUA_HEARTBEAT"
# A heartbeat ticks every second. An app silent this long has a frozen GUI thread (the
# longest stall measured in a busy demo was well under 0.1 s): whatever supervises it
# (`motcua demo`, systemd's watchdog, the Windows task) kills it and starts it again.
FROZEN_AFTER_S = 4


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
