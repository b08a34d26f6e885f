"""The mergeable tally against the plain arithmetic of the definitions, on random visits:
tallies of parts of a group, merged, give the very figures of the whole group, p90 too.

`reference` below is the report's arithmetic as first written (a list of every wait, the
nearest rank of the sorted list, float sums): what the daily figures must reproduce."""

from __future__ import annotations

import math
import random
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta

import pytest

from queue_core.model import TicketStatus
from queue_core.report import (
    Figures,
    Grouping,
    Rules,
    Tally,
    Visit,
    WaitBins,
    WaitTotals,
    group,
    one_decimal,
    p90,
    rows,
    tally,
    total,
)
from queue_core.site import parse_site

SERVICES = {"TP": 1200.0, "DD": 900.0, "LD": 1800.0}
ZONE = "Asia/Ho_Chi_Minh"
STATUSES = [
    TicketStatus.DONE,
    TicketStatus.DONE,
    TicketStatus.DONE,
    TicketStatus.NO_SHOW,
    TicketStatus.CANCELLED,
    TicketStatus.EXPIRED,
    TicketStatus.WAITING,
    TicketStatus.CALLED,
]


def _target(code: str) -> float:
    return SERVICES[code]


def _wait(rng: random.Random) -> timedelta:
    """Mostly microsecond-precise waits, with the edges that matter often enough: whole
    seconds on a rounding boundary (6k + 3 s rounds up to a tenth), exactly a target, 0."""
    pick = rng.random()
    if pick < 0.1:
        return timedelta(seconds=6 * rng.randint(0, 300) + 3)
    if pick < 0.2:
        return timedelta(seconds=rng.choice([900, 1200, 1800]))
    if pick < 0.25:
        return timedelta(0)
    return timedelta(microseconds=int(rng.lognormvariate(20.3, 0.8)))


def random_visits(rng: random.Random, count: int, days: int = 5) -> list[Visit]:
    first = date(2026, 10, 1)
    found = []
    for _ in range(count):
        day = first + timedelta(days=rng.randrange(days))
        issued = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC) + timedelta(
            seconds=rng.uniform(0, 9 * 3600)
        )
        status = rng.choice(STATUSES)
        called = status in (TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.CALLED)
        first_call = issued + _wait(rng) if called else None
        last_call = first_call + timedelta(seconds=rng.uniform(0, 600)) if first_call else None
        finished = (
            last_call + timedelta(microseconds=rng.randint(0, 3_600_000_000))
            if last_call and status is not TicketStatus.CALLED
            else None
        )
        counter = rng.randint(1, 4) if called else None
        found.append(
            Visit(
                service=rng.choice(list(SERVICES)),
                status=status,
                day=day,
                issued_at=issued,
                first_called_at=first_call,
                called_at=last_call,
                finished_at=finished,
                counter=counter,
                clerk=f"clerk{counter}" if counter else None,
                rating=rng.randint(1, 5)
                if status is TicketStatus.DONE and rng.random() < 0.5
                else None,
            )
        )
    return found


def reference(visits: list[Visit], scale: int) -> Figures:
    """The definitions, computed the plain way."""
    counted = [v for v in visits if v.status not in (TicketStatus.CANCELLED, TicketStatus.EXPIRED)]
    called = [v for v in counted if v.first_called_at is not None]
    waits = [(v.first_called_at - v.issued_at).total_seconds() for v in called]  # type: ignore[operator]
    served = [v for v in counted if v.status is TicketStatus.DONE]
    service = [
        (v.finished_at - v.called_at).total_seconds()
        for v in served
        if v.finished_at is not None and v.called_at is not None
    ]
    within = sum(w <= _target(v.service) for v, w in zip(called, waits, strict=True))
    levels = {str(level): 0 for level in range(1, scale + 1)}
    for v in counted:
        if v.rating is not None:
            levels[str(min(v.rating, scale))] += 1
    rated = sum(levels.values())

    def minutes(seconds: float | None) -> float | None:
        return None if seconds is None else one_decimal(seconds / 60)

    return Figures(
        issued=len(counted),
        called=len(called),
        served=len(served),
        no_show=sum(v.status is TicketStatus.NO_SHOW for v in counted),
        cancelled=sum(v.status is TicketStatus.CANCELLED for v in visits),
        expired=sum(v.status is TicketStatus.EXPIRED for v in visits),
        wait_avg_minutes=minutes(math.fsum(waits) / len(waits) if waits else None),
        wait_p90_minutes=minutes(p90(waits)),
        wait_max_minutes=minutes(max(waits) if waits else None),
        service_avg_minutes=minutes(math.fsum(service) / len(service) if service else None),
        within_target_pct=one_decimal(within * 100 / len(called)) if called else None,
        ratings=levels,
        satisfaction_pct=one_decimal((rated - levels["1"]) * 100 / rated) if rated else None,
    )


