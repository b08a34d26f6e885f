"""The site file (TOML): the centre, its services (lĩnh vực) and counters (quầy).

Validated with pydantic; every problem is reported with its key path, e.g.
`services[2].prefix: ...`. Parsing takes text, reading the file is the caller's.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from queue_core.errors import InvalidSiteConfig
from queue_core.hours import IssuingHours, Window, parse_window
from queue_core.model import CallMode, Counter, Service
from queue_core.public_holidays import Calendar

DEFAULT_CALL_PHRASE = "Mời công dân có số thứ tự {number} đến quầy số {counter}"
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


WindowText = Annotated[str, Field(examples=["07:30-11:30"])]


class HoursConfig(_Strict):
    """Issuing windows; a day left out follows `default`, `[]` closes it.

    `closed_dates` close a day whatever it is; `working_dates` (ngày làm bù) open a
    weekend day or a public holiday with the `default` windows.
    """

    default: list[WindowText] = Field(default_factory=lambda: ["00:00-24:00"])
    mon: list[WindowText] | None = None
    tue: list[WindowText] | None = None
    wed: list[WindowText] | None = None
    thu: list[WindowText] | None = None
    fri: list[WindowText] | None = None
    sat: list[WindowText] | None = None
    sun: list[WindowText] | None = None
    closed_dates: list[date] = Field(default_factory=list)
    working_dates: list[date] = Field(default_factory=list)

    @field_validator("default", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
    @classmethod
    def _windows_parse(cls, value: list[str] | None) -> list[str] | None:
        for text in value or []:
            parse_window(text)
        return value

    @model_validator(mode="after")
    def _dates_agree(self) -> Self:
        both = sorted(set(self.closed_dates) & set(self.working_dates))
        if both:
            raise ValueError(f"{both[0]} is both in closed_dates and in working_dates")
        return self

    def to_domain(self, holidays: Calendar | None = None) -> IssuingHours:
        weekly = tuple(
            _windows(day if (day := getattr(self, name)) is not None else self.default)
            for name in _WEEKDAYS
        )
        return IssuingHours(
            weekly,
            frozenset(self.closed_dates),
            holidays,
            frozenset(self.working_dates),
            _windows(self.default),
        )


def _windows(texts: list[str]) -> tuple[Window, ...]:
    return tuple(sorted(parse_window(t) for t in texts))


class SiteSection(_Strict):
    name: str = Field(min_length=1, examples=["Trung tâm Phục vụ hành chính công xã Tân Phú"])
    agency: str | None = Field(
        default=None, description="The line above the centre's name on tickets (e.g. UBND xã)."
    )
    timezone: str = "Asia/Ho_Chi_Minh"
    rating_scale: Literal[3, 4, 5] = 3
    rating_reasons: list[str] = Field(default_factory=list)
    priority_ratio: int = Field(
        default=3, ge=1, description="Priority calls in a row before a normal ticket's turn."
    )
    waiting_target_minutes: int = Field(default=20, ge=1)
    call_phrase: str = DEFAULT_CALL_PHRASE
    holidays: Calendar | None = Field(
        default=None,
        description='A public-holiday calendar that closes issuing, e.g. "VN".',
    )
    hours: HoursConfig | None = None

    @field_validator("timezone")
    @classmethod
    def _timezone_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        # A directory such as "Asia" raises IsADirectoryError, an OSError.
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"unknown timezone '{value}'") from None
        return value

    @field_validator("call_phrase")
    @classmethod
    def _phrase_has_slots(cls, value: str) -> str:
        if "{number}" not in value or "{counter}" not in value:
            raise ValueError("the phrase needs both {number} and {counter}")
        return value


class DisplayConfig(_Strict):
    """What the wall boards show and say; every board gets it in its snapshot."""

    ticker: str = Field(
        default="", examples=["Công dân vui lòng giữ phiếu số và chờ đến lượt được gọi."]
    )
    spotlight_seconds: int = Field(default=20, ge=3, le=120)
    history: int = Field(default=8, ge=1, le=30, description="Recent calls listed.")
    reading: Literal["words", "digits"] = "words"
    repeat: int = Field(default=2, ge=1, le=3, description="Times each call is said.")


class ServiceConfig(_Strict):
    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,16}$", examples=["TP"])
    name: str = Field(min_length=1, examples=["Tư pháp – Hộ tịch"])
    prefix: str = Field(pattern=r"^[A-Z0-9]{0,3}$", examples=["1", "A"])
    digits: int = Field(default=3, ge=1, le=6)
    daily_cap: int | None = Field(default=None, ge=1)
    average_service_minutes: float = Field(default=10, gt=0, le=480)
    waiting_target_minutes: int | None = Field(default=None, ge=1)
    hours: HoursConfig | None = None
    retired: bool = Field(
        default=False, description="Kept for its history; issues no more tickets."
    )


class CounterConfig(_Strict):
    number: int = Field(ge=1, le=999)
    name: str | None = None
    services: list[str] = Field(min_length=1)
    call_mode: CallMode = CallMode.LONGEST_WAITING
    retired: bool = Field(default=False, description="Kept for its history; calls no more.")


class BoardConfig(_Strict):
    """One wall board by name (`motcua display --board NAME`, `/display?board=NAME`): the
    calls it shows and says. Counters and services both given: a call must match both;
    neither: everything, as a board with no entry."""

    name: str = Field(min_length=1, max_length=60, pattern=r"^\S(.*\S)?$", examples=["Sảnh A"])
    counters: list[int] = Field(default_factory=list, examples=[[1, 2]])
    services: list[str] = Field(default_factory=list, examples=[["TP", "DD"]])


class SiteConfig(_Strict):
    site: SiteSection
    display: DisplayConfig = Field(default_factory=DisplayConfig)
    services: list[ServiceConfig] = Field(min_length=1)
    counters: list[CounterConfig] = Field(min_length=1)
    boards: list[BoardConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references_hold(self) -> Self:
        codes = [s.code for s in self.services]
        _unique(codes, "services", "code")
        # A retired service's prefix is free for another: it issues nothing more.
        _prefixes_distinct([None if s.retired else s.prefix for s in self.services])
        _unique([c.number for c in self.counters], "counters", "number")
        retired = {s.code for s in self.services if s.retired}
        for i, counter in enumerate(self.counters):
            for code in counter.services:
                if code not in codes:
                    raise ValueError(f"counters[{i}].services: unknown service '{code}'")
                if code in retired and not counter.retired:
                    raise ValueError(
                        f"counters[{i}].services: service '{code}' is retired"
                        " (take it off the counter, or retire the counter too)"
                    )
        _boards_refer(self.boards, set(codes), {c.number for c in self.counters})
        return self

    def services_domain(self) -> dict[str, Service]:
        """The services as domain values, keyed by code, in file order."""
        return {
            s.code: Service(
                code=s.code,
                name=s.name,
                prefix=s.prefix,
                digits=s.digits,
                daily_cap=s.daily_cap,
                hours=_hours(s.hours or self.site.hours, self.site.hours, self.site.holidays),
                average_service_s=round(s.average_service_minutes * 60),
                waiting_target_s=(s.waiting_target_minutes or self.site.waiting_target_minutes)
                * 60,
                retired=s.retired,
            )
            for s in self.services
        }

    def counters_domain(self) -> list[Counter]:
        return [
            Counter(
                number=c.number,
                name=c.name or f"Quầy {c.number}",
                services=tuple(c.services),
                call_mode=c.call_mode,
                retired=c.retired,
            )
            for c in self.counters
        ]


def _hours(
    config: HoursConfig | None, site: HoursConfig | None, holidays: Calendar | None
) -> IssuingHours:
    """A service's hours; the site's days off and public holidays close every service,
    whatever its windows, and the site's working days open every service that keeps
    hours (with its own `default` windows)."""
    if config is None:
        return IssuingHours(holidays=holidays)
    hours = config.to_domain(holidays)
    if site is None:
        return hours
    return dataclasses.replace(
        hours,
        closed_dates=hours.closed_dates | frozenset(site.closed_dates),
        working_dates=(hours.working_dates | frozenset(site.working_dates))
        - frozenset(site.closed_dates),
    )


def _boards_refer(boards: Sequence[BoardConfig], codes: set[str], numbers: set[int]) -> None:
    """Each board's counters and services exist (retired ones may stay listed: they just
    show nothing, and retiring one needs no second edit here)."""
    _unique([b.name for b in boards], "boards", "name")
    for i, board in enumerate(boards):
        for key, values, known in (
            ("counters", board.counters, numbers),
            ("services", board.services, codes),
        ):
            for value in values:
                if value not in known:
                    what = "counter" if key == "counters" else "service"
                    raise ValueError(f"boards[{i}].{key}: unknown {what} '{value}'")
            if len(set(values)) < len(values):
                raise ValueError(f"boards[{i}].{key}: a value appears twice")


def _prefixes_distinct(prefixes: Sequence[str | None]) -> None:
    """Refuse prefixes that could print one number twice a day.

    Equal prefixes obviously would; so would "1" beside "11", once "1"'s sequence
    grows past its width ("1" + "1005" reads as "11" + "005").
    """
    for i, prefix in enumerate(prefixes):
        for j, other in enumerate(prefixes[:i]):
            if prefix is None or other is None:
                continue  # a retired service's
            if prefix.startswith(other) or other.startswith(prefix):
                raise ValueError(
                    f"services[{i}].prefix: '{prefix}' clashes with services[{j}].prefix "
                    f"'{other}' (one begins the other, so numbers could repeat)"
                )


def _unique(values: Sequence[object], table: str, key: str) -> None:
    seen: set[object] = set()
    for i, value in enumerate(values):
        if value in seen:
            raise ValueError(f"{table}[{i}].{key}: '{value}' appears twice")
        seen.add(value)


def parse_site(text: str) -> SiteConfig:
    """Parse and validate a site file's TOML text.

    Raises:
        InvalidSiteConfig: with one line per problem, naming its key path.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidSiteConfig([f"TOML: {exc}"]) from exc
    return site_from_data(data)


def site_from_data(data: object) -> SiteConfig:
    """Validate already-parsed site data (a dict as from TOML or JSON)."""
    try:
        return SiteConfig.model_validate(data)
    except ValidationError as exc:
        raise InvalidSiteConfig([_describe(error) for error in exc.errors()]) from exc


def _describe(error: ErrorDetails) -> str:
    path = ""
    for part in error["loc"]:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    message = error["msg"].removeprefix("Value error, ")
    if not path and error["type"] == "value_error":
        return message  # a cross-reference check, whose message names its own key path
    return f"{path or '(top)'}: {message}"
