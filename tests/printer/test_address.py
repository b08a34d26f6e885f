"""One form of address on paper as on every screen: "Ông/Bà", never "bạn"."""

from __future__ import annotations

import dataclasses

import pytest

from printer_drivers.decoder import EscposDecoder, Printout
from printer_drivers.job import encode_ticket
from printer_drivers.sample import sample_ticket
from printer_drivers.url import parse_printer_url


def _texts(url: str, people_ahead: int) -> list[str]:
    ticket = dataclasses.replace(sample_ticket(), people_ahead=people_ahead)
    events = EscposDecoder().feed(encode_ticket(ticket, parse_printer_url(url)))
    (printout,) = [event for event in events if isinstance(event, Printout)]
    return printout.texts


@pytest.mark.parametrize("url", ["dummy://?mode=text", "dummy://?mode=text&charset=tcvn3"])
def test_the_printed_ticket_addresses_the_citizen_as_ong_ba(url: str) -> None:
    texts = _texts(url, 4)
    assert "Số người chờ trước Ông/Bà: 4" in texts
    assert "Không có người chờ trước Ông/Bà" in _texts(url, 0)
    assert not any("bạn" in line for line in texts + _texts(url, 0))


def test_the_content_model_says_ong_ba_for_the_raster_ticket_too() -> None:
    assert sample_ticket().people_ahead_text == "Số người chờ trước Ông/Bà: 4"
