"""The `/hub` page: signing in, every centre, the summaries, and the workbook across
centres holding the JSON's figures."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from queue_hub.auth import hash_password
from queue_hub.store import HubStore, User
from tests.hub.centre_log import MORNING, CentreLog, add_centre

PASSWORD = "mật khẩu tỉnh"


def _fill(hub: TestClient, store: HubStore) -> None:
    for code, name, visits in (("A", "Xã Đông Anh", 4), ("B", "Xã Bình Minh", 2)):
        token = add_centre(store, code, name)
        log = CentreLog()
        for n in range(1, visits + 1):
            log.visit(n, "TP", MORNING + timedelta(minutes=n), wait_min=n, serve_min=3)
        answer = hub.post(
            "/api/hub/events",
            json=log.shipment(0),
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 200
    store.add_user(User("lan", "Nguyễn Thị Lan", hash_password(PASSWORD), False), MORNING)


def test_the_page_asks_to_sign_in_then_shows_every_centre(
    hub: TestClient, hub_store: HubStore
) -> None:
    _fill(hub, hub_store)
    form = hub.get("/hub")
    assert form.status_code == 200
    assert 'name="username"' in form.text
    assert 'name="password"' in form.text
    wrong = hub.post("/hub/sign-in", data={"username": "lan", "password": "x"})
    assert wrong.status_code == 401
    assert "Sai tên đăng nhập" in wrong.text
    signed = hub.post(
        "/hub/sign-in", data={"username": "lan", "password": PASSWORD}, follow_redirects=False
    )
    assert signed.status_code == 303
    assert "httponly" in signed.headers["set-cookie"].lower()
    assert "samesite=strict" in signed.headers["set-cookie"].lower()
    page = hub.get("/hub", params={"from": "2026-11-01", "to": "2026-11-30"})
    assert page.status_code == 200
    for text in ("Xã Đông Anh", "Xã Bình Minh", "Nguyễn Thị Lan", "Theo lĩnh vực", "hub-data"):
        assert text in page.text
    assert hub.get("/hub/static/vendor/chartjs/chart.umd.min.js").status_code == 200
    assert hub.get("/hub/static/hub.js").status_code == 200
    bad = hub.get("/hub", params={"from": "2026-11-30", "to": "2026-11-01"})
    assert bad.status_code == 200
    assert 'class="error"' in bad.text
    hub.post("/hub/sign-out")
    assert 'name="password"' in hub.get("/hub").text


def test_the_workbook_holds_the_summarys_figures(hub: TestClient, hub_store: HubStore) -> None:
    _fill(hub, hub_store)
    signed = hub.post("/api/auth/token", data={"username": "lan", "password": PASSWORD})
    staff = {"Authorization": f"Bearer {signed.json()['access_token']}"}
    period = {"from": "2026-11-01", "to": "2026-11-30"}
    assert hub.get("/api/hub/reports/export.xlsx", params=period).status_code == 401
    answer = hub.get("/api/hub/reports/export.xlsx", params=period, headers=staff)
    assert answer.status_code == 200
    book = load_workbook(BytesIO(answer.content))
    assert book.sheetnames == ["Theo trung tâm", "Theo lĩnh vực", "Theo ngày", "Theo giờ"]
    for sheet, by in zip(book.worksheets, ("centre", "service", "day", "hour"), strict=True):
        summary = hub.get(
            "/api/hub/reports/summary", params={**period, "by": by}, headers=staff
        ).json()
        rows = list(sheet.iter_rows(min_row=3, values_only=True))
        expected = [*summary["rows"], summary["total"]]
        assert [(r[0], r[1], r[2], r[3], r[4], r[8], r[13]) for r in rows] == [
            (
                e["key"],
                e["label"],
                e["issued"],
                e["called"],
                e["served"],
                e["wait_avg_minutes"],
                e["satisfaction_pct"],
            )
            for e in expected
        ]
    assert (
        hub.get(
            "/api/hub/reports/export.xlsx", params={"from": "x", "to": "y"}, headers=staff
        ).status_code
        == 422
    )
