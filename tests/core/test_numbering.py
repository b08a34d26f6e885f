import dataclasses
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import pytest

from queue_core.errors import DailyLimitReached, ServiceClosed
from queue_core.hours import IssuingHours
from queue_core.model import Service
from queue_core.numbering import format_number, grant_number, local_day, local_time

# 2026-11-23 is a Monday.
MONDAY_8AM_VN = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
OFFICE = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))
OFFICE_HOURS = IssuingHours(weekly=(OFFICE,) * 5 + (OFFICE[:1], ()))


def service(**changes: Any) -> Service:
    return dataclasses.replace(Service("TP", "Tư pháp – Hộ tịch", prefix="1", digits=3), **changes)


def test_number_is_prefix_and_padded_sequence() -> None:
    assert format_number("1", 5, 3) == "1005"
    assert format_number("A", 5, 3) == "A005"
    assert format_number("", 5, 4) == "0005"


def test_sequence_grows_past_its_width_instead_of_wrapping() -> None:
    assert format_number("1", 999, 3) == "1999"
    assert format_number("1", 1000, 3) == "11000"


def test_the_day_changes_at_midnight_in_vietnam_not_utc() -> None:
    assert str(local_day(datetime(2026, 11, 22, 16, 59, tzinfo=UTC))) == "2026-11-22"
    assert str(local_day(datetime(2026, 11, 22, 17, 0, tzinfo=UTC))) == "2026-11-23"


def test_local_time_follows_the_site_timezone() -> None:
    at = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    assert local_time(at).utcoffset() == timedelta(hours=7)
    assert local_time(at).hour == 8
    assert local_day(at, "America/New_York") == date(2026, 11, 22)


def test_local_time_refuses_a_naive_datetime_rather_than_guess_its_zone() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        local_time(datetime(2026, 11, 23, 8, 0))


def test_first_number_of_the_day_is_sequence_one() -> None:
    grant = grant_number(service(), 0, MONDAY_8AM_VN)
    assert (grant.day, grant.sequence, grant.number) == (date(2026, 11, 23), 1, "1001")


def test_each_grant_follows_the_last_sequence_issued() -> None:
    assert grant_number(service(), 4, MONDAY_8AM_VN).number == "1005"
    assert grant_number(service(prefix="A"), 41, MONDAY_8AM_VN).number == "A042"


def test_numbers_grow_from_1999_to_11000() -> None:
    assert grant_number(service(), 998, MONDAY_8AM_VN).number == "1999"
    grant = grant_number(service(), 999, MONDAY_8AM_VN)
    assert (grant.sequence, grant.number) == (1000, "11000")


def test_the_grant_is_dated_by_the_local_day_just_after_utc_midnight() -> None:
    # 23:30 UTC on the 22nd is 06:30 on the 23rd in Vietnam.
    grant = grant_number(service(), 0, datetime(2026, 11, 22, 23, 30, tzinfo=UTC))
    assert grant.day == date(2026, 11, 23)


def test_the_grant_uses_the_site_timezone_when_given() -> None:
    at = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    assert grant_number(service(), 0, at, "America/New_York").day == date(2026, 11, 22)


def test_daily_cap_stops_issuing_once_used_up() -> None:
    capped = service(daily_cap=3)
    assert grant_number(capped, 2, MONDAY_8AM_VN).number == "1003"
    with pytest.raises(DailyLimitReached) as caught:
        grant_number(capped, 3, MONDAY_8AM_VN)
    assert caught.value.cap == 3
    assert "đã hết số hôm nay (tối đa 3 số)" in caught.value.message


def test_no_cap_means_unlimited() -> None:
    assert grant_number(service(), 50_000, MONDAY_8AM_VN).sequence == 50_001


def test_issuing_inside_the_morning_window() -> None:
    assert grant_number(service(hours=OFFICE_HOURS), 0, MONDAY_8AM_VN).number == "1001"


def test_lunch_break_is_closed_and_says_when_the_afternoon_opens() -> None:
    noon = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # 12:00 local
    with pytest.raises(ServiceClosed) as caught:
        grant_number(service(hours=OFFICE_HOURS), 0, noon)
    opens_at = caught.value.opens_at
    assert opens_at is not None
    assert opens_at == datetime(2026, 11, 23, 13, 30, tzinfo=timezone(timedelta(hours=7)))
    assert "mở lại lúc 13:30 23/11/2026" in caught.value.message


def test_closed_on_sunday_and_opens_on_monday_morning() -> None:
    sunday = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    with pytest.raises(ServiceClosed) as caught:
        grant_number(service(hours=OFFICE_HOURS), 0, sunday)
    assert caught.value.opens_at is not None
    assert caught.value.opens_at.isoformat() == "2026-11-30T07:30:00+07:00"


def test_the_cap_is_not_reported_while_the_service_is_closed() -> None:
    evening = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # 18:00 local
    with pytest.raises(ServiceClosed):
        grant_number(service(hours=OFFICE_HOURS, daily_cap=1), 1, evening)
