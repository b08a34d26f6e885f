import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queue_core.estimate import (
    FLOOR_FRACTION,
    PRIOR_WEIGHT,
    RECENT_COMPLETIONS,
    estimated_wait_s,
    serving_capacity,
    ticket_capacity,
    to_minutes,
    typical_service_s,
    wait_words,
)
from queue_core.model import CounterState
from tests.core.builders import make_counter

CONFIGURED_S = 600.0


# --- the typical service time ------------------------------------------------------------


def test_the_configured_average_stands_in_before_any_history() -> None:
    assert typical_service_s([], CONFIGURED_S) == CONFIGURED_S


def test_one_quick_early_case_does_not_collapse_the_estimate() -> None:
    # The 07:31 case that took 30 s: the old day's mean promised 30 s a head all morning.
    typical = typical_service_s([30.0], CONFIGURED_S)
    assert typical == pytest.approx((PRIOR_WEIGHT * CONFIGURED_S + 30) / (PRIOR_WEIGHT + 1))
    assert typical > 0.8 * CONFIGURED_S


def test_it_converges_to_the_recent_times_as_they_accumulate() -> None:
    def typical(n: int) -> float:
        return typical_service_s([300.0] * n, CONFIGURED_S)

    steps = [typical(n) for n in range(RECENT_COMPLETIONS + 1)]
    assert steps == sorted(steps, reverse=True)
    assert steps[-1] == pytest.approx(300 + (CONFIGURED_S - 300) * PRIOR_WEIGHT / 25)
    assert abs(steps[-1] - 300) < 0.25 * (CONFIGURED_S - 300)


def test_a_slow_afternoon_raises_it_too() -> None:
    assert typical_service_s([1500.0] * RECENT_COMPLETIONS, CONFIGURED_S) > 1200


def test_the_odd_very_long_or_very_short_case_is_trimmed_away() -> None:
    usual = [400.0] * 9
    assert typical_service_s([*usual, 5400.0], CONFIGURED_S) == pytest.approx(
        typical_service_s([*usual, 400.0], CONFIGURED_S)
    )
    assert typical_service_s([*usual, 5.0], CONFIGURED_S) == pytest.approx(
        typical_service_s([*usual, 400.0], CONFIGURED_S)
    )


def test_it_never_falls_below_the_floor() -> None:
    quick = [1.0] * RECENT_COMPLETIONS
    assert typical_service_s(quick, CONFIGURED_S) == FLOOR_FRACTION * CONFIGURED_S


@settings(max_examples=200, deadline=None)
@given(
    recent=st.lists(st.floats(min_value=0, max_value=4 * 3600), max_size=RECENT_COMPLETIONS),
    configured=st.floats(min_value=30, max_value=8 * 3600),
)
def test_it_lies_between_the_floor_and_the_largest_figure_it_was_given(
    recent: list[float], configured: float
) -> None:
    typical = typical_service_s(recent, configured)
    assert FLOOR_FRACTION * configured <= typical <= max([configured, *recent]) * (1 + 1e-9)
    assert typical_service_s(list(reversed(recent)), configured) == pytest.approx(typical)


# --- the wait -------------------------------------------------------------------------


def test_nobody_ahead_means_no_wait() -> None:
    assert estimated_wait_s(0, 600, 2) == 0


def test_people_ahead_times_the_typical_time() -> None:
    assert estimated_wait_s(4, 600, 1) == 2400


def test_open_counters_share_the_people_ahead() -> None:
    assert estimated_wait_s(6, 600, 3) == 1200
    assert estimated_wait_s(6, 600, 1.5) == 2400


# --- the counters' worth of time a service gets ------------------------------------------


def test_each_open_counter_serving_the_service_counts_its_share() -> None:
    counters = [
        make_counter(1, ("TP",)),
        make_counter(2, ("TP", "DD")),
        make_counter(3, ("DD", "LD", "TP")),
        make_counter(4, ("DD",)),
    ]
    assert serving_capacity("TP", counters) == pytest.approx(1 + 1 / 2 + 1 / 3)
    assert serving_capacity("LD", counters) == pytest.approx(1 / 3)


def test_only_open_counters_count_once_one_is_open() -> None:
    counters = [
        make_counter(1, ("TP",), state=CounterState.CLOSED),
        make_counter(2, ("TP", "DD")),
        make_counter(3, ("TP",), state=CounterState.PAUSED),
    ]
    assert serving_capacity("TP", counters) == 0.5


def test_before_anyone_signs_in_every_counter_serving_it_counts() -> None:
    closed = [make_counter(n, ("TP",), state=CounterState.CLOSED) for n in (1, 2)]
    assert serving_capacity("TP", closed) == 2
    assert serving_capacity("XD", closed) == 0


def test_with_no_counter_open_the_estimate_assumes_one_will_be() -> None:
    assert estimated_wait_s(3, 600, 0) == estimated_wait_s(3, 600, 1) == 1800


def test_partial_seconds_round_up() -> None:
    assert estimated_wait_s(1, 100.2, 1) == 101
    assert estimated_wait_s(1, 100, 3) == 34


@pytest.mark.parametrize(("seconds", "minutes"), [(0, 0), (1, 1), (60, 1), (61, 2), (1200, 20)])
def test_minutes_round_up(seconds: int, minutes: int) -> None:
    assert to_minutes(seconds) == minutes


# --- a ticket's capacity: its nearest counter whole, the others their share ----------------


def test_the_nearest_counter_counts_whole_because_its_other_services_are_in_the_count() -> None:
    everything = make_counter(7, ("TP", "DD", "TN", "XD", "KD", "VH", "NN", "CA", "LD"))
    assert ticket_capacity("TN", [everything], everything) == 1
    # Eight calls before it there, ten minutes each: eighty minutes, not nine times that.
    assert estimated_wait_s(8, 600, ticket_capacity("TN", [everything], everything)) == 4800


def test_other_open_counters_add_their_share() -> None:
    nearest = make_counter(1, ("TP",))
    counters = [
        nearest,
        make_counter(2, ("TP", "DD")),
        make_counter(3, ("TP",), state=CounterState.CLOSED),
    ]
    assert ticket_capacity("TP", counters, nearest) == 1.5


def test_before_anyone_opens_every_other_counter_serving_it_adds_its_share() -> None:
    closed = [make_counter(n, ("TP",), state=CounterState.CLOSED) for n in (1, 2, 3)]
    assert ticket_capacity("TP", closed, closed[0]) == 3


def test_once_someone_is_open_closed_counters_add_nothing() -> None:
    nearest = make_counter(1, ("TP",))
    counters = [nearest, make_counter(2, ("TP", "DD"), state=CounterState.CLOSED)]
    assert ticket_capacity("TP", counters, nearest) == 1


def test_a_wait_is_worded_as_the_ticket_prints_it() -> None:
    assert wait_words(0) == "dưới 1 phút"
    assert wait_words(25) == "khoảng 25 phút"
