"""Reports as the API, the workbook and the page serve them: the figures of
`queue_core.report` over what the store reads, with the names a person reads.

A report reads history, so it never runs on the event loop: `ReportRunner` runs it on a
thread with a store connection of its own (a store is one thread's), one report at a
time, so that a supervisor's year-long export leaves the hall's calls their CPU.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from queue_core.protocol import ReportRow, ReportSummary
from queue_core.rating import scale as rating_scale
from queue_core.report import Figures, Grouping, Key, Visit, group, total
from queue_core.site import SiteConfig
from queue_server.store import Store, connect

T = TypeVar("T")

TOTAL_LABEL = "Tổng cộng"
GROUPINGS = tuple(Grouping)


@dataclass(frozen=True, slots=True)
class ReportData:
    """What one report reads, in one consistent state of the database."""

    site: SiteConfig
    first: date
    last: date
    visits: list[Visit]
    clerks: dict[str, str]  # username → display name
    service_names: dict[str, str]
    counter_names: dict[int, str]

    def scale_levels(self) -> list[str]:
        return [level.label_vi for level in rating_scale(self.site.site.rating_scale)]


def read(store: Store, first: date, last: date) -> ReportData:
    with store.read_transaction():
        site = store.site()
        assert site is not None  # a migrated database holds its site
        visits = store.report_visits(first, last)
        clerks = {user.username: user.display_name for user in store.users()}
        counters = {counter.number: counter.name for counter in store.counters()}
    services = {code: service.name for code, service in site.services_domain().items()}
    return ReportData(site, first, last, visits, clerks, services, counters)


def _label(data: ReportData, by: Grouping, key: Key) -> str:
    if by is Grouping.SERVICE:
        return data.service_names.get(str(key), str(key))  # a retired service: its code
    if by is Grouping.COUNTER:
        return data.counter_names.get(int(key), f"Quầy {key}")
    if by is Grouping.CLERK:
        return data.clerks.get(str(key), str(key))
    if by is Grouping.DAY:
        year, month, day = str(key).split("-")
        return f"{day}/{month}/{year}"
    return f"{int(key):02d}:00–{int(key) + 1:02d}:00"


def _row(key: Key | None, label: str, figures: Figures) -> ReportRow:
    return ReportRow(key=key, label=label, **asdict(figures))


def _targets(data: ReportData) -> Callable[[str], float]:
    services = data.site.services_domain()
    default_s = data.site.site.waiting_target_minutes * 60
    targets = {code: float(service.waiting_target_s) for code, service in services.items()}
    # A retired service is no longer in the site: the site's default target is its own.
    return lambda code: targets.get(code, default_s)


def total_row(data: ReportData) -> ReportRow:
    size = data.site.site.rating_scale
    return _row(None, TOTAL_LABEL, total(data.visits, targets_s=_targets(data), scale=size))


def summary(data: ReportData, by: Grouping, total: ReportRow | None = None) -> ReportSummary:
    """The report of `data` grouped `by`; `total` when the caller has it already (it is
    the same for every grouping)."""
    services = data.site.services_domain()
    size = data.site.site.rating_scale
    rows = group(
        data.visits,
        by,
        targets_s=_targets(data),
        scale=size,
        timezone=data.site.site.timezone,
        days=(data.first, data.last),
    )
    if by is Grouping.SERVICE:  # in the site's order, as its kiosk shows them
        order = {code: n for n, code in enumerate(services)}
        rows.sort(key=lambda row: (order.get(str(row[0]), len(order)), str(row[0])))
    return ReportSummary(
        from_=data.first.isoformat(),
        to=data.last.isoformat(),
        by=by.value,
        rows=[_row(key, _label(data, by, key), figures) for key, figures in rows],
        total=total if total is not None else total_row(data),
    )


def summaries(data: ReportData) -> dict[Grouping, ReportSummary]:
    """Every grouping of `data`, for the workbook and the page (one total for all)."""
    shared = total_row(data)
    return {by: summary(data, by, shared) for by in Grouping}


class ReportRunner:
    """Runs reports one at a time, each on a worker thread with its own store."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        # Waiting here, not in the thread pool: queued reports hold no pool thread.
        self._one_at_a_time = asyncio.Semaphore(1)

    def _in_thread(self, work: Callable[[Store], T]) -> T:
        store = connect(self.data_dir)
        try:
            return work(store)
        finally:
            store.close()

    async def run(self, work: Callable[[Store], T]) -> T:
        async with self._one_at_a_time:
            return await asyncio.to_thread(self._in_thread, work)
