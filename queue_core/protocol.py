"""The wire protocol: every REST body and WebSocket event, defined once.

The server serializes these; `queue_client` parses them. Events form a
discriminated union on a dotted `type` and carry the monotonic `seq` of the
durable event log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from queue_core.alerts import AlertKind
from queue_core.model import CallMode, CounterState, TicketStatus

PROTOCOL_VERSION = 1

# SQLite integers are 64-bit: a larger id must be refused as invalid, never overflow.
MAX_ID = 2**62

# The answer to `POST /api/tickets` carries the new ticket's follow code in this header: the
# phone page `/t/{code}` (status and rating) is the one its QR code opens.
FOLLOW_CODE_HEADER = "Follow-Code"


def _encodable(value: str) -> str:
    # JSON may carry a lone surrogate ("\ud800"), which no UTF-8 store or reply can hold.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    return value


Text = Annotated[str, AfterValidator(_encodable)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Request(_Wire):
    """A body a client sends: strict, so `"priority": "yes"` or `"score": "3"` is a 422
    saying what was expected rather than a guess."""

    model_config = ConfigDict(extra="forbid", strict=True)


# --- REST bodies -------------------------------------------------------------------------


class TicketOut(_Wire):
    """A ticket as clients see it (no personal data: a ticket names nobody)."""

    id: int = Field(examples=[42])
    number: str = Field(examples=["1005"])
    service: str = Field(examples=["TP"])
    service_name: str = Field(examples=["Tư pháp – Hộ tịch"])
    priority: bool = False
    status: TicketStatus = Field(examples=["waiting"])
    issued_at: datetime
    called_at: datetime | None = None
    finished_at: datetime | None = None
    counter: int | None = Field(default=None, examples=[3])
    target_counter: int | None = None
    recalls: int = 0
    walk_in: bool = False
    waiting_ahead: int = Field(description="Tickets that will be called before this one.")
    estimated_wait_minutes: int
    # Never in a JSON body: clients before it refuse unknown keys, and events reach every
    # screen. The issuer alone receives it, in the `Follow-Code` header (FOLLOW_CODE_HEADER).
    follow_code: str | None = Field(
        default=None,
        exclude=True,
        description="The ticket's unguessable follow code (its QR code opens /t/{code}).",
    )


class IssueRequest(_Request):
    service: Text = Field(examples=["TP"])
    priority: bool = False


class WalkInRequest(_Request):
    service: Text = Field(examples=["TP"])
    priority: bool = False


class TransferRequest(_Request):
    service: Text | None = Field(default=None, examples=["DD"])
    counter: int | None = Field(default=None, ge=1, le=999, examples=[5])

    @model_validator(mode="after")
    def _exactly_one_target(self) -> TransferRequest:
        if (self.service is None) == (self.counter is None):
            raise ValueError("give either 'service' or 'counter'")
        return self


class RequeueRequest(_Request):
    counter: int | None = Field(
        default=None,
        ge=1,
        le=999,
        description="The counter putting the ticket back; a clerk's own counter by default.",
        examples=[3],
    )


class HelpRequest(_Request):
    service: Text = Field(examples=["DD"], description="The service to help for the day.")


class PauseRequest(_Request):
    reason: Text = Field(min_length=1, max_length=200, examples=["Họp giao ban"])


class OpenCounterRequest(_Request):
    force: bool = Field(default=False, description="Take over from another clerk (supervisor).")


class RatingRequest(_Request):
    ticket_id: int = Field(ge=1, le=MAX_ID, examples=[42])
    score: int = Field(ge=1, le=5, examples=[3])
    reasons: list[Annotated[Text, Field(max_length=200)]] = Field(
        default_factory=list, max_length=10
    )
    comment: Text | None = Field(default=None, max_length=1000)
    # The ticket's follow code (its QR code): the citizen's own credential, so a device that
    # sends it may rate all of the ticket's day; without it, a device only rates within
    # DEVICE_RATING_WINDOW of completion (queue_core.rating).
    follow_code: str | None = Field(
        default=None, min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$"
    )


class RatingOut(_Wire):
    ticket_id: int
    score: int
    label: str = Field(examples=["Rất hài lòng"])
    reasons: list[str]
    comment: str | None
    rated_at: datetime
    counter: int | None
    service: str


class HolidayOut(_Wire):
    """The public holiday that closes issuing today, named in both languages."""

    vi: str = Field(examples=["Tết Nguyên Đán"])
    en: str = Field(examples=["Lunar New Year"])


class ServiceOut(_Wire):
    code: str = Field(examples=["TP"])
    name: str = Field(examples=["Tư pháp – Hộ tịch"])
    prefix: str = Field(examples=["1"])
    waiting: int
    open: bool = Field(description="Issuing numbers now (within hours, under the daily cap).")
    estimated_wait_minutes: int
    closed_reason: str | None = Field(
        default=None, examples=["Hết giờ lấy số — mở lại lúc 13:30 24/11/2026"]
    )
    opens_at: datetime | None = None
    holiday: HolidayOut | None = Field(
        default=None, description="Set when a public holiday (`[site] holidays`) closes today."
    )
    issued_today: int
    daily_cap: int | None = None
    waiting_target_minutes: int
    closed_early: bool = Field(
        default=False, description="A supervisor closed its issuing early today."
    )


class CounterOut(_Wire):
    number: int = Field(examples=[3])
    name: str = Field(examples=["Quầy 3"])
    services: list[str] = Field(examples=[["TP", "DD"]])
    call_mode: CallMode
    state: CounterState
    clerk: str | None = Field(default=None, description="Display name of the clerk signed in.")
    pause_reason: str | None = None
    current_ticket: TicketOut | None = None
    helps: str | None = Field(
        default=None, description="A service a supervisor sent it to help today (its code)."
    )


class RatingLevelOut(_Wire):
    score: int
    label: str = Field(examples=["Hài lòng"])
    label_en: str = Field(examples=["Satisfied"])


class RatingScaleOut(_Wire):
    size: int = Field(examples=[3])
    question: str
    levels: list[RatingLevelOut]
    reasons: list[str]


class SiteOut(_Wire):
    name: str
    agency: str | None
    timezone: str
    rating_scale: int
    waiting_target_minutes: int
    call_phrase: str
    services: list[ServiceOut]
    counters: list[CounterOut]


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime | None = None
    role: str


class Me(_Wire):
    subject: str
    kind: Literal["user", "device"]
    role: str
    display_name: str


PrinterState = Literal["ok", "paper-near-end", "paper-out", "cover-open", "offline", "unknown"]


class HeartbeatRequest(_Request):
    printer: PrinterState | None = None
    detail: Text | None = Field(default=None, max_length=500)
    version: Text | None = Field(default=None, max_length=50)


class DeviceOut(_Wire):
    id: int
    name: str
    kind: str
    created_at: datetime
    revoked_at: datetime | None
    last_seen_at: datetime | None
    printer: PrinterState | None
    # The counter a keypad or rating tablet is bound to; None: not bound (it acts at every
    # counter if it is one registered before binding existed).
    counter: int | None = None


class AlertOut(_Wire):
    """An active alert (see `queue_core.alerts`): `id` is new at each raise."""

    id: int = Field(examples=[7])
    kind: AlertKind = Field(examples=["printer-paper-out"])
    subject: str = Field(
        description="A service code (wait-over-target) or a device's name.", examples=["Kiosk 1"]
    )
    message: str = Field(examples=["Máy in của Kiosk 1: hết giấy, không in được số"])
    since: datetime


class ErrorOut(BaseModel):
    detail: str | list[dict[str, object]] = Field(examples=["Quầy số 3 đang tạm ngưng"])


class CallOut(_Wire):
    """One recent call, as the wall boards list them."""

    seq: int
    at: datetime
    number: str = Field(examples=["1005"])
    counter: int = Field(examples=[3])
    service: str = Field(examples=["TP"])
    recall: bool = False


class BoardOut(_Wire):
    """A named wall board's choice (the site file's `[[boards]]`): empty lists mean all."""

    name: str = Field(examples=["Sảnh A"])
    counters: list[int] = Field(default_factory=list, examples=[[1, 2]])
    services: list[str] = Field(default_factory=list, examples=[["TP"]])


class DisplaySettings(_Wire):
    site_name: str
    agency: str | None
    call_phrase: str
    ticker: str
    spotlight_seconds: int
    history: int
    reading: Literal["words", "digits"]
    repeat: int
    # Every board's choice travels to every board, and each picks its own by name: the
    # stream stays one serialization per event for the whole hall (see queue_server.hub).
    boards: list[BoardOut] = Field(default_factory=list)


# --- Events ------------------------------------------------------------------------------


class _Event(_Wire):
    seq: int
    at: datetime
    v: int = PROTOCOL_VERSION


class _TicketEvent(_Event):
    ticket: TicketOut
    counter: int | None = None


_TICKET_KEY = '"ticket":'
_TICKET_END = '},"counter":'


def ticket_json(event_json: str) -> str:
    """The ticket inside a ticket event's JSON, character for character as
    `TicketOut.model_dump_json()` writes it: a command answers with the ticket its event
    carries, so the answer is cut from the event's JSON instead of serialized again.

    The cut is safe because of where the keys stand: `ticket` follows the `_Event` fields
    (numbers and a time), and the event's own `counter` is the field after the ticket,
    the last `},"counter":` of the text (a JSON string cannot hold an unescaped quote).
    A test holds this equal to the serialization for every ticket event."""
    start = event_json.index(_TICKET_KEY) + len(_TICKET_KEY)
    return event_json[start : event_json.rindex(_TICKET_END) + 1]


class TicketIssued(_TicketEvent):
    type: Literal["ticket.issued"] = "ticket.issued"


class TicketCalled(_TicketEvent):
    type: Literal["ticket.called"] = "ticket.called"


class TicketRecalled(_TicketEvent):
    type: Literal["ticket.recalled"] = "ticket.recalled"


class TicketCompleted(_TicketEvent):
    type: Literal["ticket.completed"] = "ticket.completed"


class TicketNoShow(_TicketEvent):
    type: Literal["ticket.no_show"] = "ticket.no_show"


class TicketTransferred(_TicketEvent):
    type: Literal["ticket.transferred"] = "ticket.transferred"
    from_service: str
    from_counter: int | None = None


class TicketRequeued(_TicketEvent):
    type: Literal["ticket.requeued"] = "ticket.requeued"
    from_counter: int | None = None


class TicketCancelled(_TicketEvent):
    type: Literal["ticket.cancelled"] = "ticket.cancelled"


class TicketExpired(_TicketEvent):
    type: Literal["ticket.expired"] = "ticket.expired"


class TicketRated(_TicketEvent):
    type: Literal["ticket.rated"] = "ticket.rated"
    score: int


class CounterUpdated(_Event):
    type: Literal["counter.updated"] = "counter.updated"
    counter: CounterOut


class ServiceUpdated(_Event):
    """A supervisor closed a service's issuing early today, or reopened it: kiosks
    redraw their buttons from `service`."""

    type: Literal["service.updated"] = "service.updated"
    service: ServiceOut


class AlertRaised(_Event):
    type: Literal["alert.raised"] = "alert.raised"
    alert: AlertOut


class AlertCleared(_Event):
    type: Literal["alert.cleared"] = "alert.cleared"
    alert: AlertOut


class Snapshot(_Wire):
    """The whole live state, sent first on every event stream.

    `seq` is that of the last event it already includes: later events follow it.
    """

    type: Literal["snapshot"] = "snapshot"
    seq: int
    at: datetime
    v: int = PROTOCOL_VERSION
    display: DisplaySettings
    counters: list[CounterOut]
    services: list[ServiceOut]
    latest_calls: list[CallOut] = Field(description="Most recent first.")


class SiteUpdated(_Event):
    """The site changed while the server ran (`motcua site apply`): services, counters,
    hours, phrases, boards. `snapshot` is the whole live state with the change, as a
    stream's first message is (its `seq` is this event's): a client redraws from it as
    it does on connecting, with no restart."""

    type: Literal["site.updated"] = "site.updated"
    snapshot: Snapshot


StreamEvent = (
    TicketIssued
    | TicketCalled
    | TicketRecalled
    | TicketCompleted
    | TicketNoShow
    | TicketTransferred
    | TicketRequeued
    | TicketCancelled
    | TicketExpired
    | TicketRated
    | CounterUpdated
    | ServiceUpdated
    | AlertRaised
    | AlertCleared
)
"""The events a client's handler receives: a `site.updated` reaches it as a new snapshot
(see `queue_client.stream`)."""

Event = Annotated[StreamEvent | SiteUpdated, Field(discriminator="type")]

EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)

EVENT_TYPES: tuple[str, ...] = tuple(
    model.model_fields["type"].default for model in (*get_args(StreamEvent), SiteUpdated)
)


def parse_event(data: str | bytes) -> Event:
    """Parse one event from its JSON text."""
    return EVENT_ADAPTER.validate_json(data)


class CounterStatsOut(_Wire):
    """Today's figures at one counter, for the clerk's desk.

    A clerk's token counts that clerk's own work there; a supervisor's or a
    counter device's counts everyone's at that counter.
    """

    counter: int = Field(examples=[3])
    clerk: str | None = Field(default=None, description="Whose work is counted (username).")
    day: str = Field(description="The site's local day, ISO 8601.", examples=["2026-11-23"])
    served: int = Field(description="Tickets completed (walk-ins included).")
    no_shows: int
    average_service_s: float | None = Field(
        default=None, description="Mean time from call to completion; None before any."
    )
    ratings: int
    satisfied: int = Field(description="Ratings that count as satisfied (766/QĐ-TTg).")
    satisfaction_rate: float | None = None


# --- live supervision (`/supervisor`) --------------------------------------------------------


class WaitingTicketOut(_Wire):
    """A waiting ticket as the supervision page lists it (to move it to the front)."""

    id: int
    number: str
    priority: bool
    issued_at: datetime


class SupervisedServiceOut(ServiceOut):
    """A service as the supervision page shows it: the public figures, its longest wait
    (`oldest_issued_at`: when its oldest never-called waiting ticket was issued) and the
    first of its line."""

    oldest_issued_at: datetime | None = None
    first_waiting: list[WaitingTicketOut] = Field(default_factory=list)


class DeviceStateOut(_Wire):
    name: str
    kind: str
    counter: int | None = None
    last_seen_at: datetime | None
    printer: PrinterState | None


class TodayFiguresOut(_Wire):
    """Today's running figures (`queue_core.hall_figures`)."""

    issued: int
    waiting: int
    called: int
    served: int
    no_show: int
    cancelled: int
    wait_avg_minutes: float | None
    within_target_pct: float | None


