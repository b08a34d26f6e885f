"""Planning a site change: each kind of change, described in both languages, and the
changes refused because today's tickets depend on them (issue #13)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from queue_core.errors import InvalidSiteConfig, SiteChangeRefused
from queue_core.model import Ticket, TicketStatus
from queue_core.site import SiteConfig, site_from_data
from queue_core.site_change import LABELS, ChangeKind, SiteChange, describe, plan_site_change
from tests.core.builders import make_ticket

BASE: dict[str, Any] = {
    "site": {"name": "Trung tâm xã Tân Phú"},
    "services": [
        {"code": "TP", "name": "Tư pháp", "prefix": "1"},
        {"code": "DD", "name": "Đất đai", "prefix": "2"},
    ],
    "counters": [{"number": 1, "services": ["TP"]}, {"number": 2, "services": ["DD", "TP"]}],
}


def site(**edits: Any) -> SiteConfig:
    data = copy.deepcopy(BASE)
    for path, value in edits.items():
        *parents, last = path.split("__")
        node: Any = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return site_from_data(data)


def ticket(id: int, service: str = "TP", **changes: Any) -> Ticket:
    """Ticket `id` of `service` numbered as BASE numbers it (TP 1xxx, DD 2xxx)."""
    prefix = {"TP": "1", "DD": "2"}.get(service, "9")
    return make_ticket(id, service).replace(number=f"{prefix}{id:03d}", **changes)


def plan(
    new: SiteConfig, open_tickets: list[Ticket] | None = None, issued: list[Ticket] | None = None
) -> list[SiteChange]:
    return plan_site_change(site(), new, open_tickets or [], issued or [])


def refusal(
    new: SiteConfig, open_tickets: list[Ticket] | None = None, issued: list[Ticket] | None = None
) -> list[str]:
    with pytest.raises(SiteChangeRefused) as caught:
        plan(new, open_tickets, issued)
    assert caught.value.message.startswith("Không áp dụng được thay đổi cấu hình:\n")
    return caught.value.reasons


def lines(changes: list[SiteChange]) -> list[str]:
    return [c.line for c in changes]


# --- what changes ------------------------------------------------------------------------


def test_the_same_site_changes_nothing() -> None:
    assert plan(site(), [ticket(1)], [ticket(1)]) == []
    assert describe([]) == ["Không có thay đổi / No change"]


def test_a_renamed_service_keeps_its_code_and_its_waiting_tickets() -> None:
    [change] = plan(site(services__0__name="Tư pháp – Hộ tịch"), [ticket(3)], [ticket(3)])
    assert change.kind is ChangeKind.RENAMED
    assert (change.subject, change.setting) == ("service TP", "name")
    assert (change.before, change.after) == ("Tư pháp", "Tư pháp – Hộ tịch")
    assert change.line == (
        "Lĩnh vực TP: đổi tên 'Tư pháp' → 'Tư pháp – Hộ tịch'"
        " / Service TP: renamed 'Tư pháp' → 'Tư pháp – Hộ tịch'"
    )


def test_a_service_and_a_counter_serving_it_are_added() -> None:
    data_services = [*BASE["services"], {"code": "KQ", "name": "Trả kết quả", "prefix": "A"}]
    data_counters = [*BASE["counters"], {"number": 3, "services": ["KQ"]}]
    changes = plan(site(services=data_services, counters=data_counters))
    assert lines(changes) == [
        "Lĩnh vực KQ: thêm 'Trả kết quả', số từ A001 / Service KQ: added 'Trả kết quả',"
        " numbered from A001",
        "Quầy 3: thêm, phục vụ KQ / Counter 3: added, serving KQ",
    ]
    assert all(c.kind is ChangeKind.ADDED and c.before is None for c in changes)
    assert changes[0].after["prefix"] == "A"  # type: ignore[index]


def test_a_new_prefix_applies_to_numbers_issued_from_now_on() -> None:
    [change] = plan(site(services__0__prefix="B"), [ticket(2)], [ticket(1), ticket(2)])
    assert change.kind is ChangeKind.REPREFIXED
    assert change.before == {"prefix": "1", "digits": 3}
    assert change.after == {"prefix": "B", "digits": 3}
    assert change.line == (
        "Lĩnh vực TP: đổi cách đánh số 1001… → B001… (số đã cấp giữ nguyên)"
        " / Service TP: numbered 1001… → B001… (numbers issued keep theirs)"
    )


def test_a_prefix_given_back_later_in_the_day_goes_on_past_the_numbers_it_printed() -> None:
    # TP printed 1001–1003, then B004; going back to "1" its next number is 1005.
    issued = [ticket(1), ticket(2), ticket(3), ticket(4).replace(number="B004")]
    now = site(services__0__prefix="B")
    changes = plan_site_change(now, site(), [], issued)
    assert [c.kind for c in changes] == [ChangeKind.REPREFIXED]


def test_a_narrower_width_cannot_repeat_a_number_already_printed() -> None:
    [change] = plan(site(services__0__digits=2), [], [ticket(1), ticket(2), ticket(3)])
    assert "1001… → 101…" in change.vi


def test_a_retired_service_with_nobody_waiting() -> None:
    new = site(services__1__retired=True, counters__1__services=["TP"])
    changes = plan(new, [ticket(1)], [ticket(1), ticket(2, "DD", status=TicketStatus.DONE)])
    assert lines(changes) == [
        "Lĩnh vực DD: ngừng (lịch sử giữ nguyên) / Service DD: retired (its history stays)",
        "Quầy 2: phục vụ DD TP → TP / Counter 2: serves DD TP → TP",
    ]
    assert [c.kind for c in changes] == [ChangeKind.RETIRED, ChangeKind.REHOSTED]


def test_a_retired_service_is_brought_back() -> None:
    retired = site(services__1__retired=True, counters__1__services=["TP"])
    changes = plan_site_change(retired, site(), [], [])
    assert [c.kind for c in changes] == [ChangeKind.BROUGHT_BACK, ChangeKind.REHOSTED]
    assert changes[0].line == "Lĩnh vực DD: hoạt động trở lại / Service DD: brought back"


def test_a_counter_is_retired_and_renamed() -> None:
    changes = plan(site(counters__0__retired=True, counters__0__name="Quầy cũ"), [ticket(1)])
    assert lines(changes) == [
        "Quầy 1: ngừng (lịch sử giữ nguyên) / Counter 1: retired (its history stays)",
        "Quầy 1: đổi tên — → 'Quầy cũ' / Counter 1: renamed — → 'Quầy cũ'",
    ]


def test_re_hosting_reorders_a_counters_services_and_changes_its_call_mode() -> None:
    changes = plan(site(counters__1__services=["TP", "DD"], counters__1__call_mode="service_order"))
    assert lines(changes) == [
        "Quầy 2: phục vụ DD TP → TP DD / Counter 2: serves DD TP → TP DD",
        "Quầy 2: cách gọi số 'longest_waiting' → 'service_order'"
        " / Counter 2: call mode 'longest_waiting' → 'service_order'",
    ]


def test_the_services_order_on_the_kiosk() -> None:
    [change] = plan(site(services=[BASE["services"][1], BASE["services"][0]]))
    assert change.kind is ChangeKind.REORDERED
    assert (change.before, change.after) == (["TP", "DD"], ["DD", "TP"])


def test_service_settings_each_get_a_line() -> None:
    changes = plan(
        site(
            services__1__daily_cap=120,
            services__1__waiting_target_minutes=30,
            services__1__hours={"default": ["07:30-11:30"]},
        )
    )
    assert [(c.subject, c.setting) for c in changes] == [
        ("service DD", "daily_cap"),
        ("service DD", "waiting_target_minutes"),
        ("service DD", "hours"),
    ]
    assert changes[0].line == (
        "Lĩnh vực DD: số tối đa mỗi ngày — → 120 / Service DD: daily cap — → 120"
    )


def test_site_and_board_settings_each_get_a_line() -> None:
    changes = plan(
        site(
            site__rating_scale=5,
            site__holidays="VN",
            site__call_phrase="Xin mời số {number} đến quầy {counter}",
            display={"ticker": "Chào mừng"},
        )
    )
    assert lines(changes) == [
        "Trung tâm: thang đánh giá (áp dụng cho lượt đánh giá mới) 3 → 5"
        " / Site: rating scale (applies to new ratings) 3 → 5",
        "Trung tâm: câu gọi số 'Mời công dân có số thứ tự {number} đến quầy số {counter}' →"
        " 'Xin mời số {number} đến quầy {counter}' / Site: call phrase 'Mời công dân có số thứ"
        " tự {number} đến quầy số {counter}' → 'Xin mời số {number} đến quầy {counter}'",
        "Trung tâm: lịch nghỉ lễ — → 'VN' / Site: public holidays — → 'VN'",
        "Màn hình: dòng chữ chạy '' → 'Chào mừng' / Boards: ticker '' → 'Chào mừng'",
    ]


def test_the_timezone_may_change_before_the_days_first_number() -> None:
    [change] = plan(site(site__timezone="Asia/Bangkok"))
    assert (change.setting, change.after) == ("timezone", "Asia/Bangkok")


def test_every_setting_has_a_name_for_people() -> None:
    for model, labels in LABELS.items():
        assert set(model.model_fields) <= set(labels), model.__name__
        for vi, en in labels.values():
            assert vi
            assert en


# --- what is refused ---------------------------------------------------------------------


def test_retiring_a_service_with_tickets_waiting_is_refused() -> None:
    new = site(services__1__retired=True, counters__1__services=["TP"])
    waiting = [ticket(4, "DD"), ticket(5, "DD")]
    assert refusal(new, waiting, waiting) == [
        "lĩnh vực DD ngừng cấp số khi vẫn còn số đang chờ: 2004, 2005 / service DD would"
        " retire with numbers still waiting: 2004, 2005"
    ]


def test_leaving_a_service_with_no_counter_while_tickets_wait_is_refused() -> None:
    new = site(counters__1__services=["TP"])
    assert refusal(new, [ticket(7, "DD")]) == [
        "không quầy nào sẽ gọi số đang chờ của lĩnh vực DD: 2007 / no counter would call the"
        " waiting numbers of service DD: 2007"
    ]
    assert plan(new, [ticket(7, "DD", status=TicketStatus.DONE)]) != []  # nobody waits


def test_re_hosting_is_allowed_while_another_counter_still_serves_the_service() -> None:
    [change] = plan(site(counters__1__services=["DD"]), [ticket(1), ticket(2)])
    assert change.kind is ChangeKind.REHOSTED


def test_retiring_a_counter_serving_a_ticket_or_holding_one_sent_to_it_is_refused() -> None:
    new = site(
        counters__1__retired=True, services__1__name="Đất đai", counters__0__services=["TP", "DD"]
    )
    called = ticket(1, status=TicketStatus.CALLED, counter=2)
    sent = ticket(2, target_counter=2)
    assert refusal(new, [called, sent]) == [
        "quầy 2 đang phục vụ số 1001 / counter 2 is serving number 1001",
        "quầy 2 sẽ không gọi được số đang chờ riêng nó: 1002 / counter 2 would not call the"
        " numbers sent to it: 1002",
    ]


def test_a_prefix_that_would_print_a_number_again_today_is_refused() -> None:
    # TP retires after printing 1001–1003; a new service takes its prefix the same day.
    services = [
        {**BASE["services"][0], "retired": True},
        BASE["services"][1],
        {"code": "HT", "name": "Hộ tịch", "prefix": "1"},
    ]
    new = site(services=services, counters__0__services=["HT"], counters__1__services=["DD"])
    issued = [ticket(1), ticket(2), ticket(3)]
    assert refusal(new, [], issued) == [
        "lĩnh vực HT với tiền tố '1' sẽ cấp lại số đã cấp hôm nay (1001, 1002, 1003): hãy chọn"
        " tiền tố khác hoặc đổi từ ngày mai / service HT with prefix '1' would issue again"
        " numbers issued today (1001, 1002, 1003): choose another prefix, or change it tomorrow"
    ]
    assert plan(new, [], []) != []  # on a day TP printed nothing, the prefix is free


def test_a_wider_number_does_not_repeat_a_narrower_one() -> None:
    issued = [ticket(1), ticket(2)]
    # DD takes TP's prefix "1" with 4 digits after TP retires: 10001 is not 1001.
    services = [
        {**BASE["services"][0], "retired": True},
        {**BASE["services"][1], "digits": 4, "prefix": "1"},
    ]
    new = site(services=services, counters__0__services=["DD"], counters__1__services=["DD"])
    kinds = [c.kind for c in plan(new, [], issued)]
    assert ChangeKind.REPREFIXED in kinds


def test_a_service_or_counter_left_out_of_the_file_is_refused() -> None:
    new = site(services=[BASE["services"][0]], counters=[{"number": 1, "services": ["TP"]}])
    assert refusal(new) == [
        "lĩnh vực DD ('Đất đai') không còn trong tệp: hãy giữ nó với retired = true, lịch sử"
        " của nó còn đó / service DD ('Đất đai') is missing from the file: keep it with"
        " retired = true, its history stays",
        "quầy 2 không còn trong tệp: hãy giữ nó với retired = true / counter 2 is missing"
        " from the file: keep it with retired = true",
    ]


def test_the_timezone_cannot_change_once_the_day_has_numbers() -> None:
    assert refusal(site(site__timezone="Asia/Bangkok"), [], [ticket(1)]) == [
        "đã cấp 1 số hôm nay: chỉ đổi múi giờ trước khi cấp số đầu tiên trong ngày / 1 numbers"
        " were issued today: change the timezone before the day's first number"
    ]


def test_every_obstacle_is_reported_at_once() -> None:
    new = site(
        services=[BASE["services"][0]],
        counters=[
            {"number": 1, "services": ["TP"]},
            {"number": 2, "services": ["TP"], "retired": True},
        ],
    )
    reasons = refusal(new, [ticket(1, status=TicketStatus.CALLED, counter=2)])
    assert len(reasons) == 2


def test_an_active_counter_may_not_serve_a_retired_service() -> None:
    with pytest.raises(InvalidSiteConfig) as caught:
        site(services__1__retired=True)
    assert caught.value.problems == [
        "counters[1].services: service 'DD' is retired (take it off the counter, or retire the"
        " counter too)"
    ]
    assert site(services__1__retired=True, counters__1__retired=True).counters[1].retired


def test_two_active_services_still_may_not_share_a_prefix() -> None:
    with pytest.raises(InvalidSiteConfig):
        site(services__1__prefix="1")


def test_tickets_at_or_sent_to_counters_that_stay_are_no_obstacle() -> None:
    called = ticket(1, status=TicketStatus.CALLED, counter=1)
    sent = ticket(2, target_counter=1)
    [change] = plan(site(counters__1__retired=True), [called, sent], [called, sent])
    assert change.kind is ChangeKind.RETIRED


def test_a_prefix_that_only_begins_a_retired_ones_numbers_repeats_none() -> None:
    # "AB" retired after printing AB001; "A" next to it prints A001…, never AB001.
    services = [
        *BASE["services"],
        {"code": "KQ", "name": "Trả kết quả", "prefix": "AB", "retired": True},
    ]
    before = site(services=services)
    services = [*services, {"code": "HS", "name": "Hồ sơ", "prefix": "A"}]
    after = site(services=services, counters__1__services=["DD", "TP", "HS"])
    issued = [ticket(1, "KQ").replace(number="AB001")]
    changes = plan_site_change(before, after, [], issued)
    assert [c.kind for c in changes] == [ChangeKind.ADDED, ChangeKind.REHOSTED]


def test_a_service_may_arrive_already_retired() -> None:
    services = [*BASE["services"], {"code": "CU", "name": "Cũ", "prefix": "9", "retired": True}]
    [change] = plan(site(services=services))
    assert change.line == (
        "Lĩnh vực CU: thêm 'Cũ', số từ 9001 (đã ngừng) / Service CU: added 'Cũ', numbered from"
        " 9001 (retired)"
    )
