"""Reports as the API, the workbook and the page serve them: the figures of
`queue_core.report` over what the store reads, with the names a person reads.

A report reads history, so it never runs in the server's process: `ReportRunner` hands
each one (`summary_job`, `page_job`, `workbook_job`) to a worker process of its own, at a
lower CPU priority, with its own store connection, one report at a time. In a thread it
would hold the interpreter's lock for seconds on a year's export, and every call at the
counters would wait for it (measured: call-next p99 ×3.7 during a year's export; see
bench/reports.py).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from queue_core.numbering import local_time
from queue_core.protocol import ReportRow, ReportSummary
from queue_core.rating import scale as rating_scale
from queue_core.report import Figures, Grouping, Key, RangeTallies, Rules, rows
from queue_core.site import SiteConfig
from queue_server.store import Store, StoreError, connect

T = TypeVar("T")
log = logging.getLogger(__name__)

TOTAL_LABEL = "Tổng cộng"
GROUPINGS = tuple(Grouping)


@dataclass(frozen=True, slots=True)
class ReportData:
    """What one report reads: its tallies, and the names a person reads."""

    site: SiteConfig
    first: date
    last: date
    tallies: RangeTallies  # of the groupings read, and the total
    clerks: dict[str, str]  # username → display name
    service_names: dict[str, str]
    counter_names: dict[int, str]

    def scale_levels(self) -> list[str]:
        return [level.label_vi for level in rating_scale(self.site.site.rating_scale)]


def read(
    store: Store, first: date, last: date, groupings: Sequence[Grouping] = GROUPINGS
) -> ReportData:
    """The tallies of `groupings` over `first`…`last`: the days that are over from the
    store's daily figures, today from its tickets (see `Store.report_tallies`)."""
    with store.read_transaction():
        site = store.site()
        assert site is not None  # a migrated database holds its site
        clerks = {user.username: user.display_name for user in store.users()}
        counters = {counter.number: counter.name for counter in store.counters()}
    tallies = store.report_tallies(first, last, groupings, Rules.of(site))
    services = {code: service.name for code, service in site.services_domain().items()}
    return ReportData(site, first, last, tallies, clerks, services, counters)


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


def total_row(data: ReportData) -> ReportRow:
    return _row(None, TOTAL_LABEL, data.tallies.total.figures())


def summary(data: ReportData, by: Grouping, total: ReportRow | None = None) -> ReportSummary:
    """The report of `data` grouped `by` (a grouping it read); `total` when the caller
    has it already (it is the same for every grouping)."""
    services = data.site.services_domain()
    found = rows(
        data.tallies.groupings[by],
        by,
        scale=data.site.site.rating_scale,
        days=(data.first, data.last),
    )
    if by is Grouping.SERVICE:  # in the site's order, as its kiosk shows them
        order = {code: n for n, code in enumerate(services)}
        found.sort(key=lambda row: (order.get(str(row[0]), len(order)), str(row[0])))
    return ReportSummary(
        from_=data.first.isoformat(),
        to=data.last.isoformat(),
        by=by.value,
        rows=[_row(key, _label(data, by, key), figures) for key, figures in found],
        total=total if total is not None else total_row(data),
    )


def summaries(data: ReportData) -> dict[Grouping, ReportSummary]:
    """Every grouping of `data`, for the workbook and the page (one total for all)."""
    shared = total_row(data)
    return {by: summary(data, by, shared) for by in Grouping}


# --- the jobs, run in the worker process -------------------------------------------------


def _reading(
    data_dir: Path, first: date, last: date, groupings: Sequence[Grouping] = GROUPINGS
) -> ReportData:
    store = connect(data_dir)
    try:
        return read(store, first, last, groupings)
    finally:
        store.close()


def summary_job(data_dir: Path, first: date, last: date, by: Grouping) -> ReportSummary:
    """`GET /api/reports/summary`."""
    return summary(_reading(data_dir, first, last, (by,)), by)