class HubLinkOut(_Wire):
    """A centre's link to the province hub, as `/api/health` and the supervision page show
    it: figures and the kind of failure only (never the hub's address or words)."""

    state: Literal["connecting", "ok", "down"]
    acknowledged_seq: int | None = None
    last_seq: int = 0
    lag_events: int | None = None
    lag_seconds: float | None = None
    last_shipped_at: str | None = None
    last_error: str | None = None
    last_error_at: str | None = None


class HallOut(_Wire):
    """`GET /supervisor/hall.json`: the whole hall as the supervision page draws it,
    fetched again when the event stream says something changed. `seq` is the last event
    it includes."""

    seq: int
    at: datetime
    services: list[SupervisedServiceOut]
    counters: list[CounterOut]
    alerts: list[AlertOut]
    devices: list[DeviceStateOut]
    figures: TodayFiguresOut
    hub_link: HubLinkOut | None = Field(
        default=None, description="The link to the province hub, where the centre ships to one."
    )


# --- reports -------------------------------------------------------------------------------

ReportBy = Literal["service", "counter", "clerk", "day", "hour"]


class ReportRow(_Wire):
    """One row of a report (`queue_core.report` holds the definitions, `docs/reports.md`
    works them through)."""

    key: str | int | None = Field(
        description="A service code, a counter number, a username, a day YYYY-MM-DD, an "
        "hour of issue 0–23; null in the total."
    )
    label: str = Field(description="What a person reads: the service's or counter's name…")
    issued: int = Field(
        description="Issued in the range, walk-ins included, cancelled and expired apart."
    )
    called: int = Field(description="Of the issued, called at least once.")
    served: int
    no_show: int
    cancelled: int = Field(description="Cancelled: counted here and in nothing else.")
    expired: int = Field(description="Expired at the day change: here and nowhere else.")
    wait_avg_minutes: float | None = Field(description="Issue to first call, over called.")
    wait_p90_minutes: float | None = Field(description="Nearest-rank 90th percentile.")
    wait_max_minutes: float | None
    service_avg_minutes: float | None = Field(description="Last call to completion.")
    within_target_pct: float | None = Field(
        description="Called tickets whose wait was at most their service's target, % of called."
    )
    ratings: dict[str, int] = Field(description="Ratings per level, 1 the least satisfied.")
    satisfaction_pct: float | None = Field(description="(ratings − level 1) / ratings × 100.")


