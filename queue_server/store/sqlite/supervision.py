"""Migration: what a supervisor decides for the day, kept so that a restart keeps it.

A counter sent to help another service (`counters.helps`, for the day `helps_on`), and a
service whose issuing was closed early (`early_closures`, one row per service and day,
deleted when it reopens). Both end with the day: the writer's day sweep sends counters
home, and only today's closures are read. The event log records who did each (issue #14).
"""

from __future__ import annotations

from sqlite_utils import Database

from queue_server.store.sqlite import reports as _reports  # noqa: F401  (m012 first)
from queue_server.store.sqlite.schema import migrations


@migrations()
def m015_supervisor_orders(db: Database) -> None:
    counters = db.table("counters")
    if "helps" not in counters.columns_dict:
        counters.add_column("helps", str)
        counters.add_column("helps_on", str)
    db.table("early_closures").create(
        {"service": str, "day": str, "closed_at": str, "actor": str},
        pk=("service", "day"),
        not_null={"closed_at"},
        if_not_exists=True,
    )
