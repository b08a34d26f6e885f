"""A ticket the server issued, in the printed form the kiosk and the demo share."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from printer_drivers import TicketContent
from queue_core.model import TicketStatus
from queue_core.protocol import CounterOut, TicketOut
from queue_core.site import CounterConfig

ISSUED_AT = datetime(2026, 11, 23, 8, 45, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def ticket(**changes: object) -> TicketOut:
    fields: dict[str, object] = {
        "id": 42,
        "number": "1005",
        "service": "TP",
        "service_name": "Tư pháp – Hộ tịch",
        "priority": True,
        "status": TicketStatus.WAITING,
        "issued_at": ISSUED_AT,
        "waiting_ahead": 4,
        "estimated_wait_minutes": 12,
    }
    fields.update(changes)
    return TicketOut.model_validate(fields)


def test_the_server_s_ticket_maps_to_its_printed_content() -> None:
    counters = [
        CounterConfig(number=1, name="Quầy 1", services=["TP"]),
        CounterConfig(number=2, services=["DD"]),
        CounterConfig(number=3, services=["DD", "TP"]),
    ]
    content = TicketContent.from_ticket(
        ticket(),
        site_name="Trung tâm Phục vụ hành chính công xã Phú Xuân",
        agency="ỦY BAN NHÂN DÂN XÃ PHÚ XUÂN",
        counters=counters,
        qr_url="http://10.0.0.2:8000/t/42",
    )
    assert content == TicketContent(
        agency="ỦY BAN NHÂN DÂN XÃ PHÚ XUÂN",
        site_name="Trung tâm Phục vụ hành chính công xã Phú Xuân",
        number="1005",
        service_name="Tư pháp – Hộ tịch",
        people_ahead=4,
        estimated_wait_minutes=12,
        issued_at=ISSUED_AT,
        counters=("Quầy 1", "3"),
        qr_url="http://10.0.0.2:8000/t/42",
        priority=True,
    )
    assert content.counters_text == "Quầy 1, Quầy 3"


def test_a_ticket_sent_to_one_counter_names_that_counter_only() -> None:
    counters = [
        CounterOut.model_validate(
            {
                "number": n,
                "name": f"Quầy {n}",
                "services": s,
                "call_mode": "longest_waiting",
                "state": "open",
            }
        )
        for n, s in ((1, ["TP"]), (2, ["DD"]))
    ]
    content = TicketContent.from_ticket(
        ticket(target_counter=2), site_name="Trung tâm", counters=counters
    )
    assert (content.agency, content.counters, content.qr_url) == ("", ("Quầy 2",), None)