class ReportSummary(_Wire):
    """`GET /api/reports/summary`: the rows of one grouping and their total."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: str = Field(alias="from", examples=["2026-11-01"])
    to: str = Field(examples=["2026-11-30"])
    by: ReportBy
    rows: list[ReportRow]
    total: ReportRow


# --- province hub --------------------------------------------------------------------------
# A centre ships its event log to the province hub in `seq` order (`queue_server.shipper`),
# and the hub (`queue_hub`) keeps it exactly once per centre and `seq`.

MAX_SHIPMENT_EVENTS = 500
MAX_EVENT_BODY = 1_000_000  # a `site.updated` carries a whole snapshot


class ShippedEvent(_Request):
    """One event of a centre's log, as the log keeps it."""

    seq: int = Field(ge=1, le=MAX_ID)
    type: Annotated[Text, Field(min_length=1, max_length=64)]
    at: datetime
    body: Annotated[Text, Field(max_length=MAX_EVENT_BODY)] = Field(
        description="The event's JSON exactly as the centre's stream sent it."
    )


class Shipment(_Request):
    """`POST /api/hub/events` (a centre's hub token): the next events after `after_seq`.

    The hub refuses with 409 (and its acknowledgement) a shipment that would leave a hole,
    `after_seq` above what it holds; events it already holds are skipped, so a resent batch
    counts once.
    """

    after_seq: int = Field(ge=0, le=MAX_ID, description="The seq just before the first event.")
    events: list[ShippedEvent] = Field(max_length=MAX_SHIPMENT_EVENTS)
    site: SiteOut | None = Field(
        default=None,
        description="The centre's site (names, targets, scale), sent first and on each change.",
    )

    @model_validator(mode="after")
    def _in_order(self) -> Shipment:
        previous = self.after_seq
        for event in self.events:
            if event.seq <= previous:
                raise ValueError("events must follow after_seq in strictly increasing seq")
            previous = event.seq
        return self


