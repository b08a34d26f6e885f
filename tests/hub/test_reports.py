"""The hub's figures per centre equal the centre's own: a real centre (the server's app on
its SQLite file, a frozen clock) plays days through its API — the worked example of
`docs/reports.md` (transfer, cancel, walk-in, no-show, ratings, a day change that expires a
ticket) and a busy random day —, its event log is shipped as its shipper would, and every
grouping of the hub's summary is compared with the centre's `/api/reports/summary`."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from queue_core.clock import FrozenClock, SystemClock
from queue_hub.auth import hash_password
from queue_hub.store import HubStore, User
from tests.hub.centre_log import MORNING, CentreLog, add_centre
from tests.server.conftest import Hall, open_hall
from tests.server.test_reports_http import DAY1, SITE, Day, at, play

PASSWORD = "mật khẩu tỉnh"


@dataclass
class Centre:
    code: str
    hall: Hall
    site: dict[str, Any]
    events: list[dict[str, Any]]
    first: str
    last: str

    def summary(self, by: str) -> dict[str, Any]:
        answer = self.hall.client.get(
            "/api/reports/summary",
            params={"from": self.first, "to": self.last, "by": by},
            headers=self.hall.headers("sup"),
        )
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body


def _log_of(hall: Hall) -> list[dict[str, Any]]:
    with sqlite3.connect(f"file:{hall.data_dir / 'motcua.db'}?mode=ro", uri=True) as db:
        return [
            {"seq": seq, "type": kind, "at": when, "body": body}
            for seq, kind, when, body in db.execute(
                "select seq, type, at, body from events order by seq"
            )
        ]


def _busy_day(day: Day, seed: int = 16) -> None:
    """A busy morning at two counters: 150 citizens, calls, no-shows, transfers, ratings."""
    rng = random.Random(seed)
    clock = day.at(DAY1 + timedelta(days=7), "07:30").clock
    day.sign_in_again()
    current: dict[int, int | None] = {1: None, 2: None}
    for _ in range(150):
        clock.advance(seconds=rng.randint(20, 200))
        day.issue(rng.choice(["TP", "TP", "DD"]))
        for counter, who in ((1, "lan"), (2, "hung")):
            if rng.random() < 0.45:
                ticket = current[counter]
                if ticket is not None and rng.random() < 0.08:
                    day.post(who, f"/api/tickets/{ticket}/no-show")
                elif ticket is not None and rng.random() < 0.05:
                    day.post(who, f"/api/tickets/{ticket}/transfer", {"service": "TP"})
                called = day.hall.call_next(counter, who)  # completes the current one
                if ticket is not None and rng.random() < 0.4:
                    status = day.hall.client.get(
                        f"/api/tickets/{ticket}", headers=day.hall.headers("sup")
                    ).json()["status"]
                    if status == "done":
                        day.rate(ticket, rng.choice([1, 2, 3, 3, 3]))
                current[counter] = int(called["id"]) if called else None  # type: ignore[call-overload]
                clock.advance(seconds=rng.randint(5, 90))


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Centre]:
    start = at(DAY1, "07:30")
    assert start is not None
    clock = FrozenClock(start)
    for hall in open_hall(tmp_path_factory.mktemp("centre") / "data", SITE, clock):
        day = Day(hall, clock)
        play(day)
        _busy_day(day)
        site = hall.client.get("/api/site", headers=hall.headers("sup")).json()
        yield Centre("XA-VI-DU", hall, site, _log_of(hall), "2026-11-01", "2026-11-30")


def _staff(hub: TestClient, store: HubStore) -> dict[str, str]:
    store.add_user(User("lan", "Lan", hash_password(PASSWORD), False), SystemClock().now())
    signed = hub.post("/api/auth/token", data={"username": "lan", "password": PASSWORD})
    return {"Authorization": f"Bearer {signed.json()['access_token']}"}


def _ship(hub: TestClient, token: str, events: list[dict[str, Any]], site: Any) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    for start in range(0, len(events), 500):
        body = {"after_seq": events[start - 1]["seq"] if start else 0}
        body["events"] = events[start : start + 500]  # type: ignore[assignment]
        if start == 0:
            body["site"] = site
        answer = hub.post("/api/hub/events", json=body, headers=headers)
        assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("by", ["service", "day", "hour"])
def test_the_hubs_figures_for_a_centre_are_the_centres_own(
    hub: TestClient, hub_store: HubStore, centre: Centre, by: str
) -> None:
    _ship(hub, add_centre(hub_store, centre.code), centre.events, centre.site)
    first, last = centre.first, centre.last
    own = centre.summary(by)
    answer = hub.get(
        "/api/hub/reports/summary",
        params={"from": first, "to": last, "by": by, "centre": centre.code},
        headers=_staff(hub, hub_store),
    )
    assert answer.status_code == 200, answer.text
    province = answer.json()
    assert own["total"]["issued"] > 150  # the comparison is about something
    assert province["total"] == own["total"]
    assert province["rows"] == own["rows"]
    assert (province["from"], province["to"], province["by"]) == (first, last, by)


def test_by_centre_each_row_is_that_centres_total(
    hub: TestClient, hub_store: HubStore, centre: Centre
) -> None:
    _ship(hub, add_centre(hub_store, "ONE", "Xã Một"), centre.events, centre.site)
    _ship(hub, add_centre(hub_store, "TWO", "Xã Hai"), centre.events[:100], centre.site)
    first, last = centre.first, centre.last
    own = centre.summary("service")["total"]
    staff = _staff(hub, hub_store)
    rows = hub.get(
        "/api/hub/reports/summary", params={"from": first, "to": last}, headers=staff
    ).json()
    assert [(r["key"], r["label"]) for r in rows["rows"]] == [("ONE", "Xã Một"), ("TWO", "Xã Hai")]
    one = {k: v for k, v in rows["rows"][0].items() if k not in ("key", "label")}
    assert one == {k: v for k, v in own.items() if k not in ("key", "label")}
    assert rows["total"]["issued"] == own["issued"] + rows["rows"][1]["issued"]
    assert rows["centre"] == "all"


def test_a_resent_log_changes_no_figure(
    hub: TestClient, hub_store: HubStore, centre: Centre
) -> None:
    token = add_centre(hub_store, centre.code)
    _ship(hub, token, centre.events, centre.site)
    first, last = centre.first, centre.last
    staff = _staff(hub, hub_store)
    params = {"from": first, "to": last, "by": "service"}
    before = hub.get("/api/hub/reports/summary", params=params, headers=staff).json()
    _ship(hub, token, centre.events, centre.site)
    assert hub.get("/api/hub/reports/summary", params=params, headers=staff).json() == before


def test_reports_are_for_province_staff_and_check_their_input(
    hub: TestClient, hub_store: HubStore
) -> None:
    centre_token = add_centre(hub_store, "A")
    staff = _staff(hub, hub_store)
    url = "/api/hub/reports/summary"
    ok = {"from": "2026-11-01", "to": "2026-11-30"}
    assert hub.get(url, params=ok).status_code == 401
    as_centre = hub.get(url, params=ok, headers={"Authorization": f"Bearer {centre_token}"})
    assert as_centre.status_code == 401
    empty = hub.get(url, params=ok, headers=staff)
    assert empty.status_code == 200
    assert empty.json()["rows"] == []
    assert empty.json()["total"]["issued"] == 0
    for bad, status in [
        ({"from": "2026-11-30", "to": "2026-11-01"}, 422),
        ({"from": "20261101", "to": "2026-11-30"}, 422),
        ({"from": "2024-01-01", "to": "2026-11-30"}, 422),
        ({**ok, "by": "counter"}, 422),
        ({**ok, "centre": "NOPE"}, 404),
        ({"to": "2026-11-30"}, 422),
    ]:
        answer = hub.get(url, params=bad, headers=staff)
        assert answer.status_code == status, (bad, answer.text)
        assert "detail" in answer.json()


def test_a_days_report_lists_every_day_and_a_tickets_day_is_the_sites(
    hub: TestClient, hub_store: HubStore
) -> None:
    token = add_centre(hub_store, "A")
    log = CentreLog()
    # 23:30 UTC on the 29th is 06:30 on the 30th in Hà Nội: the site's day counts.
    late = MORNING.replace(hour=6, minute=30)
    log.visit(1, "TP", late, wait_min=5, serve_min=2)
    _ship(hub, token, log.events, None)
    answer = hub.get(
        "/api/hub/reports/summary",
        params={"from": "2026-11-29", "to": "2026-12-01", "by": "day", "centre": "A"},
        headers=_staff(hub, hub_store),
    ).json()
    assert [(r["key"], r["issued"]) for r in answer["rows"]] == [
        ("2026-11-29", 0),
        ("2026-11-30", 1),
        ("2026-12-01", 0),
    ]
    assert answer["rows"][1]["label"] == "30/11/2026"
    assert answer["total"]["wait_avg_minutes"] == 5.0
