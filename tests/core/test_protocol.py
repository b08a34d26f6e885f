"""The wire models every REST body and WebSocket event goes through."""

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from queue_core.model import CallMode, CounterState, TicketStatus
from queue_core.protocol import (
    EVENT_TYPES,
    PROTOCOL_VERSION,
    CounterOut,
    CounterUpdated,
    ErrorOut,
    HeartbeatRequest,
    IssueRequest,
    PauseRequest,
    RatingRequest,
    TicketCalled,
    TicketOut,
    TicketTransferred,
    TokenOut,
    TransferRequest,
    parse_event,
    ticket_json,
)

CONTRACT_EVENT_TYPES = {
    "ticket.issued",
    "ticket.called",
    "ticket.recalled",
    "ticket.completed",
    "ticket.no_show",
    "ticket.transferred",
    "ticket.rated",
    "counter.updated",
}

TICKET: dict[str, Any] = {
    "id": 42,
    "number": "1005",
    "service": "TP",
    "service_name": "Tư pháp – Hộ tịch",
    "priority": False,
    "status": "called",
    "issued_at": "2026-11-23T08:01:00+07:00",
    "called_at": "2026-11-23T08:15:00+07:00",
    "counter": 3,
    "waiting_ahead": 0,
    "estimated_wait_minutes": 0,
}
COUNTER: dict[str, Any] = {
    "number": 3,
    "name": "Quầy 3",
    "services": ["TP", "DD"],
    "call_mode": "longest_waiting",
    "state": "open",
    "current_ticket": TICKET,
}
ALERT = {
    "id": 4,
    "kind": "printer-paper-out",
    "subject": "Kiosk sảnh",
    "message": "Máy in của Kiosk sảnh: hết giấy, không in được số",
    "since": "2026-11-23T08:14:00+07:00",
}
SERVICE: dict[str, Any] = {
    "code": "DD",
    "name": "Đất đai",
    "prefix": "2",
    "waiting": 7,
    "open": False,
    "estimated_wait_minutes": 35,
    "closed_reason": "Đất đai: hôm nay đã dừng cấp số sớm",
    "issued_today": 64,
    "waiting_target_minutes": 20,
    "closed_early": True,
}
SNAPSHOT: dict[str, Any] = {
    "type": "snapshot",
    "seq": 7,
    "at": "2026-11-23T08:15:00+07:00",
    "display": {
        "site_name": "Trung tâm Phục vụ hành chính công xã Thử Nghiệm",
        "agency": None,
        "call_phrase": "Mời công dân có số thứ tự {number} đến quầy số {counter}",
        "ticker": "",
        "spotlight_seconds": 10,
        "history": 8,
        "reading": "words",
        "repeat": 2,
    },
    "counters": [COUNTER],
    "services": [],
    "latest_calls": [],
}
EXTRA: dict[str, dict[str, Any]] = {
    "ticket.transferred": {"from_service": "DD", "from_counter": 4},
    "ticket.rated": {"score": 3},
}


def event_json(type_: str, seq: int = 7) -> str:
    body: dict[str, Any] = {"type": type_, "seq": seq, "at": "2026-11-23T08:15:00+07:00"}
    if type_ == "counter.updated":
        body["counter"] = COUNTER
    elif type_.startswith("alert."):
        body["alert"] = ALERT
    elif type_ == "site.updated":
        body["snapshot"] = SNAPSHOT | {"seq": seq}
    elif type_ == "service.updated":
        body["service"] = SERVICE
    else:
        body |= {"ticket": TICKET, "counter": 3, **EXTRA.get(type_, {})}
    return json.dumps(body)


def test_every_event_type_of_the_contract_exists() -> None:
    assert set(EVENT_TYPES) >= CONTRACT_EVENT_TYPES
    assert len(set(EVENT_TYPES)) == len(EVENT_TYPES)


@pytest.mark.parametrize("type_", EVENT_TYPES)
def test_the_event_union_parses_each_type(type_: str) -> None:
    event = parse_event(event_json(type_))
    assert event.type == type_
    assert (event.seq, event.v) == (7, PROTOCOL_VERSION)
    assert event.at == datetime(2026, 11, 23, 1, 15, tzinfo=UTC)
    assert parse_event(event.model_dump_json()) == event


def test_a_ticket_event_carries_the_ticket_and_its_counter() -> None:
    event = parse_event(event_json("ticket.called"))
    assert isinstance(event, TicketCalled)
    assert (event.ticket.number, event.ticket.status, event.counter) == (
        "1005",
        TicketStatus.CALLED,
        3,
    )


TICKET_EVENT_TYPES = [t for t in EVENT_TYPES if t.startswith("ticket.")]
# Texts that would fool a cut made carelessly: the keys and braces it looks for.
AWKWARD = ['a},"counter":3', "}", '"ticket":{', '\\"},"counter":', "Hộ tịch – {x}"]


@pytest.mark.parametrize("type_", TICKET_EVENT_TYPES)
@pytest.mark.parametrize("counter", [3, None])
@pytest.mark.parametrize("text", AWKWARD)
def test_a_ticket_event_holds_its_ticket_as_the_ticket_serializes_alone(
    type_: str, counter: int | None, text: str
) -> None:
    event = parse_event(event_json(type_))
    ticket = event.ticket.model_copy(update={"service_name": text, "number": text})  # type: ignore[union-attr]
    event = event.model_copy(update={"ticket": ticket, "counter": counter})
    assert ticket_json(event.model_dump_json()) == ticket.model_dump_json()


