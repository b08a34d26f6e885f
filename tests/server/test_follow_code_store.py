"""The store draws a follow code again when one is taken or reads as a number."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from queue_core.model import Ticket
from queue_server.store import IssueRecord, connect
from queue_server.store import sqlite as store_module

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def new_ticket(ticket_id: int) -> Ticket:
    return Ticket(
        ticket_id, f"10{ticket_id:02d}", "TP", date(2026, 11, 23), ticket_id, AT, ticket_id
    )


def test_a_taken_or_all_digit_code_is_drawn_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = connect(tmp_path)
    store.migrate()
    draws: Iterator[str] = iter(["AAAAAAAAAAAA", "AAAAAAAAAAAA", "123456789012", "BBBBBBBBBBBB"])
    monkeypatch.setattr(store_module.secrets, "token_urlsafe", lambda _n: next(draws))
    with store.transaction():
        assert store.insert_ticket(new_ticket(1), IssueRecord(1, "TP")) == "AAAAAAAAAAAA"
        # Taken, then digits only, then a fresh one: the ticket is stored once.
        assert store.insert_ticket(new_ticket(2), IssueRecord(2, "TP")) == "BBBBBBBBBBBB"
    ticket = store.ticket_by_follow_code("BBBBBBBBBBBB")
    assert ticket == new_ticket(2)
    assert store.follow_code(1) == "AAAAAAAAAAAA"
    assert store.ticket_by_follow_code("CCCCCCCCCCCC") is None
    assert [t.id for t in store.tickets_of_day(date(2026, 11, 23))] == [1, 2]
    store.close()
