"""A report row's figures from merged `DailyTally`s, with `queue_core.report`'s
definitions and rounding (the contract's Row): the same numbers a centre's own summary
gives for the same tickets."""

from __future__ import annotations

import math

from queue_core.report import Figures, one_decimal
from queue_hub.projection import DailyTally


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else one_decimal(seconds / 60)


def _pct(part: int, whole: int) -> float | None:
    return one_decimal(part * 100 / whole) if whole else None


def _p90_bucket(waits: dict[int, int]) -> int | None:
    """The nearest-rank 90th percentile of the histogram: the ⌈0.9·n⌉-th smallest."""
    n = sum(waits.values())
    if n <= 0:
        return None
    rank = math.ceil(9 * n / 10)  # in integers, as queue_core.report.p90
    seen = 0
    for bucket in sorted(waits):
        seen += waits[bucket]
        if seen >= rank:
            return bucket
    return max(waits)  # pragma: no cover - the counts add up to n


def figures(tally: DailyTally, scale: int) -> Figures:
    waits = {bucket: n for bucket, n in tally.waits.items() if n > 0}
    p90 = _p90_bucket(waits)
    levels = {str(level): 0 for level in range(1, scale + 1)}
    for score, count in enumerate(tally.ratings, start=1):
        levels[str(min(score, scale))] += count
    rated = sum(levels.values())
    return Figures(
        issued=tally.issued,
        called=tally.called,
        served=tally.served,
        no_show=tally.no_show,
        cancelled=tally.cancelled,
        expired=tally.expired,
        wait_avg_minutes=_minutes(tally.wait_sum_s / tally.called if tally.called else None),
        wait_p90_minutes=None if p90 is None else p90 / 10,
        wait_max_minutes=max(waits) / 10 if waits else None,
        service_avg_minutes=_minutes(
            tally.service_sum_s / tally.service_n if tally.service_n else None
        ),
        within_target_pct=_pct(tally.within_target, tally.called),
        ratings=levels,
        satisfaction_pct=_pct(rated - levels["1"], rated),
    )
