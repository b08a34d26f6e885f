"""Wait estimates shown on tickets, kiosks and boards."""

from __future__ import annotations

import math


def estimated_wait_s(
    people_ahead: int,
    observed_average_s: float | None,
    configured_average_s: float,
    open_counters: int,
) -> int:
    """People ahead × average service time / counters serving, in whole seconds.

    The day's observed average service time is used once there is one; before the
    first completion the service's configured average stands in. With no counter
    open yet the estimate assumes one will be.
    """
    average = observed_average_s if observed_average_s is not None else configured_average_s
    return math.ceil(people_ahead * average / max(open_counters, 1))


def to_minutes(seconds: int) -> int:
    """Whole minutes, rounded up: a citizen would rather wait less than promised."""
    return math.ceil(seconds / 60)
