from datetime import UTC, datetime, timedelta

import pytest

from queue_core.clock import Clock, FrozenClock, SystemClock


def test_frozen_clock_stands_still_until_told_to_move() -> None:
    clock = FrozenClock(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
    assert clock.now() == clock.now() == datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def test_advance_moves_forward_and_returns_the_new_time() -> None:
    clock = FrozenClock(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
    assert clock.advance(minutes=90) == datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
    assert clock.now() == datetime(2026, 11, 23, 2, 30, tzinfo=UTC)


def test_set_jumps_to_any_aware_time() -> None:
    clock = FrozenClock(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
    clock.set(datetime(2027, 1, 1, tzinfo=UTC))
    assert clock.now() == datetime(2027, 1, 1, tzinfo=UTC)


def test_frozen_clock_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FrozenClock(datetime(2026, 11, 23, 8, 0))
    clock = FrozenClock(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.set(datetime(2026, 11, 23, 8, 0))


def test_system_clock_says_now_in_utc() -> None:
    clock: Clock = SystemClock()
    before = datetime.now(UTC)
    now = clock.now()
    assert now.utcoffset() == timedelta(0)
    assert before <= now <= datetime.now(UTC)
