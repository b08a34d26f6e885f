"""What `bench/issue.py` counts as a wrong answer: a bench exits 1 on these, never on a time."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from issue import check_calls, check_issued  # noqa: E402  (bench/ is a folder of scripts)


def ticket(ticket_id: int, counter: int | None = None, number: str = "") -> dict[str, Any]:
    status = "waiting" if counter is None else "called"
    return {
        "id": ticket_id,
        "service": "HT",
        "number": number or f"1{ticket_id:04d}",
        "counter": counter,
        "status": status,
    }


def test_every_issued_ticket_called_once_is_right() -> None:
    issued = [ticket(1), ticket(2)]
    assert check_issued(issued) == []
    assert check_calls(issued, [(1, ticket(1, 1)), (2, ticket(2, 2))]) == []


def test_repeats_and_strays_are_wrong() -> None:
    assert check_issued([ticket(1), ticket(1)])
    assert check_issued([ticket(1, number="10001"), ticket(2, number="10001")])
    issued = [ticket(1), ticket(2)]
    assert check_calls(issued, [(1, ticket(1, 1)), (2, ticket(1, 2))])  # twice, one never
    assert check_calls(issued, [(1, ticket(1, 1)), (2, ticket(2, 2)), (3, ticket(9, 3))])
    assert check_calls(issued, [(1, ticket(1, 2)), (2, ticket(2, 2))])  # the wrong counter


def test_with_a_queue_before_the_run_every_call_is_of_a_ticket_waiting_or_issued() -> None:
    issued = [ticket(11), ticket(12)]
    waiting_before = {1, 2, 3}
    assert check_calls(issued, [(1, ticket(1, 1)), (2, ticket(2, 2))], waiting_before) == []
    assert check_calls(issued, [(1, ticket(1, 1)), (2, ticket(7, 2))], waiting_before)
    assert check_calls(issued, [(1, ticket(1, 1))], waiting_before)  # one call short
    assert check_calls(issued, [(1, ticket(1, 1)), (2, ticket(1, 2))], waiting_before)
