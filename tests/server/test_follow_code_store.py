"""The store's follow code is the ticket's id, then a random part drawn again when the whole
would read as a number (an old numeric `/t/{id}`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from queue_core.model import Ticket
from queue_server.store import IssueRecord, connect
from queue_server.store.sqlite import follow_codes

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def new_ticket(ticket_id: int) -> Ticket:
    return Ticket(
        ticket_id, f"10{ticket_id:02d}", "TP", date(2026, 11, 23), ticket_id, AT, ticket_id
    )


def test_an_all_digit_code_is_drawn_again_and_a_code_finds_its_ticket_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = connect(tmp_path)
    store.migrate()
    draws: Iterator[str] = iter(["AAAAAAAAAAAA", "123456789012", "BBBBBBBBBBBB"])
    monkeypatch.setattr(follow_codes.secrets, "token_urlsafe", lambda _n: next(draws))
    with store.transaction():
        assert store.insert_ticket(new_ticket(1), IssueRecord(1, "TP")) == "BAAAAAAAAAAAA"
        # Ticket 53 is "1" in base64url: "1" + "123456789012" reads as a number.
        assert store.insert_ticket(new_ticket(53), IssueRecord(53, "TP")) == "1BBBBBBBBBBBB"
    assert store.ticket_by_follow_code("1BBBBBBBBBBBB") == new_ticket(53)
    assert store.follow_code(1) == "BAAAAAAAAAAAA"
    assert store.ticket_by_follow_code("BAAAAAAAAAAAA") == new_ticket(1)
    # Another ticket's id, or the right one with another random part: nothing.
    assert store.ticket_by_follow_code("CAAAAAAAAAAAA") is None
    assert store.ticket_by_follow_code("BAAAAAAAAAAAB") is None
    assert store.ticket_by_follow_code("AAAAAAAAAAAA") is None  # 12 characters: drawn whole
    assert store.ticket_by_follow_code("BAAAAAAAAAAAÂ") is None  # no route lets it through
    assert [t.id for t in store.tickets_of_day(date(2026, 11, 23))] == [1, 53]
    store.close()
