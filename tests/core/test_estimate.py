import pytest

from queue_core.estimate import estimated_wait_s, to_minutes


def test_nobody_ahead_means_no_wait() -> None:
    assert estimated_wait_s(0, None, 600, 2) == 0


def test_configured_average_stands_in_before_any_history() -> None:
    assert estimated_wait_s(4, None, 600, 1) == 2400


def test_observed_average_replaces_the_configured_one() -> None:
    assert estimated_wait_s(4, 300.0, 600, 1) == 1200


def test_open_counters_share_the_people_ahead() -> None:
    assert estimated_wait_s(6, None, 600, 3) == 1200


def test_with_no_counter_open_the_estimate_assumes_one_will_be() -> None:
    assert estimated_wait_s(3, None, 600, 0) == estimated_wait_s(3, None, 600, 1) == 1800


def test_partial_seconds_round_up() -> None:
    assert estimated_wait_s(1, 100.2, 600, 1) == 101
    assert estimated_wait_s(1, 100, 600, 3) == 34


@pytest.mark.parametrize(("seconds", "minutes"), [(0, 0), (1, 1), (60, 1), (61, 2), (1200, 20)])
def test_minutes_round_up(seconds: int, minutes: int) -> None:
    assert to_minutes(seconds) == minutes
