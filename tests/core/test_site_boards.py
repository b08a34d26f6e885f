"""The site file's `[[boards]]`: which counters and services each wall board shows, how a
bad entry is named, and how a change of them is planned and described (issue #13)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from queue_core.errors import InvalidSiteConfig
from queue_core.site import BoardConfig, SiteConfig, parse_site, site_from_data
from queue_core.site_change import ChangeKind, plan_site_change
from tests.core.builders import make_ticket

BASE: dict[str, Any] = {
    "site": {"name": "Trung tâm xã Tân Phú"},
    "services": [
        {"code": "TP", "name": "Tư pháp", "prefix": "1"},
        {"code": "DD", "name": "Đất đai", "prefix": "2"},
        {"code": "CU", "name": "Lĩnh vực cũ", "prefix": "9", "retired": True},
    ],
    "counters": [
        {"number": 1, "services": ["TP"]},
        {"number": 2, "services": ["DD", "TP"]},
        {"number": 3, "services": ["CU"], "retired": True},
    ],
}


def site(*boards: dict[str, Any]) -> SiteConfig:
    data = copy.deepcopy(BASE)
    data["boards"] = list(boards)
    return site_from_data(data)


def problems(*boards: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidSiteConfig) as caught:
        site(*boards)
    return caught.value.problems


def lines(before: SiteConfig, after: SiteConfig) -> list[str]:
    return [c.line for c in plan_site_change(before, after, [], [])]


# --- what is valid -----------------------------------------------------------------------


def test_a_site_without_boards_has_none_and_every_board_shows_everything() -> None:
    assert site().boards == []


def test_boards_in_toml() -> None:
    parsed = parse_site(
        """
[site]
name = "Trung tâm xã Tân Phú"

[[services]]
code = "TP"
name = "Tư pháp"
prefix = "1"

[[counters]]
number = 1
services = ["TP"]

[[boards]]
name = "Sảnh A"
counters = [1]

[[boards]]
name = "Khu Tư pháp"
services = ["TP"]

[[boards]]
name = "Sảnh chính"
"""
    )
    assert parsed.boards == [
        BoardConfig(name="Sảnh A", counters=[1]),
        BoardConfig(name="Khu Tư pháp", services=["TP"]),
        BoardConfig(name="Sảnh chính"),
    ]


def test_a_board_may_keep_a_retired_counter_or_service_listed() -> None:
    # Retiring one needs no second edit here: the board just shows nothing of it.
    board = site({"name": "Cũ", "counters": [3], "services": ["CU"]}).boards[0]
    assert (board.counters, board.services) == ([3], ["CU"])


# --- what is refused ---------------------------------------------------------------------


def test_an_unknown_counter_or_service_is_named() -> None:
    assert problems({"name": "A", "counters": [1, 7]}) == [
        "boards[0].counters: unknown counter '7'"
    ]
    assert problems({"name": "A"}, {"name": "B", "services": ["XX"]}) == [
        "boards[1].services: unknown service 'XX'"
    ]


def test_two_boards_of_one_name_are_refused() -> None:
    assert problems({"name": "Sảnh"}, {"name": "Sảnh", "counters": [1]}) == [
        "boards[1].name: 'Sảnh' appears twice"
    ]


def test_a_counter_listed_twice_is_refused() -> None:
    assert problems({"name": "A", "counters": [1, 1]}) == [
        "boards[0].counters: a value appears twice"
    ]


@pytest.mark.parametrize("name", ["", " Sảnh", "Sảnh ", "x" * 61])
def test_a_name_a_command_line_could_not_carry_is_refused(name: str) -> None:
    [problem] = problems({"name": name})
    assert problem.startswith("boards[0].name: ")


def test_unknown_keys_of_a_board_are_refused() -> None:
    assert problems({"name": "A", "ticker": "x"}) == [
        "boards[0].ticker: Extra inputs are not permitted"
    ]


# --- how a change is planned -------------------------------------------------------------


def test_a_board_added_says_what_it_shows() -> None:
    assert lines(site(), site({"name": "Sảnh A", "counters": [1, 2]})) == [
        "Màn hình Sảnh A: thêm, hiện quầy 1, 2 / Board Sảnh A: added, shows counters 1, 2"
    ]


def test_a_boards_counters_and_services_changed() -> None:
    [change] = plan_site_change(
        site({"name": "Sảnh A", "counters": [1]}),
        site({"name": "Sảnh A", "counters": [1, 2], "services": ["TP"]}),
        [],
        [],
    )
    assert change.kind is ChangeKind.CHANGED
    assert change.subject == "board Sảnh A"
    assert change.before == {"name": "Sảnh A", "counters": [1], "services": []}
    assert change.after == {"name": "Sảnh A", "counters": [1, 2], "services": ["TP"]}
    assert change.line == (
        "Màn hình Sảnh A: hiện quầy 1, 2; lĩnh vực TP / Board Sảnh A: shows counters 1, 2;"
        " services TP"
    )


def test_a_board_removed_shows_everything_again() -> None:
    [change] = plan_site_change(site({"name": "Sảnh A", "counters": [1]}), site(), [], [])
    assert change.kind is ChangeKind.REMOVED
    assert change.line == (
        "Màn hình Sảnh A: bỏ, nay hiện tất cả / Board Sảnh A: removed, now shows everything"
    )


def test_a_board_emptied_shows_everything() -> None:
    assert lines(site({"name": "A", "services": ["DD"]}), site({"name": "A"})) == [
        "Màn hình A: hiện tất cả / Board A: shows everything"
    ]


def test_boards_reordered_or_unchanged_change_nothing() -> None:
    a, b = {"name": "A", "counters": [1]}, {"name": "B", "services": ["TP"]}
    assert plan_site_change(site(a, b), site(b, a), [], []) == []


def test_a_board_change_is_never_refused_by_the_days_tickets() -> None:
    # Boards hold no tickets: with numbers waiting and issued, a board changes freely.
    waiting = make_ticket(1, "TP").replace(number="1001")
    changes = plan_site_change(site(), site({"name": "A", "counters": [2]}), [waiting], [waiting])
    assert [c.kind for c in changes] == [ChangeKind.ADDED]
