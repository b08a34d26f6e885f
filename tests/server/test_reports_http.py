"""Reports over HTTP, on the worked example of `docs/reports.md` played through the real
API with a frozen clock: issue, call, transfer, no-show, cancel, walk-in, rate, and a
day change that expires a ticket left waiting.

The figures must be the hand-computed ones (`tests/core/test_report.py`), grouped as the
contract says, with a person's labels; the workbook read back with openpyxl must hold the
same numbers as the JSON.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from queue_core.clock import FrozenClock
from queue_core.report import Grouping, group
from queue_server.auth import issue_user_token
from queue_server.store import connect
from tests.core.report_example import DAY1, DAY2, TARGETS_S, ZONE, at, visits
from tests.core.test_report import TOTAL
from tests.server.conftest import Hall, open_hall

SITE = """
[site]
name = "Trung tâm Phục vụ hành chính công xã Ví Dụ"
rating_scale = 3

[[services]]
code = "TP"
name = "Tư pháp – Hộ tịch"
prefix = "1"
waiting_target_minutes = 20

[[services]]
code = "DD"
name = "Đất đai"
prefix = "2"
waiting_target_minutes = 15

[[counters]]
number = 1
name = "Quầy 1"
services = ["TP", "DD"]

[[counters]]
number = 2
name = "Quầy 2"
services = ["TP", "DD"]
"""


class Day:
    """The worked example's hall: moves the clock, then acts."""

    def __init__(self, hall: Hall, clock: FrozenClock) -> None:
        self.hall, self.clock = hall, clock

    def at(self, day: date, hhmm: str) -> Day:
        when = at(day, hhmm)
        assert when is not None
        self.clock.set(when)
        return self

    def post(self, who: str, path: str, body: dict[str, object] | None = None) -> Any:
        response = self.hall.client.post(path, json=body, headers=self.hall.headers(who))
        assert response.status_code in (200, 201, 204), response.text
        return response.json() if response.content else None

    def sign_in_again(self) -> None:
        store = connect(self.hall.data_dir)
        try:
            with store.transaction():
                for username in ("lan", "hung", "sup", "admin"):
                    token, _ = issue_user_token(store, username, self.clock.now(), 12 * 3600)
                    self.hall.tokens[username] = token
        finally:
            store.close()

    def rate(self, ticket: int, score: int) -> None:
        self.post("rating", "/api/ratings", {"ticket_id": ticket, "score": score})

    def issue(self, service: str) -> int:
        return int(self.hall.issue(service)["id"])  # type: ignore[call-overload]


def play(day: Day) -> None:
    t1 = day.at(DAY1, "08:00").issue("TP")
    t2 = day.at(DAY1, "08:05").issue("TP")
    day.at(DAY1, "08:10").post("lan", f"/api/counters/1/call/{t1}")
    t3 = day.at(DAY1, "08:20").issue("TP")
    day.at(DAY1, "08:25").post("lan", f"/api/tickets/{t1}/complete")
    day.rate(t1, 3)  # at the counter's tablet, as the citizen leaves
    day.at(DAY1, "08:30").post("lan", f"/api/counters/1/call/{t2}")
    day.at(DAY1, "08:35").post("hung", f"/api/counters/2/call/{t3}")
    day.at(DAY1, "08:40").post("lan", f"/api/tickets/{t2}/complete")
    day.rate(t2, 1)
    day.post("hung", f"/api/tickets/{t3}/no-show")
    t4 = day.at(DAY1, "09:10").issue("DD")
    t5 = day.at(DAY1, "09:15").issue("DD")
    day.at(DAY1, "09:20").post("hung", f"/api/counters/2/call/{t4}")
    # Sent on to the other service: its wait still ends at this first call, and it still
    # counts for DD, the service it was issued for.
    day.at(DAY1, "09:25").post("hung", f"/api/tickets/{t4}/transfer", {"service": "TP"})
    t6 = day.at(DAY1, "09:30").issue("DD")
    day.at(DAY1, "09:40").post("sup", f"/api/tickets/{t6}/cancel")
    day.at(DAY1, "09:45").post("lan", f"/api/counters/1/call/{t5}")
    day.at(DAY1, "09:50").post("hung", f"/api/counters/2/call/{t4}")
    day.at(DAY1, "09:53").post("lan", f"/api/tickets/{t5}/complete")
    day.rate(t5, 3)
    t8 = int(day.at(DAY1, "10:00").post("lan", "/api/counters/1/walk-in", {"service": "TP"})["id"])
    day.at(DAY1, "10:02").post("hung", f"/api/tickets/{t4}/complete")
    day.rate(t4, 2)
    day.at(DAY1, "10:06").post("lan", f"/api/tickets/{t8}/complete")
    day.at(DAY1, "16:50").issue("TP")  # #7: nobody calls it; the day change expires it
    t9 = day.at(DAY2, "08:00").issue("TP")
    day.sign_in_again()  # staff tokens last 12 hours
    day.at(DAY2, "08:45").post("hung", f"/api/counters/2/call/{t9}")
    day.at(DAY2, "09:05").post("hung", f"/api/tickets/{t9}/complete")
    day.rate(t9, 3)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    start = at(DAY1, "07:30")
    assert start is not None
    clock = FrozenClock(start)
    for hall in open_hall(tmp_path_factory.mktemp("reports") / "data", SITE, clock):
        play(Day(hall, clock))
        yield hall


def summary(hall: Hall, by: str, first: str = "2026-11-01", last: str = "2026-11-30") -> Any:
    response = hall.client.get(
        "/api/reports/summary",
        params={"from": first, "to": last, "by": by},
        headers=hall.headers("sup"),
    )
    assert response.status_code == 200, response.text
    return response.json()


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in ("key", "label")}


