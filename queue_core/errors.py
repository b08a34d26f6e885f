"""The domain's errors. Servers translate them to HTTP statuses at one boundary.

QueueError
 ├── NotFound                      (404)
 │    ├── UnknownService
 │    ├── UnknownCounter
 │    └── UnknownTicket
 ├── Conflict                      (409)
 │    ├── ServiceClosed            issuing hours, closed day, public holiday
 │    ├── IssuingClosedToday       a supervisor closed the service's issuing early today
 │    ├── ServiceRetired           a service kept for its history, issuing nothing
 │    ├── DailyLimitReached        the service's daily cap
 │    ├── NothingWaiting           no ticket for this counter (HTTP 204, not an error there)
 │    ├── InvalidTransition        e.g. completing a ticket that is waiting
 │    ├── CounterPaused
 │    ├── CounterBusy              another clerk holds the counter
 │    ├── AlreadyRated
 │    └── SiteChangeRefused        a site change would orphan a ticket or repeat a number
 └── InvalidRequest                (422)
      └── InvalidSiteConfig
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from queue_core.public_holidays import Holiday


class QueueError(Exception):
    """Base of every domain error; `message` is Vietnamese, shown to people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(QueueError):
    pass


class UnknownService(NotFound):
    def __init__(self, code: str) -> None:
        super().__init__(f"Không có lĩnh vực mã '{code}'")
        self.code = code


class UnknownCounter(NotFound):
    def __init__(self, number: int) -> None:
        super().__init__(f"Không có quầy số {number}")
        self.number = number


class UnknownTicket(NotFound):
    def __init__(self, ticket_id: int) -> None:
        super().__init__(f"Không có vé mã {ticket_id}")
        self.ticket_id = ticket_id


class Conflict(QueueError):
    pass


class ServiceClosed(Conflict):
    """The service does not issue numbers now; `opens_at` says when it next does, and
    `holiday` which public holiday closes today, if one does."""

    def __init__(
        self, service_name: str, opens_at: datetime | None, holiday: Holiday | None = None
    ) -> None:
        why = f"hôm nay nghỉ lễ {holiday.name_vi}" if holiday else "hết giờ lấy số"
        message = f"{service_name}: {why}"
        if opens_at is not None:
            message += f" — mở lại lúc {opens_at:%H:%M %d/%m/%Y}"
        super().__init__(message)
        self.opens_at = opens_at
        self.holiday = holiday


class IssuingClosedToday(Conflict):
    """A supervisor closed the service's issuing early today (the next day it opens as
    its hours say)."""

    def __init__(self, service_name: str) -> None:
        super().__init__(
            f"{service_name}: hôm nay đã dừng cấp số sớm, mời Ông/Bà quay lại vào ngày làm việc"
            " tiếp theo"
        )


class ServiceRetired(Conflict):
    """The service was retired from the site: its history stays, it issues nothing."""

    def __init__(self, service_name: str) -> None:
        super().__init__(f"{service_name}: lĩnh vực đã ngừng cấp số")


class DailyLimitReached(Conflict):
    def __init__(self, service_name: str, cap: int) -> None:
        super().__init__(f"{service_name}: đã hết số hôm nay (tối đa {cap} số)")
        self.cap = cap


class NothingWaiting(Conflict):
    def __init__(self, counter: int) -> None:
        super().__init__(f"Quầy số {counter}: không còn công dân chờ")
        self.counter = counter


class InvalidTransition(Conflict):
    pass


class CounterPaused(Conflict):
    def __init__(self, counter: int) -> None:
        super().__init__(f"Quầy số {counter} đang tạm ngưng")
        self.counter = counter


class CounterBusy(Conflict):
    def __init__(self, counter: int, clerk: str) -> None:
        super().__init__(f"Quầy số {counter} đang do cán bộ {clerk} phụ trách")
        self.counter = counter
        self.clerk = clerk


class ClerkElsewhere(Conflict):
    """One counter per clerk: the clerk already holds another counter."""

    def __init__(self, counter: int) -> None:
        super().__init__(
            f"Bạn đang phụ trách quầy số {counter}. Hãy đóng quầy đó trước khi nhận quầy khác"
        )
        self.counter = counter


class AlreadyRated(Conflict):
    def __init__(self, ticket_id: int) -> None:
        super().__init__(f"Vé mã {ticket_id} đã được đánh giá")
        self.ticket_id = ticket_id


class SiteChangeRefused(Conflict):
    """A new site that cannot replace the current one today; `reasons` are bilingual
    lines ("… / …"), one per ticket or number in the way."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("Không áp dụng được thay đổi cấu hình:\n" + "\n".join(reasons))
        self.reasons = reasons


class InvalidRequest(QueueError):
    pass


class InvalidSiteConfig(InvalidRequest):
    """A site file that does not validate; `problems` name each key path."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("Tệp cấu hình không hợp lệ:\n" + "\n".join(problems))
        self.problems = problems
