"""Durations on the desk read as a person says them: "3 giây", not "0 phút 3 giây"."""

from __future__ import annotations

import pytest

from counter_client.desk_page import duration_text
from counter_client.texts import translator


@pytest.mark.parametrize(
    ("seconds", "vietnamese", "english"),
    [
        (3, "3 giây", "3 s"),
        (59.4, "59 giây", "59 s"),
        (60, "1 phút 0 giây", "1 min 0 s"),
        (185, "3 phút 5 giây", "3 min 5 s"),
        (None, "—", "—"),
    ],
)
def test_a_duration_under_a_minute_has_no_zero_minutes(
    seconds: float | None, vietnamese: str, english: str
) -> None:
    assert duration_text(translator("vi"), seconds) == vietnamese
    assert duration_text(translator("en"), seconds) == english