class ShipmentAck(_Wire):
    """The hub's answer to a shipment and to `GET /api/hub/ack`: the highest `seq` it holds
    of this centre's log, from which the centre ships on."""

    centre: str = Field(examples=["XA-TAN-AN"])
    acknowledged_seq: int = Field(ge=0)


HubReportBy = Literal["centre", "service", "day", "hour"]


class HubReportSummary(_Wire):
    """`GET /api/hub/reports/summary`: a centre's summary's shape, across centres, grouped
    by centre too (a row's key is then the centre's code)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: str = Field(alias="from", examples=["2026-11-01"])
    to: str = Field(examples=["2026-11-30"])
    by: HubReportBy
    centre: str = Field(description="A centre's code, or `all`.", examples=["all"])
    rows: list[ReportRow]
    total: ReportRow


class HubTemplateOut(_Wire):
    """`GET /api/hub/templates/{name}` (a centre's hub token): a site template the province
    hands down, as TOML a centre applies as `motcua site apply` does."""

    name: str = Field(examples=["xa-chuan"])
    version: int = Field(ge=1, description="One more at each `motcua hub template put`.")
    toml: str
    updated_at: datetime


class HubCentreOut(_Wire):
    """One centre on the province's live view (`GET /api/hub/centres`, `/api/hub/stream`)."""

    code: str = Field(examples=["XA-TAN-AN"])
    name: str
    waiting: int = Field(description="Tickets waiting now.")
    longest_wait_minutes: int | None = Field(description="The longest-waiting ticket's wait.")
    issued_today: int
    served_today: int
    satisfaction_pct: float | None = Field(description="Today's, as a report's.")
    alerts: list[AlertOut] = Field(description="The centre's active alerts.")
    acknowledged_seq: int
    last_shipped_at: datetime | None = Field(description="The centre's last shipment.")
    link_lag_seconds: int | None = Field(
        description="Since the centre's last shipment reached the hub: its link's health."
    )
