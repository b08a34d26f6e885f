"""Planning a site change: what a new site file changes, or why it cannot be applied today.

Pure: the caller passes the site as it stands, the new one and today's tickets, and
applies the plan in one transaction when it is not refused. Two things are refused,
because the day's tickets depend on them: a change that leaves a waiting ticket with no
counter to call it, and one that would print again a number already printed today.
Services and counters are never dropped from the file, only retired: their history
(reports, ratings, today's tickets) refers to them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

from queue_core.errors import SiteChangeRefused
from queue_core.model import Ticket, TicketStatus
from queue_core.numbering import format_number
from queue_core.site import (
    BoardConfig,
    CounterConfig,
    DisplayConfig,
    ServiceConfig,
    SiteConfig,
    SiteSection,
)


class ChangeKind(StrEnum):
    ADDED = "added"
    RENAMED = "renamed"
    REPREFIXED = "reprefixed"  # a new prefix or width: the numbers printed from now on
    REHOSTED = "rehosted"  # which services a counter serves, or in which order
    RETIRED = "retired"
    BROUGHT_BACK = "brought_back"
    REMOVED = "removed"  # a wall board's entry: it has no history, so it may go
    REORDERED = "reordered"  # the services' order on the kiosk
    CHANGED = "changed"  # any other setting


@dataclass(frozen=True, slots=True)
class SiteChange:
    """One change, with its values as JSON data (what an audit log would keep).

    `subject` is `site`, `display`, `services`, `service CODE` or `counter N`; `setting`
    the key that changed, None for a whole service, counter or board added (or a board
    removed). A board's subject is `board NAME`.
    """

    kind: ChangeKind
    subject: str
    setting: str | None
    before: object
    after: object
    vi: str
    en: str

    @property
    def line(self) -> str:
        """The one-line bilingual description a person reads."""
        return f"{self.vi} / {self.en}"


# Each setting's name for people, Vietnamese then English. A setting missing here is shown
# by its key (tests/core/test_site_change.py keeps the tables complete).
_SITE: Mapping[str, tuple[str, str]] = {
    "name": ("tên trung tâm", "centre name"),
    "agency": ("cơ quan chủ quản", "agency"),
    "timezone": ("múi giờ", "timezone"),
    "rating_scale": (
        "thang đánh giá (áp dụng cho lượt đánh giá mới)",
        "rating scale (applies to new ratings)",
    ),
    "rating_reasons": ("lý do chưa hài lòng", "rating reasons"),
    "priority_ratio": ("số lượt ưu tiên liên tiếp", "priority ratio"),
    "waiting_target_minutes": ("thời gian chờ mục tiêu (phút)", "waiting target (minutes)"),
    "call_phrase": ("câu gọi số", "call phrase"),
    "holidays": ("lịch nghỉ lễ", "public holidays"),
    "hours": ("giờ cấp số", "issuing hours"),
}
_DISPLAY: Mapping[str, tuple[str, str]] = {
    "ticker": ("dòng chữ chạy", "ticker"),
    "spotlight_seconds": ("thời gian nổi bật số vừa gọi (giây)", "spotlight (seconds)"),
    "history": ("số lượt gọi gần nhất", "recent calls listed"),
    "reading": ("cách đọc số", "number reading"),
    "repeat": ("số lần đọc", "times each call is said"),
}
_SERVICE: Mapping[str, tuple[str, str]] = {
    "code": ("mã", "code"),
    "name": ("tên", "name"),
    "prefix": ("tiền tố", "prefix"),
    "digits": ("số chữ số", "digits"),
    "daily_cap": ("số tối đa mỗi ngày", "daily cap"),
    "average_service_minutes": ("thời gian phục vụ trung bình (phút)", "average service (min)"),
    "waiting_target_minutes": ("thời gian chờ mục tiêu (phút)", "waiting target (minutes)"),
    "hours": ("giờ cấp số", "issuing hours"),
    "retired": ("ngừng cấp số", "retired"),
}
_COUNTER: Mapping[str, tuple[str, str]] = {
    "number": ("số quầy", "number"),
    "name": ("tên", "name"),
    "services": ("lĩnh vực phục vụ", "services"),
    "call_mode": ("cách gọi số", "call mode"),
    "retired": ("ngừng hoạt động", "retired"),
}
_BOARD: Mapping[str, tuple[str, str]] = {
    "name": ("tên", "name"),
    "counters": ("quầy", "counters"),
    "services": ("lĩnh vực", "services"),
}
LABELS: Mapping[type[BaseModel], Mapping[str, tuple[str, str]]] = {
    SiteSection: _SITE,
    DisplayConfig: _DISPLAY,
    ServiceConfig: _SERVICE,
    CounterConfig: _COUNTER,
    BoardConfig: _BOARD,
}


def plan_site_change(
    current: SiteConfig,
    new: SiteConfig,
    open_tickets: Sequence[Ticket],
    issued_today: Sequence[Ticket],
) -> list[SiteChange]:
    """The changes that turn `current` into `new`, in file order; [] when they are equal.

    Args:
        current: the site as it stands.
        new: the site wanted (already validated).
        open_tickets: tickets waiting or at a counter now.
        issued_today: every ticket issued today (site timezone), whatever its status.

    Raises:
        SiteChangeRefused: with one bilingual reason per obstacle; nothing may change.
    """
    reasons = [
        *_dropped(current, new),
        *_day_moved(current, new, issued_today),
        *_orphans(new, open_tickets),
        *_repeated_numbers(current, new, issued_today),
    ]
    if reasons:
        raise SiteChangeRefused(reasons)
    return [
        *_settings("site", "Trung tâm", "Site", current.site, new.site),
        *_settings("display", "Màn hình", "Boards", current.display, new.display),
        *_services(current, new),
        *_counters(current, new),
        *_boards(current, new),
    ]


# --- what is refused -------------------------------------------------------------------


def _dropped(current: SiteConfig, new: SiteConfig) -> list[str]:
    codes = {s.code for s in new.services}
    numbers = {c.number for c in new.counters}
    return [
        f"lĩnh vực {s.code} ('{s.name}') không còn trong tệp: hãy giữ nó với retired = true,"
        f" lịch sử của nó còn đó / service {s.code} ('{s.name}') is missing from the file:"
        " keep it with retired = true, its history stays"
        for s in current.services
        if s.code not in codes
    ] + [
        f"quầy {c.number} không còn trong tệp: hãy giữ nó với retired = true / counter"
        f" {c.number} is missing from the file: keep it with retired = true"
        for c in current.counters
        if c.number not in numbers
    ]


def _day_moved(current: SiteConfig, new: SiteConfig, issued_today: Sequence[Ticket]) -> list[str]:
    """Another timezone moves midnight, and with it the day the sequences restart on."""
    if current.site.timezone == new.site.timezone or not issued_today:
        return []
    return [
        f"đã cấp {len(issued_today)} số hôm nay: chỉ đổi múi giờ trước khi cấp số đầu tiên"
        f" trong ngày / {len(issued_today)} numbers were issued today: change the timezone"
        " before the day's first number"
    ]


def _orphans(new: SiteConfig, open_tickets: Sequence[Ticket]) -> list[str]:
    """Open tickets that no counter of `new` could call or finish."""
    active_counters = {c.number for c in new.counters if not c.retired}
    retired_services = {s.code for s in new.services if s.retired}
    served = {code for c in new.counters if not c.retired for code in c.services}
    stuck: dict[tuple[str, str], list[str]] = {}
    for ticket in open_tickets:
        if ticket.status is TicketStatus.CALLED:
            if ticket.counter is not None and ticket.counter not in active_counters:
                vi = f"quầy {ticket.counter} đang phục vụ số"
                en = f"counter {ticket.counter} is serving number"
                stuck.setdefault((vi, en), []).append(ticket.number)
            continue
        if ticket.status is not TicketStatus.WAITING:
            continue  # done, gone: nothing left to call
        if ticket.target_counter is not None:
            if ticket.target_counter not in active_counters:
                vi = f"quầy {ticket.target_counter} sẽ không gọi được số đang chờ riêng nó:"
                en = f"counter {ticket.target_counter} would not call the numbers sent to it:"
                stuck.setdefault((vi, en), []).append(ticket.number)
        elif ticket.service in retired_services:
            vi = f"lĩnh vực {ticket.service} ngừng cấp số khi vẫn còn số đang chờ:"
            en = f"service {ticket.service} would retire with numbers still waiting:"
            stuck.setdefault((vi, en), []).append(ticket.number)
        elif ticket.service not in served:
            vi = f"không quầy nào sẽ gọi số đang chờ của lĩnh vực {ticket.service}:"
            en = f"no counter would call the waiting numbers of service {ticket.service}:"
            stuck.setdefault((vi, en), []).append(ticket.number)
    return [
        f"{vi} {', '.join(numbers)} / {en} {', '.join(numbers)}"
        for (vi, en), numbers in stuck.items()
    ]


def _repeated_numbers(
    current: SiteConfig, new: SiteConfig, issued_today: Sequence[Ticket]
) -> list[str]:
    """Services whose numbering now starts afresh (new, brought back, another prefix or
    width) and whose next numbers include one printed today."""
    before = {s.code: s for s in current.services}
    last: dict[str, int] = {}
    for ticket in issued_today:
        last[ticket.service] = max(last.get(ticket.service, 0), ticket.sequence)
    reasons = []
    for service in new.services:
        old = before.get(service.code)
        if service.retired or (
            old is not None
            and not old.retired
            and (old.prefix, old.digits) == (service.prefix, service.digits)
        ):
            continue
        repeated = [
            t.number
            for t in issued_today
            if _would_issue(service.prefix, service.digits, last.get(service.code, 0), t.number)
        ]
        if repeated:
            shown = ", ".join(sorted(set(repeated))[:5])
            reasons.append(
                f"lĩnh vực {service.code} với tiền tố '{service.prefix}' sẽ cấp lại số đã cấp"
                f" hôm nay ({shown}): hãy chọn tiền tố khác hoặc đổi từ ngày mai / service"
                f" {service.code} with prefix '{service.prefix}' would issue again numbers"
                f" issued today ({shown}): choose another prefix, or change it tomorrow"
            )
    return reasons


def _would_issue(prefix: str, digits: int, last_sequence: int, number: str) -> bool:
    """Whether a service numbering with `prefix`/`digits`, its day's sequence at
    `last_sequence`, would one day print `number` again."""
    if not number.startswith(prefix):
        return False
    rest = number[len(prefix) :]
    if not (rest.isascii() and rest.isdigit()):
        return False
    sequence = int(rest)
    return sequence > last_sequence and format_number(prefix, sequence, digits) == number


# --- what changes ----------------------------------------------------------------------


def _show(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return f"'{value}'"
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _settings(
    subject: str, vi_name: str, en_name: str, before: BaseModel, after: BaseModel
) -> list[SiteChange]:
    """A CHANGED per setting of a section that differs, with both values."""
    labels = LABELS.get(type(before), {})
    old, new = before.model_dump(mode="json"), after.model_dump(mode="json")
    changes = []
    for key in type(before).model_fields:
        if old[key] == new[key]:
            continue
        vi, en = labels.get(key, (key, key))
        arrow = f"{_show(old[key])} → {_show(new[key])}"
        changes.append(
            SiteChange(
                ChangeKind.CHANGED,
                subject,
                key,
                old[key],
                new[key],
                f"{vi_name}: {vi} {arrow}",
                f"{en_name}: {en} {arrow}",
            )
        )
    return changes


def _services(current: SiteConfig, new: SiteConfig) -> list[SiteChange]:
    before = {s.code: s for s in current.services}
    changes: list[SiteChange] = []
    for service in new.services:
        old = before.get(service.code)
        vi_name, en_name = f"Lĩnh vực {service.code}", f"Service {service.code}"
        if old is None:
            changes.append(_added(f"service {service.code}", vi_name, en_name, service))
            continue
        changes += _lifecycle(f"service {service.code}", vi_name, en_name, old, service)
        if (old.prefix, old.digits) != (service.prefix, service.digits):
            was = format_number(old.prefix, 1, old.digits)
            now = format_number(service.prefix, 1, service.digits)
            changes.append(
                SiteChange(
                    ChangeKind.REPREFIXED,
                    f"service {service.code}",
                    "prefix",
                    {"prefix": old.prefix, "digits": old.digits},
                    {"prefix": service.prefix, "digits": service.digits},
                    f"{vi_name}: đổi cách đánh số {was}… → {now}… (số đã cấp giữ nguyên)",
                    f"{en_name}: numbered {was}… → {now}… (numbers issued keep theirs)",
                )
            )
        changes += _others(f"service {service.code}", vi_name, en_name, old, service)
    kept = [s.code for s in new.services if s.code in before]
    if kept != [s.code for s in current.services if s.code in kept]:
        old_order = [s.code for s in current.services if s.code in kept]
        changes.append(
            SiteChange(
                ChangeKind.REORDERED,
                "services",
                None,
                old_order,
                kept,
                f"Thứ tự lĩnh vực trên máy lấy số: {' '.join(old_order)} → {' '.join(kept)}",
                f"Order of the services on the kiosk: {' '.join(old_order)} → {' '.join(kept)}",
            )
        )
    return changes


def _counters(current: SiteConfig, new: SiteConfig) -> list[SiteChange]:
    before = {c.number: c for c in current.counters}
    changes: list[SiteChange] = []
    for counter in new.counters:
        old = before.get(counter.number)
        vi_name, en_name = f"Quầy {counter.number}", f"Counter {counter.number}"
        subject = f"counter {counter.number}"
        if old is None:
            changes.append(_added(subject, vi_name, en_name, counter))
            continue
        changes += _lifecycle(subject, vi_name, en_name, old, counter)
        if old.services != counter.services:
            arrow = f"{' '.join(old.services)} → {' '.join(counter.services)}"
            changes.append(
                SiteChange(
                    ChangeKind.REHOSTED,
                    subject,
                    "services",
                    old.services,
                    counter.services,
                    f"{vi_name}: phục vụ {arrow}",
                    f"{en_name}: serves {arrow}",
                )
            )
        changes += _others(subject, vi_name, en_name, old, counter)
    return changes


def _added(
    subject: str, vi_name: str, en_name: str, config: ServiceConfig | CounterConfig
) -> SiteChange:
    if isinstance(config, ServiceConfig):
        first = format_number(config.prefix, 1, config.digits)
        vi = f"{vi_name}: thêm '{config.name}', số từ {first}"
        en = f"{en_name}: added '{config.name}', numbered from {first}"
    else:
        vi = f"{vi_name}: thêm, phục vụ {' '.join(config.services)}"
        en = f"{en_name}: added, serving {' '.join(config.services)}"
    if config.retired:
        vi, en = vi + " (đã ngừng)", en + " (retired)"
    return SiteChange(ChangeKind.ADDED, subject, None, None, config.model_dump(mode="json"), vi, en)


def _lifecycle(
    subject: str,
    vi_name: str,
    en_name: str,
    old: ServiceConfig | CounterConfig,
    new: ServiceConfig | CounterConfig,
) -> list[SiteChange]:
    """Retired, brought back, renamed: the changes a person looks for first."""
    changes = []
    if old.retired != new.retired:
        kind = ChangeKind.RETIRED if new.retired else ChangeKind.BROUGHT_BACK
        vi = "ngừng (lịch sử giữ nguyên)" if new.retired else "hoạt động trở lại"
        en = "retired (its history stays)" if new.retired else "brought back"
        changes.append(
            SiteChange(
                kind,
                subject,
                "retired",
                old.retired,
                new.retired,
                f"{vi_name}: {vi}",
                f"{en_name}: {en}",
            )
        )
    if old.name != new.name:
        arrow = f"{_show(old.name)} → {_show(new.name)}"
        changes.append(
            SiteChange(
                ChangeKind.RENAMED,
                subject,
                "name",
                old.name,
                new.name,
                f"{vi_name}: đổi tên {arrow}",
                f"{en_name}: renamed {arrow}",
            )
        )
    return changes


_HANDLED = frozenset({"code", "number", "name", "retired", "prefix", "digits", "services"})


def _others(
    subject: str, vi_name: str, en_name: str, old: BaseModel, new: BaseModel
) -> list[SiteChange]:
    return [
        change
        for change in _settings(subject, vi_name, en_name, old, new)
        if change.setting not in _HANDLED
    ]


def _boards(current: SiteConfig, new: SiteConfig) -> list[SiteChange]:
    """A board is known by its name: another name is one board removed and one added."""
    before = {b.name: b for b in current.boards}
    after = {b.name: b for b in new.boards}
    changes = []
    for board in new.boards:
        old = before.get(board.name)
        if old == board:
            continue
        vi, en = _shows(board)
        was = None if old is None else old.model_dump(mode="json")
        changes.append(
            SiteChange(
                ChangeKind.ADDED if old is None else ChangeKind.CHANGED,
                f"board {board.name}",
                None if old is None else "shows",
                was,
                board.model_dump(mode="json"),
                f"Màn hình {board.name}: {'thêm, ' if old is None else ''}{vi}",
                f"Board {board.name}: {'added, ' if old is None else ''}{en}",
            )
        )
    for board in current.boards:
        if board.name not in after:
            changes.append(
                SiteChange(
                    ChangeKind.REMOVED,
                    f"board {board.name}",
                    None,
                    board.model_dump(mode="json"),
                    None,
                    f"Màn hình {board.name}: bỏ, nay hiện tất cả",
                    f"Board {board.name}: removed, now shows everything",
                )
            )
    return changes


def _shows(board: BoardConfig) -> tuple[str, str]:
    """ "hiện quầy 1, 2; lĩnh vực TP" / "shows counters 1, 2; services TP"."""
    vi, en = [], []
    if board.counters:
        numbers = ", ".join(str(n) for n in board.counters)
        vi.append(f"quầy {numbers}")
        en.append(f"counters {numbers}")
    if board.services:
        codes = ", ".join(board.services)
        vi.append(f"lĩnh vực {codes}")
        en.append(f"services {codes}")
    if not vi:
        return "hiện tất cả", "shows everything"
    return f"hiện {'; '.join(vi)}", f"shows {'; '.join(en)}"


def describe(changes: Iterable[SiteChange]) -> list[str]:
    """One line per change, or one saying there is none."""
    lines = [change.line for change in changes]
    return lines or ["Không có thay đổi / No change"]
