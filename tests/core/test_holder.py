"""Who holds a counter: one home, `ensure_free_for`, `holder_after` and `held_by`."""

import pytest

from queue_core.dispatch import ensure_free_for, held_by, holder_after, open_counter
from queue_core.errors import CounterBusy
from tests.core.builders import make_counter


def test_a_clerk_may_act_only_where_no_other_clerk_holds() -> None:
    ensure_free_for(make_counter(clerk=None), "lan")
    ensure_free_for(make_counter(clerk="lan"), "lan")
    ensure_free_for(make_counter(clerk="hung"), None)  # a supervisor or a device
    with pytest.raises(CounterBusy) as busy:
        ensure_free_for(make_counter(3, clerk="hung"), "lan")
    assert (busy.value.counter, busy.value.clerk) == (3, "hung")


def test_acting_makes_a_clerk_the_holder_but_not_a_supervisor() -> None:
    assert holder_after(make_counter(clerk=None), "lan") == "lan"
    assert holder_after(make_counter(clerk="hung"), None) == "hung"
    assert holder_after(make_counter(clerk=None), None) is None


def test_the_counters_a_clerk_holds() -> None:
    hall = [
        make_counter(1, clerk="lan"),
        make_counter(2, clerk="hung"),
        make_counter(3, clerk=None),
    ]
    assert [c.number for c in held_by(hall, "lan")] == [1]
    assert held_by(hall, "nobody") == []


def test_opening_follows_the_same_rule() -> None:
    with pytest.raises(CounterBusy):
        open_counter(make_counter(clerk="hung"), "lan")
    assert open_counter(make_counter(clerk="hung"), "lan", force=True).clerk == "lan"
    assert open_counter(make_counter(clerk="hung"), None, force=True).clerk is None
    assert open_counter(make_counter(clerk="hung"), None).clerk == "hung"
