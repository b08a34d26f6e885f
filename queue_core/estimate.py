"""Wait estimates shown on tickets, kiosks and boards.

    wait = people ahead × typical service time ÷ counters' worth of time for the service

The typical service time of a service is robust to the odd case: the trimmed mean
of its latest `RECENT_COMPLETIONS` completions of the day, blended with the
configured average (which weighs as much as `PRIOR_WEIGHT` completions, so it
fades as the day's own history grows), and never below `FLOOR_FRACTION` of the
configured average. One quick case at 07:31 moves the morning's promise by a
sixth, not to a few seconds; a slow afternoon shows within the last twenty cases.

The counters' worth of time is the open counters that serve the service, each
counting 1/k when it serves k services (it shares its time among them); before
any of them opens, all that serve it, as they will open.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from queue_core.model import Counter, CounterState

# How many of a service's latest completions of the day the estimate reads.
RECENT_COMPLETIONS = 20
# The configured average counts as this many completions in the blend.
PRIOR_WEIGHT = 5
# Share of each end of the sorted recent times left out of the mean.
TRIM_FRACTION = 0.1
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


def serving_capacity(service: str, counters: Iterable[Counter]) -> float:
    """How many counters' worth of time `service` gets (see the module's doc).

    A counter that serves three services counts a third: the queues it draws from
    share it, whatever the order it takes them in.
    """
    serving = [c for c in counters if service in c.calls_services]
    staffed = [c for c in serving if c.state is CounterState.OPEN] or serving
    return sum(1 / len(c.calls_services) for c in staffed)


def ticket_capacity(service: str, counters: Iterable[Counter], nearest: Counter) -> float:
    """How many counters' worth of time drains the calls before a ticket.

    Its people ahead are counted at `nearest`, the counter that reaches it first, and
    include the other services' tickets that counter calls before it: that counter
    spends all its time on them. The other counters serving the service help with
    their share of it (1/k each), as in `serving_capacity`.
    """
    serving = [c for c in counters if service in c.calls_services]
    # Before anyone signs in, every counter serving it will open (as in `serving_capacity`).
    staffed = [c for c in serving if c.state is CounterState.OPEN] or serving
    return 1 + sum(1 / len(c.calls_services) for c in staffed if c.number != nearest.number)


def estimated_wait_s(people_ahead: int, typical_s: float, capacity: float) -> int:
    """People ahead × typical service time / `capacity` (counters' worth), whole seconds.

    With no counter serving yet, the estimate assumes one whole counter will.
    """
    return math.ceil(people_ahead * typical_s / (capacity or 1))


def to_minutes(seconds: int) -> int:
    """Whole minutes, rounded up: a citizen would rather wait less than promised."""
    return math.ceil(seconds / 60)


def wait_words(minutes: int) -> str:
    """A wait in the words a ticket prints: "dưới 1 phút" under a minute (never
    "khoảng 0 phút"), else "khoảng 25 phút". The apps' screens say the same through
    their catalogs."""
    return "dưới 1 phút" if minutes < 1 else f"khoảng {minutes} phút"
