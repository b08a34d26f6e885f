"""Report figures against the worked example of `docs/reports.md`, computed by hand
(`tests/core/report_example.py` holds the tickets and the table of their times)."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date
from typing import Any

import pytest

from queue_core.errors import InvalidRequest
from queue_core.model import TicketStatus
from queue_core.report import Figures, Grouping, Tally, group, one_decimal, p90, period, total
from tests.core.report_example import DAY1, DAY2, TARGETS_S, ZONE, at, visits


def _target(service: str) -> float:
    return TARGETS_S[service]


def _row(**fields: Any) -> dict[str, Any]:
    empty: dict[str, Any] = {
        "issued": 0,
        "called": 0,
        "served": 0,
        "no_show": 0,
        "cancelled": 0,
        "expired": 0,
        "wait_avg_minutes": None,
        "wait_p90_minutes": None,
        "wait_max_minutes": None,
        "service_avg_minutes": None,
        "within_target_pct": None,
        "ratings": {"1": 0, "2": 0, "3": 0},
        "satisfaction_pct": None,
    }
    return empty | fields


def _grouped(by: Grouping, **extra: Any) -> dict[Any, dict[str, Any]]:
    rows = group(visits(), by, targets_s=_target, scale=3, timezone=ZONE, **extra)
    return {key: asdict(figures) for key, figures in rows}


TOTAL = _row(
    issued=7,  # 9 tickets less one cancelled and one expired; the walk-in counts
    called=7,
    served=6,
    no_show=1,
    cancelled=1,
    expired=1,
    wait_avg_minutes=19.3,  # (10 + 25 + 15 + 10 + 30 + 0 + 45) / 7 = 19.29
    wait_p90_minutes=45.0,  # ⌈0.9 × 7⌉ = 7th of 0 10 10 15 25 30 45
    wait_max_minutes=45.0,
    service_avg_minutes=11.8,  # (15 + 10 + 12 + 8 + 6 + 20) / 6 = 11.83
    within_target_pct=57.1,  # #1 #3 #4 #8 of 7: 4 / 7
    ratings={"1": 1, "2": 1, "3": 3},
    satisfaction_pct=80.0,  # (5 − 1) / 5
)


def test_the_total_of_the_worked_example() -> None:
    assert asdict(total(visits(), targets_s=_target, scale=3)) == TOTAL


def test_by_service_with_each_service_own_target() -> None:
    assert _grouped(Grouping.SERVICE) == {
        "DD": _row(
            issued=2,
            called=2,
            served=2,
            cancelled=1,
            wait_avg_minutes=20.0,
            wait_p90_minutes=30.0,
            wait_max_minutes=30.0,
            service_avg_minutes=10.0,
            within_target_pct=50.0,  # #4 waited 10 ≤ 15, #5 waited 30 > 15
            ratings={"1": 0, "2": 1, "3": 1},
            satisfaction_pct=100.0,
        ),
        "TP": _row(
            issued=5,
            called=5,
            served=4,
            no_show=1,
            expired=1,
            wait_avg_minutes=19.0,
            wait_p90_minutes=45.0,  # ⌈4.5⌉ = 5th of 0 10 15 25 45
            wait_max_minutes=45.0,
            service_avg_minutes=12.8,  # 51 / 4 = 12.75, half up
            within_target_pct=60.0,
            ratings={"1": 1, "2": 0, "3": 2},
            satisfaction_pct=66.7,
        ),
    }


COUNTER_1 = _row(
    issued=4,
    called=4,
    served=4,
    wait_avg_minutes=16.3,  # 65 / 4 = 16.25: half up, where round() would give 16.2
    wait_p90_minutes=30.0,
    wait_max_minutes=30.0,
    service_avg_minutes=9.8,
    within_target_pct=50.0,
    ratings={"1": 1, "2": 0, "3": 2},
    satisfaction_pct=66.7,
)
COUNTER_2 = _row(
    issued=3,
    called=3,
    served=2,
    no_show=1,
    wait_avg_minutes=23.3,  # #4's wait runs to its FIRST call (09:20), not its last (09:50)
    wait_p90_minutes=45.0,
    wait_max_minutes=45.0,
    service_avg_minutes=16.0,  # #4's service runs from its LAST call: 12 minutes
    within_target_pct=66.7,
    ratings={"1": 0, "2": 1, "3": 1},
    satisfaction_pct=100.0,
)


def test_by_counter_and_by_clerk_leave_out_tickets_never_called() -> None:
    assert _grouped(Grouping.COUNTER) == {1: COUNTER_1, 2: COUNTER_2}
    assert _grouped(Grouping.CLERK) == {"lan": COUNTER_1, "hung": COUNTER_2}


def test_by_day_lists_every_day_of_the_range() -> None:
    rows = _grouped(Grouping.DAY, days=(DAY1, DAY2.replace(day=4)))
    assert rows == {
        "2026-11-02": _row(
            issued=6,
            called=6,
            served=5,
            no_show=1,
            cancelled=1,
            expired=1,
            wait_avg_minutes=15.0,
            wait_p90_minutes=30.0,
            wait_max_minutes=30.0,
            service_avg_minutes=10.2,
            within_target_pct=66.7,
            ratings={"1": 1, "2": 1, "3": 2},
            satisfaction_pct=75.0,
        ),
        "2026-11-03": _row(
            issued=1,
            called=1,
            served=1,
            wait_avg_minutes=45.0,
            wait_p90_minutes=45.0,
            wait_max_minutes=45.0,
            service_avg_minutes=20.0,
            within_target_pct=0.0,
            ratings={"1": 0, "2": 0, "3": 1},
            satisfaction_pct=100.0,
        ),
        "2026-11-04": _row(),
    }
    assert list(_grouped(Grouping.DAY)) == ["2026-11-02", "2026-11-03"]


def test_by_hour_of_issue_in_the_site_timezone() -> None:
    assert _grouped(Grouping.HOUR) == {
        8: _row(
            issued=4,
            called=4,
            served=3,
            no_show=1,
            wait_avg_minutes=23.8,
            wait_p90_minutes=45.0,
            wait_max_minutes=45.0,
            service_avg_minutes=15.0,
            within_target_pct=50.0,
            ratings={"1": 1, "2": 0, "3": 2},
            satisfaction_pct=66.7,
        ),
        9: _row(
            issued=2,
            called=2,
            served=2,
            cancelled=1,
            wait_avg_minutes=20.0,
            wait_p90_minutes=30.0,
            wait_max_minutes=30.0,
            service_avg_minutes=10.0,
            within_target_pct=50.0,
            ratings={"1": 0, "2": 1, "3": 1},
            satisfaction_pct=100.0,
        ),
        10: _row(
            issued=1,
            called=1,
            served=1,
            wait_avg_minutes=0.0,
            wait_p90_minutes=0.0,
            wait_max_minutes=0.0,
            service_avg_minutes=6.0,
            within_target_pct=100.0,
        ),
        16: _row(expired=1),  # counted apart: a row with nothing to average
    }


def test_p90_is_the_nearest_rank() -> None:
    assert p90([]) is None
    assert p90([5.0]) == 5.0
    # Ten waits: the 9th smallest, not an interpolation between the 9th and the 10th.
    assert p90([float(n) for n in range(10, 0, -1)]) == 9.0
    assert p90([float(n) for n in range(1, 12)]) == 10.0  # ⌈9.9⌉ = 10th of 11


def test_one_decimal_rounds_half_up() -> None:
    assert [one_decimal(v) for v in (0.05, 0.15, 2.25, 66.66666, 12.75)] == [
        0.1,
        0.2,
        2.3,
        66.7,
        12.8,
    ]


def test_a_rating_under_a_larger_past_scale_counts_at_the_top_of_today_scale() -> None:
    tally = Tally(scale=3)
    ticket = visits()[0]
    tally.add(replace(ticket, rating=5), 1200)
    tally.add(replace(ticket, rating=1), 1200)
    figures: Figures = tally.figures()
    assert figures.ratings == {"1": 1, "2": 0, "3": 1}
    assert figures.satisfaction_pct == 50.0


def test_a_served_ticket_without_its_times_is_served_but_not_timed() -> None:
    tally = Tally(scale=3)
    ticket = visits()[0]
    tally.add(replace(ticket, called_at=None), 1200)
    figures = tally.figures()
    assert (figures.served, figures.service_avg_minutes) == (1, None)


def test_a_wait_exactly_at_the_target_is_within_it() -> None:
    ticket = replace(visits()[0], first_called_at=at(DAY1, "08:20"), status=TicketStatus.CALLED)
    figures = total([ticket], targets_s=_target, scale=3)
    assert (figures.within_target_pct, figures.served) == (100.0, 0)


@pytest.mark.parametrize("by", list(Grouping))
def test_nothing_gives_no_rows(by: Grouping) -> None:
    assert group([], by, targets_s=_target, scale=3, timezone=ZONE) == []


def test_a_ticket_still_waiting_is_issued_and_nothing_else() -> None:
    waiting = replace(
        visits()[0],
        status=TicketStatus.WAITING,
        first_called_at=None,
        called_at=None,
        finished_at=None,
        counter=None,
        clerk=None,
        rating=None,
    )
    figures = total([waiting], targets_s=_target, scale=3)
    assert (figures.issued, figures.called, figures.wait_avg_minutes) == (1, 0, None)
    assert figures.within_target_pct is None


def test_a_period_is_two_days_in_the_contract_form() -> None:
    assert period("2026-11-01", "2026-11-30") == (date(2026, 11, 1), date(2026, 11, 30))
    assert period("2024-01-01", "2024-12-31") == (date(2024, 1, 1), date(2024, 12, 31))


@pytest.mark.parametrize(
    ("first", "last", "words"),
    [
        ("2026-11-31", "2026-12-01", "'from'"),
        ("20261101", "2026-11-02", "'from'"),
        ("2026-11-01", "2026/11/02", "'to'"),
        ("2026-11-01", "", "'to'"),
        ("2026-11-02", "2026-11-01", "before"),
        ("2025-01-01", "2026-01-02", "at most 366 days"),
    ],
)
def test_a_bad_period_is_refused_saying_why(first: str, last: str, words: str) -> None:
    with pytest.raises(InvalidRequest, match=words):
        period(first, last)
