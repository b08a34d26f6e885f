from datetime import date, datetime, time, timedelta, timezone

import pytest

from queue_core.hours import IssuingHours, parse_window

VN = timezone(timedelta(hours=7))
MORNING = (time(7, 30), time(11, 30))
AFTERNOON = (time(13, 30), time(17, 0))
# Weekdays morning and afternoon, Saturday morning only, Sunday closed.
OFFICE = IssuingHours(weekly=((MORNING, AFTERNOON),) * 5 + ((MORNING,), ()))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A local time in the week of Monday 2026-11-23 (day 23 … Sunday 29)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=VN)


def test_no_hours_means_open_at_every_hour() -> None:
    always = IssuingHours()
    assert always.is_open(at(23, 0, 0))
    assert always.is_open(at(29, 23, 59))


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (at(23, 7, 29), False),
        (at(23, 7, 30), True),
        (at(23, 11, 29), True),
        (at(23, 11, 30), False),  # a window's end is already closed
        (at(23, 12, 0), False),
        (at(23, 13, 30), True),
        (at(23, 16, 59), True),
        (at(23, 17, 0), False),
        (at(28, 9, 0), True),  # Saturday morning
        (at(28, 14, 0), False),  # Saturday afternoon
        (at(29, 9, 0), False),  # Sunday
    ],
)
def test_morning_and_afternoon_windows(moment: datetime, is_open: bool) -> None:
    assert OFFICE.is_open(moment) is is_open


def test_is_open_reads_naive_local_times_too() -> None:
    assert OFFICE.is_open(datetime(2026, 11, 23, 8, 0))


def test_a_closed_date_is_closed_whatever_the_weekday() -> None:
    holiday = IssuingHours(OFFICE.weekly, frozenset({date(2026, 11, 24)}))
    assert not holiday.is_open(at(24, 9, 0))
    assert holiday.is_open(at(25, 9, 0))
    assert not IssuingHours(closed_dates=frozenset({date(2026, 11, 24)})).is_open(at(24, 9, 0))


def test_next_opening_after_lunch_is_the_afternoon_window() -> None:
    assert OFFICE.next_opening(at(23, 12, 0)) == at(23, 13, 30)


def test_next_opening_in_the_evening_is_tomorrow_morning() -> None:
    assert OFFICE.next_opening(at(23, 18, 0)) == at(24, 7, 30)


def test_next_opening_before_dawn_is_this_morning() -> None:
    assert OFFICE.next_opening(at(23, 6, 0)) == at(23, 7, 30)


def test_next_opening_on_saturday_afternoon_skips_sunday() -> None:
    assert OFFICE.next_opening(at(28, 12, 0)) == at(30, 7, 30)


def test_next_opening_skips_closed_dates() -> None:
    tet = frozenset(date(2026, 11, 24) + timedelta(days=d) for d in range(3))
    hours = IssuingHours(OFFICE.weekly, tet)
    assert hours.next_opening(at(23, 18, 0)) == at(27, 7, 30)


def test_next_opening_is_strictly_later() -> None:
    assert OFFICE.next_opening(at(23, 7, 30)) == at(23, 13, 30)


def test_next_opening_after_a_holiday_of_an_always_open_service_is_midnight() -> None:
    hours = IssuingHours(closed_dates=frozenset({date(2026, 11, 24)}))
    assert hours.next_opening(at(24, 10, 0)) == at(25, 0, 0)


def test_next_opening_takes_the_earliest_window_even_if_listed_out_of_order() -> None:
    hours = IssuingHours(weekly=((AFTERNOON, MORNING),) * 7)
    assert hours.next_opening(at(23, 6, 0)) == at(23, 7, 30)


def test_next_opening_gives_up_after_a_month() -> None:
    never = IssuingHours(weekly=((),) * 7)
    assert never.next_opening(at(23, 9, 0)) is None
    assert not never.is_open(at(23, 9, 0))


def test_a_long_holiday_within_a_month_still_finds_the_opening() -> None:
    closed = frozenset(date(2026, 11, 24) + timedelta(days=d) for d in range(29))
    hours = IssuingHours(OFFICE.weekly, closed)
    assert hours.next_opening(at(23, 18, 0)) == at(23, 7, 30) + timedelta(days=30)


def test_parse_window_reads_start_and_end() -> None:
    assert parse_window("07:30-11:30") == MORNING
    assert parse_window(" 13:30 - 17:00 ") == AFTERNOON


def test_a_window_may_end_at_midnight() -> None:
    start, end = parse_window("13:30-24:00")
    assert (start, end) == (time(13, 30), time.max)


@pytest.mark.parametrize("text", ["7h30-11h30", "07:30", "07:30-11:30-13:00", "", "25:00-26:00"])
def test_parse_window_rejects_what_is_not_a_window(text: str) -> None:
    with pytest.raises(ValueError, match="is not a window like '07:30-11:30'"):
        parse_window(text)


@pytest.mark.parametrize("text", ["11:30-07:30", "07:30-07:30"])
def test_parse_window_rejects_a_window_that_ends_before_it_starts(text: str) -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_window(text)


def test_parse_window_rejects_a_utc_offset_that_could_not_be_compared_later() -> None:
    with pytest.raises(ValueError, match="without a UTC offset"):
        parse_window("07:30+07:00-11:30+07:00")
