from __future__ import annotations

import pytest

from queue_client import Conflict, Forbidden, NotAuthenticated, QueueClient, ServerUnreachable
from queue_client.errors import RequestRejected
from queue_core.model import TicketStatus
from tests.helpers.live_server import LiveServer
from tests.server.conftest import PASSWORDS


def test_a_kiosk_issues_and_a_clerk_calls(server: LiveServer, tokens: dict[str, str]) -> None:
    with QueueClient(server.url, tokens["kiosk"]) as kiosk, QueueClient(server.url) as clerk:
        assert [s.code for s in kiosk.services()] == ["TP", "DD"]
        ticket = kiosk.issue("TP")
        assert ticket.number == "1001"
        clerk.login("lan", PASSWORDS["lan"])
        called = clerk.call_next(1)
        assert called is not None
        assert (called.id, called.status, called.counter) == (ticket.id, TicketStatus.CALLED, 1)
        assert clerk.call_next(1) is None
        assert kiosk.ticket(ticket.id).status is TicketStatus.DONE


def test_the_same_idempotency_key_never_makes_two_tickets(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    with QueueClient(server.url, tokens["kiosk"]) as kiosk:
        first = kiosk.issue("TP", idempotency_key="touch-1")
        again = kiosk.issue("TP", idempotency_key="touch-1")
        assert again.id == first.id
        assert kiosk.services()[0].waiting == 1


def test_domain_refusals_arrive_as_typed_errors_with_the_reason(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    with QueueClient(server.url, tokens["kiosk"]) as kiosk:
        for _ in range(3):
            kiosk.issue("DD")
        with pytest.raises(Conflict, match="hết số") as refused:
            kiosk.issue("DD")
        assert refused.value.error == "DailyLimitReached"
        with pytest.raises(Forbidden):
            kiosk.call_next(1)
        with pytest.raises(RequestRejected) as unknown:
            kiosk.issue("XX")
        assert unknown.value.status == 404


def test_a_bad_token_and_a_dead_server_are_told_apart(server: LiveServer) -> None:
    stranger = QueueClient(server.url, "not-a-token")
    nowhere = QueueClient("http://127.0.0.1:9", "x", timeout_s=1)
    with stranger, nowhere:
        with pytest.raises(NotAuthenticated):
            stranger.services()
        with pytest.raises(ServerUnreachable):
            nowhere.services()
