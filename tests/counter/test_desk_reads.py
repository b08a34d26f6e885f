"""A desk's reads wait a little more or less each time, so that twenty desks hearing the
same event do not all ask the server in the same millisecond."""

from __future__ import annotations

from counter_client.desk import READ_SPREAD, read_delay_ms


def test_a_read_waits_its_interval_give_or_take_the_spread() -> None:
    assert read_delay_ms(300, lambda: 0.0) == round(300 * (1 - READ_SPREAD))
    assert read_delay_ms(300, lambda: 0.5) == 300
    assert read_delay_ms(300, lambda: 0.999999) == round(300 * (1 + READ_SPREAD))
    assert read_delay_ms(1, lambda: 0.0) >= 1  # never "at once": a burst is one read


def test_twenty_desks_spread_over_the_interval() -> None:
    delays = sorted(read_delay_ms(300) for _ in range(2000))
    assert delays[0] >= 150
    assert delays[-1] <= 450
    # Spread out, not bunched: every tenth of the window gets some of them.
    buckets = {(d - 150) * 10 // 301 for d in delays}
    assert buckets == set(range(10))