def expected(by: Grouping) -> dict[Any, dict[str, Any]]:
    days = (date(2026, 11, 1), date(2026, 11, 30))
    rows = group(visits(), by, targets_s=TARGETS_S.__getitem__, scale=3, timezone=ZONE, days=days)
    return {key: asdict(figures) for key, figures in rows}


@pytest.mark.parametrize("by", list(Grouping))
def test_each_grouping_has_the_hand_computed_figures(example: Hall, by: Grouping) -> None:
    body = summary(example, by.value)
    assert (body["from"], body["to"], body["by"]) == ("2026-11-01", "2026-11-30", by.value)
    assert {row["key"]: _figures(row) for row in body["rows"]} == expected(by)
    assert _figures(body["total"]) == TOTAL
    assert (body["total"]["key"], body["total"]["label"]) == (None, "Tổng cộng")


def test_rows_carry_the_names_a_person_reads(example: Hall) -> None:
    labels = {
        by: {row["key"]: row["label"] for row in summary(example, by)["rows"]}
        for by in ("service", "counter", "clerk", "hour")
    }
    assert labels["service"] == {"DD": "Đất đai", "TP": "Tư pháp – Hộ tịch"}
    assert labels["counter"] == {1: "Quầy 1", 2: "Quầy 2"}
    assert labels["clerk"] == {"lan": "Nguyễn Thị Lan", "hung": "Trần Văn Hùng"}
    assert labels["hour"][8] == "08:00–09:00"
    days = summary(example, "day", "2026-11-02", "2026-11-04")["rows"]
    assert [(d["key"], d["label"], d["issued"]) for d in days] == [
        ("2026-11-02", "02/11/2026", 6),
        ("2026-11-03", "03/11/2026", 1),
        ("2026-11-04", "04/11/2026", 0),
    ]


def test_a_range_takes_whole_days_of_the_site(example: Hall) -> None:
    assert summary(example, "service", "2026-11-03", "2026-11-03")["total"]["issued"] == 1
    assert summary(example, "service", "2026-10-01", "2026-10-31")["total"]["issued"] == 0


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2026-11-02", "to": "2026-11-01"},
        {"from": "2026-11-31", "to": "2026-12-01"},
        {"from": "02/11/2026", "to": "2026-11-30"},
        {"from": "2025-01-01", "to": "2026-06-30"},
        {"from": "2026-11-01"},
        {"from": "2026-11-01", "to": "2026-11-30", "by": "month"},
        {"from": "x" * 100, "to": "2026-11-30"},
    ],
)
def test_a_bad_range_is_a_422_saying_why(example: Hall, query: dict[str, str]) -> None:
    for path in ("/api/reports/summary", "/api/reports/export.xlsx"):
        response = example.client.get(path, params=query, headers=example.headers("admin"))
        if path.endswith("xlsx") and "by" in query:
            continue  # the workbook has every grouping: `by` is not its parameter
        assert response.status_code == 422, response.text
        assert response.json()["detail"]


@pytest.mark.parametrize("who", ["lan", "kiosk", "display", "rating"])
def test_reports_are_for_supervisors_and_admins(example: Hall, who: str) -> None:
    response = example.client.get(
        "/api/reports/summary",
        params={"from": "2026-11-01", "to": "2026-11-30"},
        headers=example.headers(who),
    )
    assert response.status_code == 403


def test_the_workbook_holds_the_figures_of_the_json(example: Hall, tmp_path: Path) -> None:
    response = example.client.get(
        "/api/reports/export.xlsx",
        params={"from": "2026-11-01", "to": "2026-11-30"},
        headers=example.headers("admin"),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "bao-cao-2026-11-01-2026-11-30.xlsx" in response.headers["content-disposition"]
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == [
        "Thông tin",
        "Theo lĩnh vực",
        "Theo quầy",
        "Theo cán bộ",
        "Theo ngày",
        "Theo giờ",
    ]
    cover = list(book["Thông tin"].iter_rows(values_only=True))
    assert ("Đơn vị", "Trung tâm Phục vụ hành chính công xã Ví Dụ") in cover
    assert ("Kỳ báo cáo", "Từ 01/11/2026 đến 30/11/2026") in cover
    assert any(term == "Tỷ lệ hài lòng" for term, _ in cover[2:] if term)

    for title, by in zip(
        book.sheetnames[1:], ("service", "counter", "clerk", "day", "hour"), strict=True
    ):
        sheet = list(book[title].iter_rows(values_only=True))
        headers, *rows, total = sheet
        assert headers[:3] == (headers[0], "Tên", "Số đã cấp")
        assert headers[-4:] == ("Không hài lòng", "Hài lòng", "Rất hài lòng", "Tỷ lệ hài lòng (%)")
        body = summary(example, by)
        as_json = [_as_cells(row) for row in [*body["rows"], body["total"]]]
        assert [*rows, total] == as_json, title
        # Numbers are numbers, for a province to add up (an empty cell where JSON has null).
        assert all(isinstance(v, int | float) for v in total[2:] if v is not None)


def _as_cells(row: dict[str, Any]) -> tuple[Any, ...]:
    figures = [
        row[name]
        for name in (
            "issued",
            "called",
            "served",
            "no_show",
            "cancelled",
            "expired",
            "wait_avg_minutes",
            "wait_p90_minutes",
            "wait_max_minutes",
            "service_avg_minutes",
            "within_target_pct",
        )
    ]
    return (row["key"], row["label"], *figures, *row["ratings"].values(), row["satisfaction_pct"])
