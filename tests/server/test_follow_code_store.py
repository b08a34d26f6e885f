"""The store draws a follow code again when one is taken or reads as a number."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from queue_server.store import connect
from queue_server.store import sqlite as store_module


def test_a_taken_or_all_digit_code_is_drawn_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = connect(tmp_path)
    store.migrate()
    for n in (1, 2):
        store.db.execute(
            "insert into tickets (number, service, issued_service, day, sequence, rank, status,"
            " issued_at) values (?, 'TP', 'TP', '2026-11-23', ?, ?, 'waiting', ?)",
            [str(1000 + n), n, n, "2026-11-23T02:00:00+00:00"],
        )
    draws: Iterator[str] = iter(["AAAAAAAAAAAA", "AAAAAAAAAAAA", "123456789012", "BBBBBBBBBBBB"])
    monkeypatch.setattr(store_module.secrets, "token_urlsafe", lambda _n: next(draws))
    with store.transaction():
        assert store.assign_follow_code(1) == "AAAAAAAAAAAA"
        assert store.assign_follow_code(2) == "BBBBBBBBBBBB"  # taken, then digits only
    ticket = store.ticket_by_follow_code("BBBBBBBBBBBB")
    assert ticket is not None
    assert ticket.id == 2
    assert store.follow_code(1) == "AAAAAAAAAAAA"
    assert store.ticket_by_follow_code("CCCCCCCCCCCC") is None
    store.close()
