"""Satisfaction scales (mức độ hài lòng): 3, 4 or 5 levels, 1 the least satisfied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Level:
    score: int
    label_vi: str
    label_en: str
    satisfied: bool  # counts for the "tỷ lệ hài lòng" of Quyết định 766/QĐ-TTg


_VERY_SATISFIED = ("Rất hài lòng", "Very satisfied", True)
_SATISFIED = ("Hài lòng", "Satisfied", True)
_NEUTRAL = ("Bình thường", "Neutral", True)
_DISSATISFIED = ("Không hài lòng", "Dissatisfied", False)
_VERY_DISSATISFIED = ("Rất không hài lòng", "Very dissatisfied", False)

_SCALES = {
    3: (_DISSATISFIED, _SATISFIED, _VERY_SATISFIED),
    4: (_DISSATISFIED, _NEUTRAL, _SATISFIED, _VERY_SATISFIED),
    5: (_VERY_DISSATISFIED, _DISSATISFIED, _NEUTRAL, _SATISFIED, _VERY_SATISFIED),
}

SCALE_SIZES = tuple(_SCALES)

# How long after a ticket is completed a device (the counter's tablet, a kiosk) may rate it
# by its id alone. The citizen's rating comes at once, at the counter; a device that rates
# later is typing numbers, which anyone may. Past it, only the ticket's follow code rates.
DEVICE_RATING_WINDOW = timedelta(minutes=15)

QUESTION_VI = "Ông/Bà có hài lòng với chất lượng phục vụ?"
QUESTION_EN = "Are you satisfied with the service?"


def scale(size: int) -> tuple[Level, ...]:
    """The levels of a `size`-level scale, from 1 (least satisfied) up."""
    return tuple(Level(i + 1, *row) for i, row in enumerate(_SCALES[size]))


def satisfaction_rate(scores: list[int], size: int) -> float | None:
    """(all − dissatisfied) / all, as 766/QĐ-TTg counts it; None with no rating."""
    if not scores:
        return None
    levels = scale(size)
    # Score 0 would otherwise index from the end and count as "very satisfied".
    if any(not 1 <= s <= size for s in scores):
        raise ValueError(f"scores run from 1 to {size}")
    satisfied = sum(1 for s in scores if levels[s - 1].satisfied)
    return satisfied / len(scores)


def within_device_window(finished_at: datetime | None, now: datetime) -> bool:
    """Whether a ticket completed at `finished_at` may still be rated by a device `now`."""
    return finished_at is not None and now - finished_at <= DEVICE_RATING_WINDOW
