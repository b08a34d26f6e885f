"""Rationing by key (a token, a device): a few uses at once, then a steady rate.

The expensive things any token may ask for (replaying the event log, synthesising
speech) are rationed per token, so one leaked display token cannot keep the server busy.
The table is bounded: the least recently used keys are forgotten first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict


class RateBudget:
    """A token bucket per key: `burst` uses at once, then one every `interval_s` (GCRA)."""

    def __init__(
        self, burst: int, interval_s: float, max_wait_s: float, capacity: int = 4096
    ) -> None:
        self._burst = burst
        self.interval_s = interval_s
        self._max_wait_s = max_wait_s
        self._capacity = capacity
        # key -> when its bucket is full again (a bucket full now is not kept).
        self._full_at: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()  # the voice takes its ration from worker threads

    def reserve(self, key: str, now_s: float) -> float | None:
        """Take one use for `key`: the seconds to wait before it, or None when the wait
        would exceed `max_wait_s` (nothing is taken then)."""
        with self._lock:
            return self._reserve(key, now_s)

    def _reserve(self, key: str, now_s: float) -> float | None:
        full_at = max(self._full_at.get(key, now_s), now_s)
        full_at += self.interval_s
        wait_s = max(0.0, full_at - now_s - self._burst * self.interval_s)
        if wait_s > self._max_wait_s:
            return None
        self._full_at[key] = full_at
        self._full_at.move_to_end(key)
        while len(self._full_at) > self._capacity:
            self._full_at.popitem(last=False)
        return wait_s
