"""The site file: what validates, what it means, and how problems are named."""

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from queue_core.errors import InvalidSiteConfig
from queue_core.hours import IssuingHours
from queue_core.model import CallMode, CounterState
from queue_core.site import DEFAULT_CALL_PHRASE, HoursConfig, parse_site, site_from_data

SAMPLE_SITE = Path(__file__).parents[2] / "queue_server" / "sample_site.toml"
VN = timezone(timedelta(hours=7))

# The minimal form of CONTRACT.md, word for word.
MINIMAL = """
[site]
name = "Trung tâm Phục vụ hành chính công xã …"
# optional, with their defaults:
# timezone = "Asia/Ho_Chi_Minh"   # the "day" that numbering restarts on
# rating_scale = 3                # 3, 4 or 5 levels

[[services]]
code = "TP"
name = "Tư pháp – Hộ tịch"
prefix = "1"      # number = prefix + sequence padded to `digits`
digits = 3

[[counters]]
number = 1
name = "Quầy 1"
services = ["TP"] # in the order the counter serves them
"""


def minimal_data() -> dict[str, object]:
    return {
        "site": {"name": "Trung tâm xã Tân Phú"},
        "services": [
            {"code": "TP", "name": "Tư pháp – Hộ tịch", "prefix": "1"},
            {"code": "DD", "name": "Đất đai", "prefix": "2"},
        ],
        "counters": [{"number": 1, "services": ["TP"]}, {"number": 2, "services": ["DD", "TP"]}],
    }


def problems_of(data: object) -> list[str]:
    with pytest.raises(InvalidSiteConfig) as caught:
        site_from_data(data)
    assert caught.value.message.startswith("Tệp cấu hình không hợp lệ:\n")
    return caught.value.problems


def with_changes(path: str, value: object) -> dict[str, object]:
    """`minimal_data()` with the value at a dotted path like `services.1.prefix` replaced."""
    data = minimal_data()
    *parents, last = path.split(".")
    node: object = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]  # type: ignore[index]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value  # type: ignore[index]
    return data


# --- what is valid -----------------------------------------------------------------------


def test_the_minimal_form_of_the_contract_is_valid_with_sensible_defaults() -> None:
    site = parse_site(MINIMAL)
    assert site.site.timezone == "Asia/Ho_Chi_Minh"
    assert site.site.rating_scale == 3
    assert site.site.priority_ratio == 3
    assert site.site.call_phrase == DEFAULT_CALL_PHRASE
    service = site.services_domain()["TP"]
    assert (service.prefix, service.digits, service.daily_cap) == ("1", 3, None)
    assert service.hours == IssuingHours()  # open at every hour
    assert service.average_service_s == 600
    assert service.waiting_target_s == 20 * 60
    [counter] = site.counters_domain()
    assert (counter.number, counter.name, counter.services) == (1, "Quầy 1", ("TP",))
    assert counter.call_mode is CallMode.LONGEST_WAITING
    assert counter.state is CounterState.CLOSED


def test_the_bundled_sample_site_is_valid_and_looks_like_a_real_commune_centre() -> None:
    site = parse_site(SAMPLE_SITE.read_text(encoding="utf-8"))
    services = site.services_domain()
    assert len(services) >= 8
    assert len(site.counters) >= 6
    assert site.site.rating_scale == 3
    assert site.site.waiting_target_minutes == 20
    land = services["DD"]
    assert land.name == "Đất đai"
    assert land.hours.is_open(datetime(2026, 11, 23, 8, 0, tzinfo=VN))
    assert not land.hours.is_open(datetime(2026, 11, 23, 12, 0, tzinfo=VN))
    assert not land.hours.is_open(datetime(2026, 11, 29, 8, 0, tzinfo=VN))  # Sunday
    assert not land.hours.is_open(datetime(2026, 9, 2, 8, 0, tzinfo=VN))  # Quốc khánh
    assert land.waiting_target_s == 30 * 60
    assert services["TP"].waiting_target_s == 20 * 60
    every_served = {code for c in site.counters_domain() for code in c.services}
    assert every_served == set(services)


def test_services_keep_file_order_and_convert_minutes_to_seconds() -> None:
    data = minimal_data()
    data["services"][1].update(  # type: ignore[index]
        average_service_minutes=7.5, waiting_target_minutes=30, daily_cap=120, digits=4
    )
    services = site_from_data(data).services_domain()
    assert list(services) == ["TP", "DD"]
    land = services["DD"]
    assert (land.average_service_s, land.waiting_target_s) == (450, 1800)
    assert (land.daily_cap, land.digits) == (120, 4)


