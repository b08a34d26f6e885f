"""The worked example of `docs/reports.md`: two days at a commune centre, nine tickets.

Times are the site's (Asia/Ho_Chi_Minh, UTC+7), stored in UTC as the server stores them.
Targets: TP 20 minutes, DD 15. Counter 1 is Lan's, counter 2 Hùng's. Scale of 3 levels.

| # | service | issued | first call | last call | end | status | counter | wait | service | rating |
|---|---|---|---|---|---|---|---|---|---|---|
| 1 | TP | 02/11 08:00 | 08:10 | 08:10 | 08:25 | done | 1 | 10 | 15 | 3 |
| 2 | TP | 02/11 08:05 | 08:30 | 08:30 | 08:40 | done | 1 | 25 | 10 | 1 |
| 3 | TP | 02/11 08:20 | 08:35 | 08:35 | 08:40 | no_show | 2 | 15 | | |
| 4 | DD | 02/11 09:10 | 09:20 | 09:50 | 10:02 | done (moved, called again) | 2 | 10 | 12 | 2 |
| 5 | DD | 02/11 09:15 | 09:45 | 09:45 | 09:53 | done | 1 | 30 | 8 | 3 |
| 6 | DD | 02/11 09:30 | | | 09:40 | cancelled | | | | |
| 7 | TP | 02/11 16:50 | | | | expired | | | | |
| 8 | TP | 02/11 10:00 | 10:00 | 10:00 | 10:06 | done (walk-in) | 1 | 0 | 6 | |
| 9 | TP | 03/11 08:00 | 08:45 | 08:45 | 09:05 | done | 2 | 45 | 20 | 3 |
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from queue_core.model import TicketStatus
from queue_core.report import Visit

ZONE = "Asia/Ho_Chi_Minh"
DAY1, DAY2 = date(2026, 11, 2), date(2026, 11, 3)
TARGETS_S = {"TP": 20 * 60, "DD": 15 * 60}
CLERKS = {1: "lan", 2: "hung"}


def at(day: date, hhmm: str | None) -> datetime | None:
    if hhmm is None:
        return None
    hour, minute = map(int, hhmm.split(":"))
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(ZONE))
    return local.astimezone(UTC)


_ROWS: list[
    tuple[str, date, str, str | None, str | None, str | None, str, int | None, int | None, bool]
] = [
    ("TP", DAY1, "08:00", "08:10", "08:10", "08:25", "done", 1, 3, False),
    ("TP", DAY1, "08:05", "08:30", "08:30", "08:40", "done", 1, 1, False),
    ("TP", DAY1, "08:20", "08:35", "08:35", "08:40", "no_show", 2, None, False),
    ("DD", DAY1, "09:10", "09:20", "09:50", "10:02", "done", 2, 2, False),
    ("DD", DAY1, "09:15", "09:45", "09:45", "09:53", "done", 1, 3, False),
    ("DD", DAY1, "09:30", None, None, "09:40", "cancelled", None, None, False),
    ("TP", DAY1, "16:50", None, None, None, "expired", None, None, False),
    ("TP", DAY1, "10:00", "10:00", "10:00", "10:06", "done", 1, None, True),
    ("TP", DAY2, "08:00", "08:45", "08:45", "09:05", "done", 2, 3, False),
]


def visits() -> list[Visit]:
    found = []
    for service, day, issued, first, last, end, status, counter, rating, walk_in in _ROWS:
        issued_at = at(day, issued)
        assert issued_at is not None
        found.append(
            Visit(
                service=service,
                status=TicketStatus(status),
                day=day,
                issued_at=issued_at,
                first_called_at=at(day, first),
                called_at=at(day, last),
                finished_at=at(day, end),
                counter=counter,
                clerk=CLERKS[counter] if counter is not None else None,
                rating=rating,
                walk_in=walk_in,
            )
        )
    return found
