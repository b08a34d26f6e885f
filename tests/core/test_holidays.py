"""`[site] holidays = "VN"`: issuing closed on Viet Nam's public holidays, lunar ones
included, from the `holidays` library; the site's own days off and make-up working days
beside them (issue #13)."""

from datetime import date, datetime, timedelta, timezone

import pytest

from queue_core.errors import InvalidSiteConfig, ServiceClosed, ServiceRetired
from queue_core.numbering import grant_number
from queue_core.public_holidays import holiday_on
from queue_core.site import site_from_data

VN = timezone(timedelta(hours=7))


def site_data(**site: object) -> dict[str, object]:
    return {
        "site": {"name": "Trung tâm xã Tân Phú", "holidays": "VN", **site},
        "services": [{"code": "TP", "name": "Tư pháp – Hộ tịch", "prefix": "1"}],
        "counters": [{"number": 1, "services": ["TP"]}],
    }


OFFICE = {"default": ["07:30-11:30", "13:30-17:00"], "sat": [], "sun": []}


def refusal(data: dict[str, object], at: datetime) -> ServiceClosed:
    service = site_from_data(data).services_domain()["TP"]
    with pytest.raises(ServiceClosed) as caught:
        grant_number(service, 0, at.astimezone(VN))
    return caught.value


def test_tet_2026_closes_issuing_with_the_holidays_vietnamese_name() -> None:
    closed = refusal(site_data(hours=OFFICE), datetime(2026, 2, 17, 9, 0, tzinfo=VN))
    assert closed.holiday is not None
    assert closed.holiday.name_vi == "Tết Nguyên Đán"
    assert closed.holiday.name_en == "Lunar New Year"
    # After Tết (16–20/02) and the weekend: Monday morning.
    assert closed.opens_at == datetime(2026, 2, 23, 7, 30, tzinfo=VN)
    assert closed.message == (
        "Tư pháp – Hộ tịch: hôm nay nghỉ lễ Tết Nguyên Đán — mở lại lúc 07:30 23/02/2026"
    )


def test_gio_to_hung_vuong_2027_follows_the_lunar_calendar() -> None:
    # 10th of the third lunar month: 26/04 in 2026, 16/04 in 2027. No table says so here.
    closed = refusal(site_data(), datetime(2027, 4, 16, 9, 0, tzinfo=VN))
    assert closed.holiday is not None
    assert closed.holiday.name_vi == "Ngày Giỗ Tổ Hùng Vương"
    assert "nghỉ lễ Ngày Giỗ Tổ Hùng Vương" in closed.message
    assert holiday_on("VN", date(2026, 4, 26)) is not None
    assert holiday_on("VN", date(2026, 4, 16)) is None


def test_an_always_open_service_closes_on_a_holiday_too_and_opens_at_midnight_after() -> None:
    closed = refusal(site_data(), datetime(2026, 9, 2, 9, 0, tzinfo=VN))
    assert closed.opens_at == datetime(2026, 9, 3, 0, 0, tzinfo=VN)


def test_an_ordinary_day_is_open() -> None:
    service = site_from_data(site_data(hours=OFFICE)).services_domain()["TP"]
    grant = grant_number(service, 0, datetime(2026, 11, 23, 9, 0, tzinfo=VN))
    assert grant.number == "1001"
    assert service.hours.holiday_on(date(2026, 11, 23)) is None


def test_without_holidays_a_public_holiday_is_an_ordinary_day() -> None:
    data = site_data(hours=OFFICE)
    data["site"].pop("holidays")  # type: ignore[attr-defined]
    service = site_from_data(data).services_domain()["TP"]
    assert service.hours.is_open(datetime(2026, 2, 17, 9, 0, tzinfo=VN))


def test_a_working_date_opens_a_saturday_with_the_default_windows() -> None:
    hours = {**OFFICE, "working_dates": ["2026-11-28"]}
    service = site_from_data(site_data(hours=hours)).services_domain()["TP"]
    assert service.hours.is_open(datetime(2026, 11, 28, 14, 0, tzinfo=VN))
    assert not service.hours.is_open(datetime(2026, 11, 28, 12, 0, tzinfo=VN))
    assert not service.hours.is_open(datetime(2026, 12, 5, 9, 0, tzinfo=VN))  # next Saturday


def test_a_working_date_opens_a_public_holiday_and_a_closed_date_closes_any_day() -> None:
    hours = {**OFFICE, "working_dates": ["2026-11-24"], "closed_dates": ["2026-11-25"]}
    service = site_from_data(site_data(hours=hours)).services_domain()["TP"]
    assert holiday_on("VN", date(2026, 11, 24)) is not None  # Ngày Văn hóa Việt Nam
    assert service.hours.is_open(datetime(2026, 11, 24, 9, 0, tzinfo=VN))
    assert service.hours.holiday_on(date(2026, 11, 24)) is None
    closed = refusal(site_data(hours=hours), datetime(2026, 11, 25, 9, 0, tzinfo=VN))
    assert closed.holiday is None
    assert "hết giờ lấy số" in closed.message


def test_the_sites_days_apply_to_a_service_with_hours_of_its_own() -> None:
    data = site_data(hours={**OFFICE, "working_dates": ["2026-11-28"]})
    data["services"][0]["hours"] = {"default": ["08:00-10:00"], "sat": []}  # type: ignore[index]
    service = site_from_data(data).services_domain()["TP"]
    assert service.hours.is_open(datetime(2026, 11, 28, 9, 0, tzinfo=VN))
    assert not service.hours.is_open(datetime(2026, 11, 28, 14, 0, tzinfo=VN))
    assert not service.hours.is_open(datetime(2026, 2, 17, 9, 0, tzinfo=VN))


def test_a_date_both_closed_and_working_is_refused() -> None:
    hours = {**OFFICE, "closed_dates": ["2026-11-28"], "working_dates": ["2026-11-28"]}
    with pytest.raises(InvalidSiteConfig) as caught:
        site_from_data(site_data(hours=hours))
    assert caught.value.problems == [
        "site.hours: 2026-11-28 is both in closed_dates and in working_dates"
    ]


def test_an_unknown_calendar_is_refused() -> None:
    with pytest.raises(InvalidSiteConfig) as caught:
        site_from_data(site_data(holidays="XX"))
    assert caught.value.problems[0].startswith("site.holidays: ")


def test_a_retired_service_issues_nothing() -> None:
    data = site_data()
    data["services"].append(  # type: ignore[attr-defined]
        {"code": "DD", "name": "Đất đai", "prefix": "2", "retired": True}
    )
    service = site_from_data(data).services_domain()["DD"]
    assert service.retired
    with pytest.raises(ServiceRetired) as caught:
        grant_number(service, 0, datetime(2026, 11, 23, 9, 0, tzinfo=VN))
    assert caught.value.message == "Đất đai: lĩnh vực đã ngừng cấp số"