@pytest.mark.parametrize("seed", range(40))
def test_tallies_of_parts_merged_give_the_figures_of_the_whole(seed: int) -> None:
    rng = random.Random(seed)
    visits = random_visits(rng, rng.choice([1, 3, 10, 200, 1500]))
    scale = rng.choice([3, 5])
    expected = reference(visits, scale)
    assert total(visits, targets_s=_target, scale=scale) == expected
    # Cut the visits into parts (days, say), tally each, merge the parts' tallies.
    cuts = sorted(rng.sample(range(len(visits) + 1), k=min(4, len(visits) + 1)))
    parts = [visits[a:b] for a, b in zip([0, *cuts], [*cuts, len(visits)], strict=True)]
    tallies = []
    for part in parts:
        one = Tally(scale)
        for visit in part:
            one.add(visit, _target(visit.service))
        tallies.append(one)
    assert Tally.merged(tallies, scale).figures() == expected


@pytest.mark.parametrize("by", list(Grouping))
def test_a_grouping_merged_over_days_is_the_grouping_of_the_range(by: Grouping) -> None:
    rng = random.Random(str(by))
    visits = random_visits(rng, 2000, days=7)
    expected = dict(group(visits, by, targets_s=_target, scale=5, timezone=ZONE))
    for key, figures in expected.items():
        mine = [v for v in visits if _key(v, by) == key]
        assert figures == reference(mine, 5), key
    by_day: dict[object, list[Tally]] = {}
    for day in sorted({v.day for v in visits}):
        of_day = [v for v in visits if v.day == day]
        for key, one in tally(of_day, by, targets_s=_target, scale=5, timezone=ZONE).items():
            by_day.setdefault(key, []).append(one)
    merged = {key: Tally.merged(parts, 5) for key, parts in by_day.items()}
    assert dict(rows(merged, by, scale=5)) == expected  # type: ignore[arg-type]


def _key(visit: Visit, by: Grouping) -> object:
    if by is Grouping.SERVICE:
        return visit.service
    if by is Grouping.COUNTER:
        return visit.counter
    if by is Grouping.CLERK:
        return visit.clerk
    if by is Grouping.DAY:
        return visit.day.isoformat()
    return (visit.issued_at + timedelta(hours=7)).hour


def test_a_wait_on_a_rounding_edge_or_a_target_is_counted_as_the_plain_way_does() -> None:
    base = random_visits(random.Random(7), 1)[0]
    edges = [timedelta(seconds=s) for s in (3, 9, 1197, 1200, 1203, 1209)]
    visits = [
        Visit(
            service="TP",
            status=TicketStatus.NO_SHOW,
            day=base.day,
            issued_at=base.issued_at,
            first_called_at=base.issued_at + wait,
            called_at=base.issued_at + wait,
            finished_at=base.issued_at + wait,
            counter=1,
            clerk="a",
        )
        for wait in edges
    ]
    for count in range(1, len(visits) + 1):
        assert asdict(total(visits[:count], targets_s=_target, scale=3)) == asdict(
            reference(visits[:count], 3)
        )


def test_a_negative_wait_from_a_clock_set_back_is_counted_below_zero() -> None:
    bins = WaitBins()
    for tenths in (5, -2, 7, 5):
        bins.add(tenths)
    assert (bins.lo, bins.counts) == (-2, [1, 0, 0, 0, 0, 0, 0, 2, 0, 1])
    totals = bins.totals()
    assert totals == WaitTotals(-2, [1, 1, 1, 1, 1, 1, 1, 3, 3, 4])
    assert [WaitTotals.nth([totals], rank) for rank in (1, 2, 3, 4)] == [-2, 5, 5, 7]
    assert WaitBins().totals() is None


def test_wait_totals_merge_as_their_counts_add_up() -> None:
    one, other = WaitTotals(-2, [1, 1, 3]), WaitTotals(3, [1, 2])
    assert WaitTotals.merged([one, other]) == WaitTotals(-2, [1, 1, 3, 3, 3, 4, 5])
    assert WaitTotals.merged([one]) == one
    assert WaitTotals.merged([]) is None
    assert [WaitTotals.nth([one, other], rank) for rank in range(1, 6)] == [-2, 0, 0, 3, 4]
    # A tally merged from kept ones keeps them as one, to be kept again.
    merged = Tally.merged([Tally(3, called=3, kept_waits=[one]), Tally(3, called=2)], 3)
    assert merged.wait_totals() == one


SITE = """
[site]
name = "Xã Hòa Bình"
waiting_target_minutes = 25
rating_scale = 5

[[services]]
code = "TP"
name = "Tư pháp"
prefix = "1"
waiting_target_minutes = 15

[[services]]
code = "DD"
name = "Đất đai"
prefix = "2"

[[counters]]
number = 1
services = ["TP", "DD"]
"""


def test_the_rules_are_the_site_targets_its_timezone_and_its_scale() -> None:
    rules = Rules.of(parse_site(SITE))
    assert (rules.target_s("TP"), rules.target_s("DD")) == (900.0, 1500.0)
    assert rules.target_s("XX") == 1500.0  # a retired service: the site's default
    assert (rules.timezone, rules.scale) == ("Asia/Ho_Chi_Minh", 5)
    # What a day's tallies were judged by: its own services' targets, the timezone.
    assert rules.basis(["TP", "XX", "TP"]) == {
        "timezone": "Asia/Ho_Chi_Minh",
        "targets_s": {"TP": 900.0, "XX": 1500.0},
    }
