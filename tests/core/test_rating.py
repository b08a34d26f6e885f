from datetime import UTC, datetime

import pytest

from queue_core.rating import (
    DEVICE_RATING_WINDOW,
    QUESTION_EN,
    QUESTION_VI,
    SCALE_SIZES,
    satisfaction_rate,
    scale,
    within_device_window,
)


def test_three_four_and_five_level_scales_exist() -> None:
    assert SCALE_SIZES == (3, 4, 5)
    assert QUESTION_VI.endswith("?")
    assert QUESTION_EN.endswith("?")


def test_the_common_three_level_scale_runs_from_dissatisfied_up() -> None:
    levels = scale(3)
    assert [(lv.score, lv.label_vi, lv.satisfied) for lv in levels] == [
        (1, "Không hài lòng", False),
        (2, "Hài lòng", True),
        (3, "Rất hài lòng", True),
    ]


def test_four_level_scale_puts_neutral_on_the_satisfied_side() -> None:
    assert [lv.label_vi for lv in scale(4)] == [
        "Không hài lòng",
        "Bình thường",
        "Hài lòng",
        "Rất hài lòng",
    ]
    assert [lv.satisfied for lv in scale(4)] == [False, True, True, True]


def test_five_level_scale_has_two_dissatisfied_levels() -> None:
    levels = scale(5)
    assert levels[0].label_vi == "Rất không hài lòng"
    assert levels[0].label_en == "Very dissatisfied"
    assert [lv.satisfied for lv in levels] == [False, False, True, True, True]
    assert [lv.score for lv in levels] == [1, 2, 3, 4, 5]


def test_no_rating_gives_no_rate() -> None:
    assert satisfaction_rate([], 3) is None


def test_rate_is_all_minus_dissatisfied_over_all() -> None:
    assert satisfaction_rate([3, 2, 1, 3], 3) == 0.75
    assert satisfaction_rate([1, 2, 3, 4, 5], 5) == 0.6
    assert satisfaction_rate([2, 2], 4) == 1.0


@pytest.mark.parametrize(("scores", "size"), [([0], 3), ([4], 3), ([3, 6], 5)])
def test_a_score_outside_the_scale_is_refused_not_miscounted(scores: list[int], size: int) -> None:
    with pytest.raises(ValueError, match=f"scores run from 1 to {size}"):
        satisfaction_rate(scores, size)


def test_a_device_rates_within_its_window_after_completion() -> None:
    done = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    assert within_device_window(done, done)
    assert within_device_window(done, done + DEVICE_RATING_WINDOW)
    assert not within_device_window(done, done + DEVICE_RATING_WINDOW + DEVICE_RATING_WINDOW / 60)
    assert not within_device_window(None, done)