def keep_up_job(data_dir: Path) -> int:
    """Tally the days that are over and keep their figures, so that the next report reads
    them rather than their tickets; returns how many days were tallied."""
    store = connect(data_dir)
    try:
        site = store.site()
        return 0 if site is None else store.keep_daily_figures(Rules.of(site))
    finally:
        store.close()


@dataclass(frozen=True, slots=True)
class PageFigures:
    """What the reports page shows, without the tickets it was counted from."""

    reports: dict[Grouping, ReportSummary]
    levels: list[str]
    target_minutes: int


def page_job(data_dir: Path, first: date, last: date) -> PageFigures:
    """The `/reports` page: every grouping, read once."""
    data = _reading(data_dir, first, last)
    return PageFigures(
        summaries(data),
        data.scale_levels(),
        data.site.site.waiting_target_minutes,
    )


def workbook_job(data_dir: Path, first: date, last: date, made_at: datetime) -> bytes:
    """`GET /api/reports/export.xlsx`, made at `made_at` (shown in the site's time)."""
    from queue_server.report_workbook import workbook

    data = _reading(data_dir, first, last)
    return workbook(data, local_time(made_at, data.site.site.timezone))


KEEP_UP_AFTER_S = 300.0
"""How long after the server starts the days that are over are first tallied (not at once:
a server starts busy enough), and then how often (`KEEP_UP_EVERY_S`): a day is tallied
within the hour after it ends, so the first report of a month finds it kept."""
KEEP_UP_EVERY_S = 3600.0

WORKER_NICENESS = 5
"""The hall first, yet not so low that a busy machine starves the report: at 5 a worker
gets about a third of what a normal process gets of a core both want (10 would be a tenth:
a year's export then took minutes on a loaded 2-core machine)."""


PARENT_CHECK_S = 1.0


def _start_worker() -> None:
    if hasattr(os, "nice"):  # not on Windows
        os.nice(WORKER_NICENESS)
    # A server killed outright (SIGKILL, a crash) runs no shutdown: its worker would wait
    # for jobs for ever, holding memory and the server's output pipes. It leaves instead.
    parent = os.getppid()

    def leave_with_the_server() -> None:
        while True:
            time.sleep(PARENT_CHECK_S)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=leave_with_the_server, name="parent-watch", daemon=True).start()


class ReportRunner:
    """Runs report jobs one at a time in a worker process, started on first use and kept
    until `close`."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        # Waiting here, not in the pool's queue: a report asked for and abandoned while
        # it waits (a closed page) costs nothing.
        self._one_at_a_time = asyncio.Semaphore(1)
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # "spawn": forking a process that runs threads (the writer, uvicorn's) may copy
            # a lock some thread holds.
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
            )
        return self._pool

    async def run(self, job: Callable[..., T], *args: Any) -> T:
        """`job(data_dir, *args)` in the worker process.

        Raises:
            StoreError: the worker died (it is started again for the next report).
        """
        async with self._one_at_a_time:
            loop = asyncio.get_running_loop()
            try:
                return await loop.run_in_executor(self._executor(), job, self.data_dir, *args)
            except BrokenProcessPool as exc:
                self._pool = None
                raise StoreError(f"the report's worker process died: {exc}") from exc

    async def keep_up(
        self, after_s: float = KEEP_UP_AFTER_S, every_s: float = KEEP_UP_EVERY_S
    ) -> None:
        """Tally the days that are over in the worker, after `after_s` then every
        `every_s`, for ever (a task the server cancels when it stops)."""
        await asyncio.sleep(after_s)
        while True:
            try:
                days = await self.run(keep_up_job)
                if days:
                    log.info("daily figures kept for %d day(s)", days)
            except Exception:  # the next round, or the next report, tallies them
                log.exception("keeping the daily figures failed")
            await asyncio.sleep(every_s)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