def test_counters_get_a_default_name_and_keep_their_service_order_and_mode() -> None:
    data = minimal_data()
    data["counters"][1]["call_mode"] = "service_order"  # type: ignore[index]
    counters = site_from_data(data).counters_domain()
    assert [c.name for c in counters] == ["Quầy 1", "Quầy 2"]
    assert counters[1].services == ("DD", "TP")
    assert counters[1].call_mode is CallMode.SERVICE_ORDER


def test_site_hours_apply_to_services_without_their_own() -> None:
    data = minimal_data()
    data["site"]["hours"] = {"default": ["07:30-11:30", "13:30-17:00"], "sun": []}  # type: ignore[index]
    data["services"][1]["hours"] = {"default": ["08:00-10:00"]}  # type: ignore[index]
    services = site_from_data(data).services_domain()
    monday_2pm = datetime(2026, 11, 23, 14, 0, tzinfo=VN)
    assert services["TP"].hours.is_open(monday_2pm)
    assert not services["DD"].hours.is_open(monday_2pm)


def test_hours_config_days_follow_default_unless_given_and_an_empty_list_closes() -> None:
    hours = HoursConfig.model_validate(
        {
            "default": ["13:30-17:00", "07:30-11:30"],
            "sat": ["07:30-11:30"],
            "sun": [],
            "closed_dates": ["2026-09-02"],
        }
    ).to_domain()
    assert hours.weekly is not None
    morning, afternoon = (time(7, 30), time(11, 30)), (time(13, 30), time(17, 0))
    assert hours.weekly[0] == (morning, afternoon)  # sorted
    assert hours.weekly[5] == (morning,)
    assert hours.weekly[6] == ()
    assert hours.closed_dates == frozenset({date(2026, 9, 2)})


def test_hours_config_default_is_the_whole_day() -> None:
    hours = HoursConfig().to_domain()
    assert hours.is_open(datetime(2026, 11, 29, 0, 0))
    assert hours.is_open(datetime(2026, 11, 29, 23, 59, 59))


def test_the_site_holidays_close_a_service_that_has_hours_of_its_own() -> None:
    data = minimal_data()
    data["site"]["hours"] = {"closed_dates": ["2026-09-02"]}  # type: ignore[index]
    data["services"][1]["hours"] = {"default": ["08:00-10:00"], "closed_dates": ["2026-09-03"]}  # type: ignore[index]
    land = site_from_data(data).services_domain()["DD"].hours
    assert land.closed_dates == frozenset({date(2026, 9, 2), date(2026, 9, 3)})
    assert not land.is_open(datetime(2026, 9, 2, 9, 0))


def test_a_service_with_hours_and_a_site_without_keeps_its_own() -> None:
    data = minimal_data()
    data["services"][1]["hours"] = {"default": ["08:00-10:00"]}  # type: ignore[index]
    services = site_from_data(data).services_domain()
    assert services["DD"].hours.is_open(datetime(2026, 11, 23, 9, 0))
    assert not services["DD"].hours.is_open(datetime(2026, 11, 23, 11, 0))
    assert services["TP"].hours.weekly is None


@pytest.mark.parametrize("size", [3, 4, 5])
def test_rating_scale_may_be_three_four_or_five(size: int) -> None:
    assert site_from_data(with_changes("site.rating_scale", size)).site.rating_scale == size


def test_a_phrase_with_both_slots_is_accepted() -> None:
    phrase = "Xin mời số {number} đến quầy {counter}"
    assert site_from_data(with_changes("site.call_phrase", phrase)).site.call_phrase == phrase


# --- what is not, and how it is said -----------------------------------------------------


def test_bad_toml_is_reported_as_such() -> None:
    with pytest.raises(InvalidSiteConfig) as caught:
        parse_site("[site\nname = 1")
    [problem] = caught.value.problems
    assert problem.startswith("TOML: ")


def test_a_file_that_is_not_a_table_is_reported_at_the_top() -> None:
    assert problems_of([1, 2]) == [
        "(top): Input should be a valid dictionary or instance of SiteConfig"
    ]


def test_missing_sections_name_their_keys() -> None:
    problems = problems_of({})
    assert [p.split(":")[0] for p in problems] == ["site", "services", "counters"]


def test_errors_name_the_key_path_of_a_list_item() -> None:
    [problem] = problems_of(with_changes("services.1.prefix", "a"))
    assert problem.startswith("services[1].prefix: ")
    assert "pattern" in problem


