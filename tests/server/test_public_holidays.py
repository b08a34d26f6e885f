"""`[site] holidays = "VN"` through the real app: no ticket on Tết 2026 nor on Giỗ Tổ Hùng
Vương 2027, each refusal naming the holiday from the `holidays` library; the kiosk says it
in the citizen's language (issue #13)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.texts import translator
from kiosk.widgets import ServiceButton
from queue_core.clock import FrozenClock
from queue_core.protocol import ServiceOut
from tests.server.conftest import Hall, open_hall

VN = timezone(timedelta(hours=7))

HOLIDAY_SITE = """
[site]
name = "Trung tâm Phục vụ hành chính công xã Lễ Tết"
holidays = "VN"

[site.hours]
default = ["07:30-11:30", "13:30-17:00"]
sat = []
sun = []
working_dates = ["2026-02-28"]

[[services]]
code = "TP"
name = "Tư pháp – Hộ tịch"
prefix = "1"

[[counters]]
number = 1
services = ["TP"]
"""


@pytest.fixture
def holiday_hall(tmp_path: Path) -> Iterator[Hall]:
    clock = FrozenClock(datetime(2026, 2, 17, 9, 0, tzinfo=VN))  # mùng 1 Tết Bính Ngọ
    yield from open_hall(tmp_path / "data", HOLIDAY_SITE, clock)


def services(hall: Hall) -> dict[str, ServiceOut]:
    response = hall.client.get("/api/services", headers=hall.headers("kiosk"))
    assert response.status_code == 200, response.text
    return {s["code"]: ServiceOut.model_validate(s) for s in response.json()}


def test_no_ticket_on_tet_and_the_refusal_names_it(holiday_hall: Hall) -> None:
    response = holiday_hall.client.post(
        "/api/tickets", json={"service": "TP"}, headers=holiday_hall.headers("kiosk")
    )
    assert response.status_code == 409, response.text
    assert response.json()["detail"] == (
        "Tư pháp – Hộ tịch: hôm nay nghỉ lễ Tết Nguyên Đán — mở lại lúc 07:30 23/02/2026"
    )
    service = services(holiday_hall)["TP"]
    assert not service.open
    assert service.holiday is not None
    assert (service.holiday.vi, service.holiday.en) == ("Tết Nguyên Đán", "Lunar New Year")


def test_no_ticket_on_gio_to_2027_and_a_ticket_on_an_ordinary_day(holiday_hall: Hall) -> None:
    holiday_hall.clock.set(datetime(2027, 4, 16, 9, 0, tzinfo=VN))
    response = holiday_hall.client.post(
        "/api/tickets", json={"service": "TP"}, headers=holiday_hall.headers("kiosk")
    )
    assert response.status_code == 409, response.text
    assert "hôm nay nghỉ lễ Ngày Giỗ Tổ Hùng Vương" in response.json()["detail"]
    holiday_hall.clock.set(datetime(2026, 2, 28, 9, 0, tzinfo=VN))  # a Saturday made a workday
    assert services(holiday_hall)["TP"].holiday is None
    assert holiday_hall.issue("TP")["number"] == "1001"


def test_the_kiosk_says_the_holiday_in_the_citizens_language(
    holiday_hall: Hall, qtbot: QtBot
) -> None:
    service = services(holiday_hall)["TP"]
    button = ServiceButton(service, translator("vi"))
    qtbot.addWidget(button)
    assert button.detail.text() == "Hôm nay nghỉ lễ Tết Nguyên Đán — mở lại lúc 07:30 23/02/2026"
    english = ServiceButton(service, translator("en"))
    qtbot.addWidget(english)
    assert english.detail.text() == (
        "Closed today for the public holiday: Lunar New Year — opens again at 07:30 23/02/2026"
    )
