"""A report row's figures from merged `DailyTally`s: the hub's tally, as it is stored, read
back as a `queue_core.report.Tally`, whose `figures()` are a centre's own arithmetic
(definitions, rounding, nearest-rank p90, the rating scale). One home for the rule: the
same numbers a centre's own summary gives for the same tickets."""

from __future__ import annotations

from itertools import accumulate

from queue_core.report import Figures, Tally, WaitTotals
from queue_hub.projection import DailyTally

_US_PER_TENTH = 6_000_000  # a tenth of a minute


def as_tally(tally: DailyTally, scale: int) -> Tally:
    """`tally` as the centre's `Tally`, shown on `scale`.

    The hub keeps differences (a ticket's old part out, its new part in), so it keeps no
    longest wait, which cannot be taken out again: the longest is the top of the waits'
    histogram, whose tenth is the report's rounded maximum (rounding is monotone). Sums are
    kept in seconds and read back in microseconds."""
    waits = sorted((bucket, n) for bucket, n in tally.waits.items() if n > 0)
    kept: list[WaitTotals] = []
    if waits:
        lo, hi = waits[0][0], waits[-1][0]
        counts = [0] * (hi - lo + 1)
        for bucket, n in waits:
            counts[bucket - lo] = n
        kept.append(WaitTotals(lo, list(accumulate(counts))))
    return Tally(
        scale,
        issued=tally.issued,
        called=tally.called,
        served=tally.served,
        no_show=tally.no_show,
        cancelled=tally.cancelled,
        expired=tally.expired,
        within_target=tally.within_target,
        wait_us=round(tally.wait_sum_s * 1_000_000),
        wait_max_us=waits[-1][0] * _US_PER_TENTH if waits else None,
        timed=tally.service_n,
        service_us=round(tally.service_sum_s * 1_000_000),
        ratings={score: n for score, n in enumerate(tally.ratings, start=1) if n},
        kept_waits=kept,
    )


def figures(tally: DailyTally, scale: int) -> Figures:
    return as_tally(tally, scale).figures()