def test_every_problem_is_reported_at_once() -> None:
    data = with_changes("services.0.digits", 9)
    data["counters"][0]["number"] = 0  # type: ignore[index]
    problems = problems_of(data)
    assert [p.split(":")[0] for p in problems] == ["services[0].digits", "counters[0].number"]


def test_unknown_keys_are_refused() -> None:
    [problem] = problems_of(with_changes("site.colour", "red"))
    assert problem == "site.colour: Extra inputs are not permitted"


def test_duplicate_service_codes_name_the_second_one() -> None:
    data = with_changes("services.1.code", "TP")
    assert problems_of(data) == ["services[1].code: 'TP' appears twice"]


def test_duplicate_prefixes_are_refused_since_numbers_would_repeat() -> None:
    assert problems_of(with_changes("services.1.prefix", "1")) == [
        "services[1].prefix: '1' clashes with services[0].prefix '1'"
        " (one begins the other, so numbers could repeat)"
    ]


@pytest.mark.parametrize("prefix", ["11", ""])
def test_a_prefix_that_begins_another_is_refused(prefix: str) -> None:
    # "1" + "1005" would read like "11" + "005" once TP's sequence outgrows its width.
    (problem,) = problems_of(with_changes("services.1.prefix", prefix))
    assert problem.startswith(f"services[1].prefix: '{prefix}' clashes with services[0]")


def test_duplicate_counter_numbers_are_refused() -> None:
    assert problems_of(with_changes("counters.1.number", 1)) == [
        "counters[1].number: '1' appears twice"
    ]


def test_a_counter_naming_an_unknown_service_is_refused() -> None:
    assert problems_of(with_changes("counters.1.services", ["TP", "XX"])) == [
        "counters[1].services: unknown service 'XX'"
    ]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("site.hours", "site.hours.default: '7h30-11h30' is not a window like '07:30-11:30'"),
        ("services.0.hours", "services[0].hours.default: '7h30-11h30' is not a window"),
    ],
)
def test_bad_window_text_names_where_it_is(path: str, expected: str) -> None:
    [problem] = problems_of(with_changes(path, {"default": ["7h30-11h30"]}))
    assert problem.startswith(expected)


def test_a_window_that_ends_before_it_starts_is_refused() -> None:
    [problem] = problems_of(with_changes("site.hours", {"mon": ["11:30-07:30"]}))
    assert problem == "site.hours.mon: window '11:30-07:30' ends before it starts"


def test_a_bad_closed_date_names_its_index() -> None:
    [problem] = problems_of(with_changes("site.hours", {"closed_dates": ["2026-02-30"]}))
    assert problem.startswith("site.hours.closed_dates[0]: ")


@pytest.mark.parametrize("name", ["Mars/Olympus", "Asia", "", "../etc/passwd", "/etc/localtime"])
def test_a_bad_timezone_is_refused(name: str) -> None:
    assert problems_of(with_changes("site.timezone", name)) == [
        f"site.timezone: unknown timezone '{name}'"
    ]


def test_another_real_timezone_is_accepted() -> None:
    assert site_from_data(with_changes("site.timezone", "Asia/Bangkok")).site.timezone


@pytest.mark.parametrize(
    "phrase", ["Mời số {number}", "Mời đến quầy {counter}", "Mời công dân đến quầy"]
)
def test_a_call_phrase_without_both_slots_is_refused(phrase: str) -> None:
    assert problems_of(with_changes("site.call_phrase", phrase)) == [
        "site.call_phrase: the phrase needs both {number} and {counter}"
    ]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("site.rating_scale", 7),
        ("site.priority_ratio", 0),
        ("site.name", ""),
        ("services.0.code", "T P"),
        ("services.0.prefix", "ABCD"),
        ("services.0.digits", 0),
        ("services.0.daily_cap", 0),
        ("services.0.average_service_minutes", 0),
        ("counters.0.number", 1000),
        ("counters.0.services", []),
        ("counters.0.call_mode", "random"),
    ],
)
def test_out_of_range_values_name_their_key(path: str, value: object) -> None:
    expected = path.split(".")
    key = expected[0] + "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in expected[1:])
    [problem] = problems_of(with_changes(path, value))
    assert problem.startswith(f"{key}: ")


def test_services_and_counters_may_not_be_empty() -> None:
    data = minimal_data()
    data["services"], data["counters"] = [], []
    assert [p.split(":")[0] for p in problems_of(data)] == ["services", "counters"]
