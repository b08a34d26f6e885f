"""The store answers the lines the call policy names with their first tickets, as the
policy's own reading of the whole queue does (`tests/core/test_call_lines.py`)."""

from __future__ import annotations

from contextlib import closing

from queue_core.dispatch import lines_of
from queue_server.store import connect
from tests.core.test_call_lines import heads
from tests.server.conftest import Hall


def test_line_heads_are_the_first_of_each_line(hall: Hall) -> None:
    # Đất đai (DD) issues three numbers a day in this hall.
    spread = [("TP", False), ("DD", True), ("TP", True), ("TP", False), ("TP", True), ("DD", False)]
    for service, priority in spread:
        hall.issue(service, priority=priority)
    sent = hall.issue("TP")
    moved = hall.client.post(
        f"/api/tickets/{sent['id']}/transfer", json={"counter": 3}, headers=hall.headers("sup")
    )
    assert moved.status_code == 200, moved.text
    late = hall.issue("DD")  # then put in front of DD's ordinary line
    hall.client.post(f"/api/tickets/{late['id']}/transfer", json={"service": "DD"},
                     headers=hall.headers("sup"))  # fmt: skip
    with closing(connect(hall.data_dir)) as store:
        waiting = store.waiting()
        for services, counter in [(("TP",), 1), (("TP", "DD"), 2), (("DD",), 3), (("DD",), None)]:
            lines = lines_of(services, counter)
            assert store.line_heads(lines) == heads(lines, waiting), (services, counter)
        assert [t.id for t in store.line_heads(lines_of((), 3))] == [sent["id"]]
        dd_ordinary = store.line_heads(lines_of(("DD",)))[1]
        assert dd_ordinary.id == late["id"]
