"""A clerk's name on the counters comes from their account, even for an account added
while the server runs (the live hall learned names only at its start)."""

from __future__ import annotations

from contextlib import closing

from queue_server.auth import Role, add_user, issue_user_token
from queue_server.store import connect
from tests.server.conftest import FAST_HASHER, Hall


def test_a_clerk_added_while_the_server_runs_is_named_on_the_counter(hall: Hall) -> None:
    with closing(connect(hall.data_dir)) as store, store.transaction():  # `motcua user add`
        now = hall.clock.now()
        add_user(store, "mai", "mat-khau-5", Role.CLERK, "Phạm Thị Mai", now, FAST_HASHER)
        token, _ = issue_user_token(store, "mai", now, 3600)
    opened = hall.client.post("/api/counters/3/open", headers={"Authorization": f"Bearer {token}"})
    assert opened.status_code == 200, opened.text
    assert opened.json()["clerk"] == "Phạm Thị Mai"
    counters = hall.client.get("/api/counters", headers=hall.headers("sup")).json()
    assert {c["number"]: c["clerk"] for c in counters}[3] == "Phạm Thị Mai"


def test_a_busy_counter_names_the_clerk_holding_it(hall: Hall) -> None:
    assert hall.client.post("/api/counters/3/open", headers=hall.headers("lan")).status_code == 200
    refused = hall.client.post("/api/counters/3/call-next", headers=hall.headers("hung"))
    assert refused.status_code == 409
    assert "Nguyễn Thị Lan" in refused.json()["detail"]
