"""Migration: the active alerts, kept so that a restart neither forgets nor raises again.

One row per alert raised (issue #14); `cleared_at` is set when it clears. The event log
holds every raise and clear; this table is what the live hall loads at start: the rows not
cleared, found by their own index however long the history grows.
"""

from __future__ import annotations

from sqlite_utils import Database

from queue_server.store.sqlite import hot_path as _hot_path  # noqa: F401  (m007–m010 first)
from queue_server.store.sqlite.schema import migrations


@migrations()
def m011_alerts(db: Database) -> None:
    db.table("alerts").create(
        {
            "id": int,
            "kind": str,
            "subject": str,
            "message": str,
            "since": str,
            "raised_at": str,
            "cleared_at": str,
        },
        pk="id",
        not_null={"kind", "subject", "message", "since", "raised_at"},
    )
    db.table("alerts").create_index(["cleared_at"], index_name="alerts_active")