@given(name=st.text(), number=st.text(min_size=1), type_=st.sampled_from(TICKET_EVENT_TYPES))
def test_any_ticket_is_cut_whole_from_its_event(name: str, number: str, type_: str) -> None:
    event = parse_event(event_json(type_))
    ticket = event.ticket.model_copy(update={"service_name": name, "number": number})  # type: ignore[union-attr]
    event = event.model_copy(update={"ticket": ticket})
    assert ticket_json(event.model_dump_json()) == ticket.model_dump_json()


def test_a_transfer_event_says_where_the_ticket_came_from() -> None:
    event = parse_event(event_json("ticket.transferred"))
    assert isinstance(event, TicketTransferred)
    assert (event.from_service, event.from_counter) == ("DD", 4)


def test_a_counter_event_carries_the_counter() -> None:
    event = parse_event(event_json("counter.updated"))
    assert isinstance(event, CounterUpdated)
    assert (event.counter.state, event.counter.call_mode) == (
        CounterState.OPEN,
        CallMode.LONGEST_WAITING,
    )
    assert event.counter.current_ticket is not None


@pytest.mark.parametrize(
    "body",
    [
        '{"type": "ticket.exploded", "seq": 1, "at": "2026-11-23T08:00:00Z"}',
        '{"seq": 1, "at": "2026-11-23T08:00:00Z"}',
        "not json",
    ],
)
def test_unknown_or_malformed_events_are_refused(body: str) -> None:
    with pytest.raises(ValidationError):
        parse_event(body)


def test_events_refuse_unknown_fields() -> None:
    body = json.loads(event_json("ticket.issued")) | {"surprise": 1}
    with pytest.raises(ValidationError):
        parse_event(json.dumps(body))


def test_events_serialize_their_type() -> None:
    event = parse_event(event_json("ticket.issued"))
    assert json.loads(event.model_dump_json())["type"] == "ticket.issued"


def test_ticket_out_matches_the_contract_fields() -> None:
    ticket = TicketOut.model_validate(TICKET)
    contract = {"id", "number", "service", "priority", "status", "issued_at", "called_at"}
    contract |= {"counter", "waiting_ahead", "estimated_wait_minutes"}
    assert contract <= set(ticket.model_dump())


def test_counter_out_may_have_no_current_ticket() -> None:
    counter = CounterOut.model_validate(COUNTER | {"current_ticket": None, "state": "closed"})
    assert counter.current_ticket is None


def test_issue_request_priority_is_optional() -> None:
    assert IssueRequest.model_validate({"service": "TP"}).priority is False
    assert IssueRequest.model_validate({"service": "TP", "priority": True}).priority


@pytest.mark.parametrize("body", [{"service": "DD"}, {"counter": 5}])
def test_transfer_request_to_a_service_or_a_counter(body: dict[str, Any]) -> None:
    request = TransferRequest.model_validate(body)
    assert (request.service, request.counter) == (body.get("service"), body.get("counter"))


@pytest.mark.parametrize("body", [{}, {"service": "DD", "counter": 5}])
def test_transfer_request_needs_exactly_one_target(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="give either 'service' or 'counter'"):
        TransferRequest.model_validate(body)


@pytest.mark.parametrize("score", [0, 6])
def test_rating_request_score_stays_within_the_largest_scale(score: int) -> None:
    with pytest.raises(ValidationError):
        RatingRequest.model_validate({"ticket_id": 1, "score": score})


def test_rating_request_defaults() -> None:
    rating = RatingRequest.model_validate({"ticket_id": 1, "score": 3})
    assert (rating.reasons, rating.comment) == ([], None)


def test_pause_needs_a_reason() -> None:
    with pytest.raises(ValidationError):
        PauseRequest.model_validate({"reason": ""})
    assert PauseRequest.model_validate({"reason": "Họp giao ban"}).reason == "Họp giao ban"


def test_request_bodies_refuse_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        IssueRequest.model_validate({"service": "TP", "prioritty": True})


def test_heartbeat_knows_the_printer_states_of_the_contract() -> None:
    for state in ("ok", "paper-near-end", "paper-out", "cover-open", "offline", "unknown"):
        assert HeartbeatRequest.model_validate({"printer": state}).printer == state
    with pytest.raises(ValidationError):
        HeartbeatRequest.model_validate({"printer": "on-fire"})


def test_token_is_a_bearer_token() -> None:
    token = TokenOut(access_token="abc", role="clerk")
    assert token.model_dump()["token_type"] == "bearer"


def test_error_detail_is_text_or_a_list_of_problems() -> None:
    assert ErrorOut(detail="Quầy số 3 đang tạm ngưng").detail == "Quầy số 3 đang tạm ngưng"
    assert ErrorOut(detail=[{"loc": ["body"], "msg": "x"}]).detail == [
        {"loc": ["body"], "msg": "x"}
    ]


def test_request_text_must_be_valid_unicode() -> None:
    # Python's json (FastAPI's parser) lets a lone surrogate through; nothing can store it.
    with pytest.raises(ValidationError, match="lone surrogates"):
        IssueRequest.model_validate(json.loads('{"service": "\\ud800"}'))
    assert IssueRequest.model_validate_json('{"service": "TP"}').service == "TP"
