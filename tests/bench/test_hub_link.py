"""`bench/hub_link.py` still measures what it says: each kind of centre really has its hub
unreachable (or catching up), every ticket is called once; never a timing (#16)."""

from __future__ import annotations

import pytest

from tests.bench.test_instruments import bench

pytestmark = pytest.mark.slow


def test_call_next_with_the_hub_unreachable_beside_no_hub() -> None:
    figures = bench("hub_link.py", "--tickets", "30", "--clients", "2", "--rounds", "1")
    links = {r["kind"]: r["link"] for r in figures["rounds"]}
    assert links["no-hub"] == "-"
    assert links["closed"] == "down/unreachable"
    assert links["blackhole"] in ("connecting/None", "down/timeout")
    caught_up = links["catch-up"].removeprefix("ok/None held ").split("/")
    assert caught_up[0] == caught_up[1]  # the hub holds every event
    for r in figures["rounds"]:
        assert r["call_next"]["count"] == 30, r["kind"]
        assert r["call_next"]["bad"] == 0, r["kind"]
    for kind in ("no_hub", "closed", "blackhole", "catch_up"):
        assert figures[kind]["call_next_p99_ms"] > 0
