from datetime import UTC, datetime

from queue_core.numbering import format_number, local_day


def test_number_is_prefix_and_padded_sequence() -> None:
    assert format_number("1", 5, 3) == "1005"
    assert format_number("A", 5, 3) == "A005"


def test_sequence_grows_past_its_width_instead_of_wrapping() -> None:
    assert format_number("1", 999, 3) == "1999"
    assert format_number("1", 1000, 3) == "11000"


def test_the_day_changes_at_midnight_in_vietnam_not_utc() -> None:
    assert str(local_day(datetime(2026, 11, 22, 16, 59, tzinfo=UTC))) == "2026-11-22"
    assert str(local_day(datetime(2026, 11, 22, 17, 0, tzinfo=UTC))) == "2026-11-23"
