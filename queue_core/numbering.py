"""Ticket numbers: prefix + zero-padded sequence, restarting each local day.

A number is never reused within a day: the caller keeps the day's last
sequence per service durably and passes it in; whatever was not committed was
never handed out, so nothing can be issued twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from queue_core.errors import (
    DailyLimitReached,
    IssuingClosedToday,
    ServiceClosed,
    ServiceRetired,
)
from queue_core.model import Service

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


def local_time(at: datetime, timezone: str = DEFAULT_TIMEZONE) -> datetime:
    """`at` (aware) in the site's timezone."""
    if at.tzinfo is None:
        # astimezone() would silently read a naive time as the machine's local time.
        raise ValueError("local_time needs a timezone-aware datetime")
    return at.astimezone(ZoneInfo(timezone))


def local_day(at: datetime, timezone: str = DEFAULT_TIMEZONE) -> date:
    """The site's calendar day at instant `at`: the day numbering runs on."""
    return local_time(at, timezone).date()


def format_number(prefix: str, sequence: int, digits: int) -> str:
    """The display number: `format_number("1", 5, 3) == "1005"`.

    Past the width the sequence grows (`"1999"` is followed by `"11000"`): it
    never wraps, so a number is unique within the day.
    """
    return f"{prefix}{sequence:0{digits}d}"


@dataclass(frozen=True, slots=True)
class NumberGrant:
    day: date
    sequence: int
    number: str


def grant_number(
    service: Service,
    last_sequence: int,
    at: datetime,
    timezone: str = DEFAULT_TIMEZONE,
    *,
    closed_today: bool = False,
) -> NumberGrant:
    """The next number of `service` at instant `at`.

    Args:
        service: the service asked for.
        last_sequence: the last sequence issued for this service on the local day of
            `at` (0 when none was).
        at: the instant of issue (aware).
        timezone: the site's timezone.
        closed_today: a supervisor closed the service's issuing early today.

    Raises:
        ServiceRetired: the service is kept for its history only.
        IssuingClosedToday: `closed_today`.
        ServiceClosed: outside the service's issuing hours, or on a public holiday.
        DailyLimitReached: the service's daily cap is used up.
    """
    if service.retired:
        raise ServiceRetired(service.name)
    if closed_today:
        raise IssuingClosedToday(service.name)
    local = local_time(at, timezone)
    if not service.hours.is_open(local):
        raise ServiceClosed(
            service.name,
            service.hours.next_opening(local),
            service.hours.holiday_on(local.date()),
        )
    if service.daily_cap is not None and last_sequence >= service.daily_cap:
        raise DailyLimitReached(service.name, service.daily_cap)
    sequence = last_sequence + 1
    return NumberGrant(
        local.date(), sequence, format_number(service.prefix, sequence, service.digits)
    )
