"""Province reports: the contract's summary (`ReportSummary` of `ReportRow`s), across
centres, from the daily tallies (`queue_hub.projection`), with the figures a centre's own
summary gives for the same tickets (`queue_hub.figures`).

Grouped `by` centre, service (codes are the province's shared vocabulary: "TP" at two
centres is one row), day or hour of issue. Ratings count on each centre's own scale; a row
mixing centres shows the largest of their scales.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

from queue_core.protocol import HubReportBy, HubReportSummary, ReportRow
from queue_core.report import period
from queue_hub.errors import UnknownCentre
from queue_hub.figures import figures
from queue_hub.projection import DailyTally, SiteFacts
from queue_hub.store import Centre, HubStore

TOTAL_LABEL = "Tổng cộng"


class _Row:
    """One row's merged tally, and the largest rating scale among its centres."""

    def __init__(self) -> None:
        self.tally = DailyTally()
        self.scale = 0

    def add(self, tally: DailyTally, scale: int) -> None:
        self.tally.merge(tally, scale)
        self.scale = max(self.scale, scale)


def _label(by: HubReportBy, key: Any, centres: dict[str, Centre], names: dict[str, str]) -> str:
    if by == "centre":
        return centres[key].name if key in centres else str(key)
    if by == "service":
        return names.get(str(key), str(key))  # a retired service: its code
    if by == "day":
        year, month, day = str(key).split("-")
        return f"{day}/{month}/{year}"
    return f"{int(key):02d}:00–{int(key) + 1:02d}:00"


def _service_order(sites: Iterable[SiteFacts]) -> dict[str, int]:
    order: dict[str, int] = {}
    for site in sites:
        for code in site.service_names:
            order.setdefault(code, len(order))
    return order


def summary(
    store: HubStore,
    first_text: str,
    last_text: str,
    centre: str,
    by: HubReportBy,
    *,
    rollups: bool = True,
) -> HubReportSummary:
    """`GET /api/hub/reports/summary` (from the rollups; without `rollups`, from every
    key's row of every day: the reference they are tested against).

    Raises:
        InvalidRequest: a malformed, reversed or too long range (422).
        UnknownCentre: `centre` is neither `all` nor a centre's code (404).
    """
    first, last = period(first_text, last_text)
    centres = {c.code: c for c in store.centres()}
    chosen = None if centre == "all" else centre
    if chosen is not None and chosen not in centres:
        raise UnknownCentre(f"Không có trạm {chosen} / no centre {chosen}")
    included = [centres[chosen]] if chosen is not None else list(centres.values())
    sites = {c.code: SiteFacts.of(c.site) for c in included}
    names: dict[str, str] = {}
    for site in sites.values():
        for code, name in site.service_names.items():
            names.setdefault(code, name)
    scale = max((site.rating_scale for site in sites.values()), default=3)

    rows: dict[Any, _Row] = {}
    if by == "day":  # every day of the range, those without a ticket too, for a chart
        day = first
        while day <= last:
            rows[day.isoformat()] = _Row()
            day += timedelta(days=1)
    total = _Row()
    total.scale = scale
    found, waits = store.tallies(first, last, chosen, by, rollups=rollups)
    for code, k, tally in found:
        own_scale = sites[code].rating_scale if code in sites else scale
        rows.setdefault(_key(by, code, k), _Row()).add(tally, own_scale)
        total.add(tally, own_scale)
    for k, histogram in waits.items():
        row_waits = rows.setdefault(_key(by, k, k), _Row()).tally.waits
        for bucket, count in histogram.items():
            row_waits[bucket] = row_waits.get(bucket, 0) + count
            total.tally.waits[bucket] = total.tally.waits.get(bucket, 0) + count

    keys = sorted(rows)
    if by == "service":  # in the site's order, as its kiosk shows them
        order = _service_order(sites.values())
        keys.sort(key=lambda k: (order.get(str(k), len(order)), str(k)))
    return HubReportSummary(
        from_=first.isoformat(),
        to=last.isoformat(),
        by=by,
        centre=centre,
        rows=[_row(k, _label(by, k, centres, names), rows[k], scale) for k in keys],
        total=_row(None, TOTAL_LABEL, total, scale),
    )


def _key(by: HubReportBy, centre: str, key: Any) -> Any:
    if by == "centre":
        return centre
    return key.isoformat() if isinstance(key, date) else key


def _row(key: Any, label: str, row: _Row, scale: int) -> ReportRow:
    return ReportRow(key=key, label=label, **asdict(figures(row.tally, row.scale or scale)))
