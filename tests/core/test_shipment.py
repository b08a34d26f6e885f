"""The wire a centre ships its log to the province hub on."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from queue_core.protocol import Shipment


def _event(seq: int) -> dict[str, object]:
    return {"seq": seq, "type": "ticket.issued", "at": "2026-11-30T08:00:00+07:00", "body": "{}"}


def _json(body: dict[str, object]) -> str:
    return json.dumps(body)


def test_a_shipment_follows_its_after_seq_in_increasing_order() -> None:
    shipment = Shipment.model_validate_json(
        _json({"after_seq": 3, "events": [_event(4), _event(7)]})
    )
    assert [event.seq for event in shipment.events] == [4, 7]


@pytest.mark.parametrize("seqs", [[3], [5, 5], [6, 4]])
def test_a_shipment_out_of_order_or_overlapping_its_after_seq_is_refused(seqs: list[int]) -> None:
    with pytest.raises(ValidationError, match="strictly increasing"):
        Shipment.model_validate_json(
            _json({"after_seq": 3, "events": [_event(seq) for seq in seqs]})
        )


def test_a_shipment_is_bounded() -> None:
    with pytest.raises(ValidationError):
        Shipment.model_validate_json(
            _json({"after_seq": 0, "events": [_event(n) for n in range(1, 502)]})
        )
