"""The domain error tree, as the server's one handler maps it to HTTP statuses."""

import pytest

from queue_core import errors
from queue_core.errors import (
    AlreadyRated,
    Conflict,
    CounterBusy,
    CounterPaused,
    DailyLimitReached,
    InvalidRequest,
    InvalidSiteConfig,
    InvalidTransition,
    NotFound,
    NothingWaiting,
    QueueError,
    ServiceClosed,
    UnknownCounter,
    UnknownService,
    UnknownTicket,
)

TREE: dict[type[QueueError], type[QueueError]] = {
    UnknownService: NotFound,
    UnknownCounter: NotFound,
    UnknownTicket: NotFound,
    ServiceClosed: Conflict,
    DailyLimitReached: Conflict,
    NothingWaiting: Conflict,
    InvalidTransition: Conflict,
    CounterPaused: Conflict,
    CounterBusy: Conflict,
    AlreadyRated: Conflict,
    InvalidSiteConfig: InvalidRequest,
}


@pytest.mark.parametrize(("error", "parent"), TREE.items())
def test_each_error_sits_where_the_docstring_draws_it(
    error: type[QueueError], parent: type[QueueError]
) -> None:
    assert issubclass(error, parent)
    assert issubclass(parent, QueueError)
    assert error.__name__ in (errors.__doc__ or "")


def test_not_found_errors_say_what_was_missing() -> None:
    assert UnknownService("XX").code == "XX"
    assert UnknownService("XX").message == "Không có lĩnh vực mã 'XX'"
    assert UnknownCounter(9).number == 9
    assert str(UnknownCounter(9)) == "Không có quầy số 9"
    assert UnknownTicket(42).ticket_id == 42
    assert UnknownTicket(42).message == "Không có vé mã 42"


def test_service_closed_without_a_next_opening_just_says_closed() -> None:
    closed = ServiceClosed("Đất đai", None)
    assert closed.opens_at is None
    assert closed.message == "Đất đai: hết giờ lấy số"


def test_already_rated_names_the_ticket() -> None:
    assert AlreadyRated(42).ticket_id == 42
    assert AlreadyRated(42).message == "Vé mã 42 đã được đánh giá"


def test_invalid_site_config_keeps_each_problem() -> None:
    error = InvalidSiteConfig(["site.name: a", "services: b"])
    assert error.problems == ["site.name: a", "services: b"]
    assert error.message.endswith("site.name: a\nservices: b")
