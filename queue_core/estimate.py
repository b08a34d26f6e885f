"""Wait estimates shown on tickets, kiosks and boards.

    wait = people ahead × typical service time ÷ counters serving the service

The typical service time of a service is robust to the odd case: the trimmed mean
of its latest `RECENT_COMPLETIONS` completions of the day, blended with the
configured average (which weighs as much as `PRIOR_WEIGHT` completions, so it
fades as the day's own history grows), and never below `FLOOR_FRACTION` of the
configured average. One quick case at 07:31 moves the morning's promise by a
sixth, not to a few seconds; a slow afternoon shows within the last twenty cases.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

# How many of a service's latest completions of the day the estimate reads.
RECENT_COMPLETIONS = 20
# The configured average counts as this many completions in the blend.
PRIOR_WEIGHT = 5
# Share of each end of the sorted recent times left out of the mean.
TRIM_FRACTION = 0.2
# The estimate never promises less than this share of the configured average.
FLOOR_FRACTION = 0.25


def typical_service_s(recent_s: Sequence[float], configured_s: float) -> float:
    """The service time to expect next, in seconds.

    Args:
        recent_s: the service's latest completions of the day (call to completion,
            in seconds), at most `RECENT_COMPLETIONS` of them; any order.
        configured_s: the service's configured average service time.
    """
    recent = sorted(recent_s)
    n = len(recent)
    if n == 0:
        return configured_s
    cut = int(n * TRIM_FRACTION)
    kept = recent[cut : n - cut]
    observed = sum(kept) / len(kept)
    blended = (PRIOR_WEIGHT * configured_s + n * observed) / (PRIOR_WEIGHT + n)
    return max(blended, FLOOR_FRACTION * configured_s)


def estimated_wait_s(people_ahead: int, typical_s: float, open_counters: int) -> int:
    """People ahead × typical service time / counters serving, in whole seconds.

    With no counter open yet the estimate assumes one will be.
    """
    return math.ceil(people_ahead * typical_s / max(open_counters, 1))


def to_minutes(seconds: int) -> int:
    """Whole minutes, rounded up: a citizen would rather wait less than promised."""
    return math.ceil(seconds / 60)
