"""Who may do what: the one home of authorization.

A table of role × action (`MAY`), the route that performs each action (`ROUTES`), and the
scope rule of the actions done at a counter (`AT_COUNTER`):

- a clerk acts at a counter no other clerk holds (`queue_core.dispatch.ensure_free_for`:
  409, the counter is busy, not forbidden to them);
- a counter keypad or a rating tablet bound to a counter (`motcua device add --counter N`)
  acts at that counter alone (403); one registered before binding existed acts at every
  counter, as it always did, and `motcua device list` warns about it;
- supervisors and administrators act at any counter.

Every route asks through one dependency, `routes.deps.allowed(action)`; the event stream asks
`may_receive`; the service asks `ensure_at_counter` where the counter is only known inside
the transaction (a ticket's counter). `docs/authorization.md` shows `markdown_table()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from queue_core import dispatch
from queue_core.errors import InvalidTransition, QueueError
from queue_core.model import Counter, Ticket, TicketStatus
from queue_core.rating import within_device_window
from queue_server.auth import Principal
from queue_server.roles import Role


class Action(StrEnum):
    READ = "read"
    SIGN_OUT = "sign_out"
    ISSUE_TICKET = "issue_ticket"
    CALL_NEXT = "call_next"
    RECALL = "recall"
    CALL_TICKET = "call_ticket"
    WALK_IN = "walk_in"
    OPEN_COUNTER = "open_counter"
    TAKE_OVER_COUNTER = "take_over_counter"
    CLOSE_COUNTER = "close_counter"
    PAUSE_COUNTER = "pause_counter"
    COUNTER_STATS = "counter_stats"
    COMPLETE = "complete"
    NO_SHOW = "no_show"
    TRANSFER = "transfer"
    MOVE_TICKET = "move_ticket"
    UNDO_NO_SHOW = "undo_no_show"
    REQUEUE = "requeue"
    CANCEL = "cancel"
    RATE = "rate"
    HEARTBEAT = "heartbeat"
    LIST_DEVICES = "list_devices"
    MANAGE_DEVICES = "manage_devices"
    VIEW_DISPLAY = "view_display"
    READ_EVENTS = "read_events"
    RECEIVE_RATED_EVENTS = "receive_rated_events"
    VIEW_ALERTS = "view_alerts"
    RECEIVE_ALERT_EVENTS = "receive_alert_events"
    READ_REPORTS = "read_reports"
    ADMINISTER = "administer"
    SUPERVISE = "supervise"
    HELP_SERVICE = "help_service"
    CLOSE_ISSUING = "close_issuing"


_A, _S, _C = Role.ADMIN, Role.SUPERVISOR, Role.CLERK
_KIOSK, _DISPLAY, _COUNTER, _RATING = Role.KIOSK, Role.DISPLAY, Role.COUNTER, Role.RATING
_STAFF = frozenset({_A, _S, _C})
_AT_COUNTER = _STAFF | {_COUNTER}
_EVERYONE = frozenset(Role)
_DEVICES = frozenset({_KIOSK, _DISPLAY, _COUNTER, _RATING})

MAY: dict[Action, frozenset[Role]] = {
    Action.READ: _EVERYONE,
    Action.SIGN_OUT: _STAFF,  # a device's token is replaced by an administrator
    Action.ISSUE_TICKET: _STAFF | {_KIOSK},
    Action.CALL_NEXT: _AT_COUNTER,
    Action.RECALL: _AT_COUNTER,
    Action.CALL_TICKET: _AT_COUNTER,
    Action.WALK_IN: _AT_COUNTER,
    Action.OPEN_COUNTER: _AT_COUNTER,
    Action.TAKE_OVER_COUNTER: frozenset({_A, _S}),  # `open` with `force`
    Action.CLOSE_COUNTER: _AT_COUNTER,
    Action.PAUSE_COUNTER: _AT_COUNTER,
    Action.COUNTER_STATS: _AT_COUNTER,
    Action.COMPLETE: _AT_COUNTER,
    Action.NO_SHOW: _AT_COUNTER,
    Action.TRANSFER: _AT_COUNTER,
    # A waiting ticket moved to the front of a line, or to a counter that does not serve
    # it, jumps the queue: a supervisor's act, recorded with its actor in the event log.
    Action.MOVE_TICKET: frozenset({_A, _S}),
    Action.UNDO_NO_SHOW: _AT_COUNTER,
    Action.REQUEUE: _AT_COUNTER,
    Action.CANCEL: frozenset({_A, _S}),
    Action.RATE: frozenset({_RATING, _KIOSK}),
    Action.HEARTBEAT: _DEVICES,
    Action.LIST_DEVICES: frozenset({_A, _S}),
    Action.MANAGE_DEVICES: frozenset({_A}),
    Action.VIEW_DISPLAY: frozenset({_DISPLAY, _A, _S}),
    Action.READ_EVENTS: _EVERYONE,
    # Public screens show calls and counts; how a citizen rated a clerk is not for the hall.
    Action.RECEIVE_RATED_EVENTS: _EVERYONE - {_DISPLAY, _KIOSK},
    # Alerts are for the people who act on them: not for the hall's screens, nor the kiosk
    # (which tells the citizen itself that staff have been told).
    Action.VIEW_ALERTS: _STAFF,
    Action.RECEIVE_ALERT_EVENTS: _STAFF,
    # A clerk sees their own day at the desk; the centre's figures are its head's.
    Action.READ_REPORTS: frozenset({_A, _S}),
    # The centre's configuration, its staff and devices, the audit log: the `/admin` pages.
    Action.ADMINISTER: frozenset({_A}),
    # The live hall and a supervisor's orders for the day (issue #14): each recorded in
    # the event log with its actor.
    Action.SUPERVISE: frozenset({_A, _S}),
    Action.HELP_SERVICE: frozenset({_A, _S}),
    Action.CLOSE_ISSUING: frozenset({_A, _S}),
}

AT_COUNTER = frozenset(
    {
        Action.CALL_NEXT,
        Action.RECALL,
        Action.CALL_TICKET,
        Action.WALK_IN,
        Action.OPEN_COUNTER,
        Action.CLOSE_COUNTER,
        Action.PAUSE_COUNTER,
        Action.COUNTER_STATS,
        Action.COMPLETE,
        Action.NO_SHOW,
        Action.TRANSFER,
        Action.UNDO_NO_SHOW,
        Action.REQUEUE,
        Action.RATE,
    }
)
"""Actions bound to a counter: a bound device does them at its own counter alone."""

TAKES_COUNTER = frozenset(
    {
        Action.CALL_NEXT,
        Action.CALL_TICKET,
        Action.WALK_IN,
        Action.OPEN_COUNTER,
        Action.UNDO_NO_SHOW,
    }
)
"""Actions by which a clerk takes the counter (a clerk signs in by acting): one counter
per clerk is checked for these (`dispatch.ensure_one_counter`)."""

_ADMIN_PAGES = (
    ("GET", "/admin"),
    ("GET", "/admin/settings"),
    ("POST", "/admin/site/preview"),
    ("POST", "/admin/site/apply"),
    ("GET", "/admin/site"),
    ("GET", "/admin/site/export.toml"),
    ("POST", "/admin/site/import"),
    ("GET", "/admin/staff"),
    ("POST", "/admin/staff"),
    ("GET", "/admin/devices"),
    ("POST", "/admin/devices"),
    ("GET", "/admin/audit"),
    ("GET", "/admin/audit.csv"),
)

ROUTES: dict[tuple[str, str], Action] = {
    ("GET", "/api/auth/me"): Action.READ,
    ("POST", "/api/auth/logout"): Action.SIGN_OUT,
    ("GET", "/api/services"): Action.READ,
    ("GET", "/api/counters"): Action.READ,
    ("GET", "/api/counters/{number}"): Action.READ,
    ("GET", "/api/rating-scale"): Action.READ,
    ("GET", "/api/site"): Action.READ,
    ("GET", "/api/tickets"): Action.READ,
    ("GET", "/api/tickets/{ticket_id}"): Action.READ,
    ("GET", "/api/voice/chime.wav"): Action.READ,
    ("GET", "/api/voice/call.wav"): Action.READ,
    ("POST", "/api/tickets"): Action.ISSUE_TICKET,
    ("POST", "/api/counters/{number}/call-next"): Action.CALL_NEXT,
    ("POST", "/api/counters/{number}/recall"): Action.RECALL,
    ("POST", "/api/counters/{number}/call/{ticket_id}"): Action.CALL_TICKET,
    ("POST", "/api/counters/{number}/walk-in"): Action.WALK_IN,
    ("POST", "/api/counters/{number}/open"): Action.OPEN_COUNTER,
    ("POST", "/api/counters/{number}/close"): Action.CLOSE_COUNTER,
    ("POST", "/api/counters/{number}/pause"): Action.PAUSE_COUNTER,
    ("POST", "/api/counters/{number}/resume"): Action.PAUSE_COUNTER,
    ("GET", "/api/counters/{number}/stats"): Action.COUNTER_STATS,
    ("POST", "/api/tickets/{ticket_id}/complete"): Action.COMPLETE,
    ("POST", "/api/tickets/{ticket_id}/no-show"): Action.NO_SHOW,
    ("POST", "/api/tickets/{ticket_id}/transfer"): Action.TRANSFER,
    ("POST", "/api/tickets/{ticket_id}/undo-no-show"): Action.UNDO_NO_SHOW,
    ("POST", "/api/tickets/{ticket_id}/requeue"): Action.REQUEUE,
    ("POST", "/api/tickets/{ticket_id}/cancel"): Action.CANCEL,
    ("POST", "/api/ratings"): Action.RATE,
    ("POST", "/api/devices/heartbeat"): Action.HEARTBEAT,
    ("GET", "/api/devices"): Action.LIST_DEVICES,
    ("POST", "/api/devices/{device_id}/revoke"): Action.MANAGE_DEVICES,
    ("GET", "/api/alerts"): Action.VIEW_ALERTS,
    ("GET", "/display"): Action.VIEW_DISPLAY,
    ("WS", "/ws/events"): Action.READ_EVENTS,
    ("GET", "/api/reports/summary"): Action.READ_REPORTS,
    ("GET", "/api/reports/export.xlsx"): Action.READ_REPORTS,
    ("GET", "/reports"): Action.READ_REPORTS,
    ("GET", "/reports/export.xlsx"): Action.READ_REPORTS,
    **dict.fromkeys(_ADMIN_PAGES, Action.ADMINISTER),
    ("POST", "/api/counters/{number}/help"): Action.HELP_SERVICE,
    ("POST", "/api/counters/{number}/end-help"): Action.HELP_SERVICE,
    ("POST", "/api/services/{code}/close-today"): Action.CLOSE_ISSUING,
    ("POST", "/api/services/{code}/reopen"): Action.CLOSE_ISSUING,
    ("GET", "/supervisor"): Action.SUPERVISE,
    ("GET", "/supervisor/hall.json"): Action.SUPERVISE,
    ("POST", "/supervisor/move/{ticket_id}"): Action.MOVE_TICKET,
    ("POST", "/supervisor/help/{number}"): Action.HELP_SERVICE,
    ("POST", "/supervisor/end-help/{number}"): Action.HELP_SERVICE,
    ("POST", "/supervisor/close-today/{code}"): Action.CLOSE_ISSUING,
    ("POST", "/supervisor/reopen/{code}"): Action.CLOSE_ISSUING,
}
"""Each route that needs a token, and the action it performs."""

CHECKED_INSIDE = frozenset(
    {
        ("GET", "/display"),
        ("WS", "/ws/events"),
        ("GET", "/reports"),
        ("GET", "/reports/export.xlsx"),
        *_ADMIN_PAGES,
        ("GET", "/supervisor"),
        ("GET", "/supervisor/hall.json"),
        ("POST", "/supervisor/move/{ticket_id}"),
        ("POST", "/supervisor/help/{number}"),
        ("POST", "/supervisor/end-help/{number}"),
        ("POST", "/supervisor/close-today/{code}"),
        ("POST", "/supervisor/reopen/{code}"),
    }
)
"""Routes that ask `may` themselves instead of through `routes.deps.allowed`: the web board
answers a TV with a page a person can read, the event stream closes with a code, and the
staff pages take a signed-in person's session (`pages.session`) and show the sign-in form
to nobody."""

PUBLIC = frozenset(
    {
        "/api/health",
        "/api/auth/token",
        "/display/{name}",  # the board's script and style: nothing about the hall
        "/display/fonts/{name}",
        # The follow page, and rating from it: its unguessable code is the credential.
        "/t/{ref}",
        "/openapi.json",
        "/docs",
        "/docs/oauth2-redirect",
        "/redoc",
        # Signing in to the staff pages and out of them (each form carries a CSRF token).
        "/sign-in",
        "/sign-in/password",  # a password reset by an administrator, changed at sign-in
        "/sign-out",
        "/lang/{code}",  # the staff pages' language, a cookie and nothing else
        "/",  # the landing page: links, and what a signed-in person may open
        "/static/pages",  # the staff pages' script and style, the vendored chart library
        "/static/vendor",
    }
)
"""Paths open to anyone, without a token."""

_EVENT_ACTIONS = {
    "ticket.rated": Action.RECEIVE_RATED_EVENTS,
    "alert.raised": Action.RECEIVE_ALERT_EVENTS,
    "alert.cleared": Action.RECEIVE_ALERT_EVENTS,
}

_NOT_A_ROUTE = {
    Action.TAKE_OVER_COUNTER: '`{"force": true}` on `POST /api/counters/{number}/open`',
    Action.RECEIVE_RATED_EVENTS: "`ticket.rated` events on `WS /ws/events`",
    Action.RECEIVE_ALERT_EVENTS: "`alert.raised`, `alert.cleared` events on `WS /ws/events`",
    Action.MOVE_TICKET: "a waiting ticket's transfer; calling a ticket at a counter that does"
    " not serve it",
}

FORBIDDEN = "Tài khoản này không có quyền thực hiện thao tác này"


class Forbidden(QueueError):
    """A valid token whose holder may not do this (403)."""

    def __init__(self, message: str = FORBIDDEN) -> None:
        super().__init__(message)


def may(who: Principal, action: Action) -> bool:
    """Whether `who`'s role may do `action` at all (the scope aside)."""
    return who.role in MAY[action]


def may_stream_by_session(who: Principal) -> bool:
    """Whether a signed-in person's page session (no token) may open the event stream:
    the live supervision page's, for those who may supervise."""
    return who.kind == "user" and may(who, Action.SUPERVISE)


def may_receive(who: Principal, event_type: str) -> bool:
    """Whether the event stream sends `who` events of `event_type`."""
    return may(who, _EVENT_ACTIONS.get(event_type, Action.READ_EVENTS))


def ensure_bound_to(who: Principal, action: Action, number: int | None) -> None:
    """Raise unless a device bound to a counter does `action` at that counter.

    `number` None: the action touches no counter (a waiting ticket), which a bound
    device may not act on either, since it is not its counter's.

    Raises:
        Forbidden: `who` is bound to another counter.
    """
    if action in AT_COUNTER and who.counter is not None and number != who.counter:
        raise Forbidden(
            f"Thiết bị này gắn với quầy số {who.counter}, không thao tác ở quầy khác"
            if number is not None
            else f"Thiết bị này gắn với quầy số {who.counter}, chỉ thao tác số của quầy đó"
        )


def ensure_may(who: Principal, action: Action, message: str = FORBIDDEN) -> None:
    """Raise `Forbidden(message)` unless `who`'s role may do `action`: for the acts a
    route's guard cannot see (they depend on the ticket, read in the transaction)."""
    if not may(who, action):
        raise Forbidden(message)


def ensure_at_counter(who: Principal, action: Action, counter: Counter) -> Counter:
    """The scope rule: `counter` if `who` may do `action` there now.

    Raises:
        Forbidden: a bound device at another counter.
        CounterBusy: a clerk at a counter another clerk holds.
    """
    ensure_bound_to(who, action, counter.number)
    dispatch.ensure_free_for(counter, who.clerk)
    return counter


def ensure_one_counter(
    who: Principal, action: Action, counter: Counter, counters: Iterable[Counter]
) -> None:
    """One counter per clerk, for the actions that take a counter (see `TAKES_COUNTER`).

    Raises:
        ClerkElsewhere: the clerk holds another counter.
    """
    if action in TAKES_COUNTER:
        dispatch.ensure_one_counter(counters, counter, who.clerk)


def ensure_may_rate(
    who: Principal, ticket: Ticket, now: datetime, *, holds_code: bool, on_its_day: bool
) -> None:
    """The rule of who rates a ticket (`POST /api/ratings`): the citizen holding its follow
    code (`holds_code`, checked by the caller) on the ticket's day; else a device rates by
    the ticket's id alone, a bound tablet only its own counter's tickets, and only within
    `DEVICE_RATING_WINDOW` of completion, so typing numbers cannot rate the day's visits.
    Whether the ticket is done and not rated yet is the service's to say.

    Raises:
        Forbidden: a bound tablet, another counter's ticket.
        InvalidTransition: the time to rate is over.
    """
    if holds_code:
        if ticket.status is TicketStatus.DONE and not on_its_day:
            raise InvalidTransition(f"Đã hết thời hạn đánh giá số {ticket.number}")
        return
    ensure_bound_to(who, Action.RATE, ticket.counter)
    if ticket.status is TicketStatus.DONE and not within_device_window(ticket.finished_at, now):
        raise InvalidTransition(
            f"Đã hết thời gian đánh giá số {ticket.number} tại thiết bị; Ông/Bà đánh giá "
            "bằng mã QR trên vé"
        )


def action_of(dependency: object) -> Action | None:
    """The action a route's dependency checks, if it is a guard made by
    `routes.deps.allowed` (which marks it): for the test that walks every route."""
    found = getattr(dependency, "action", None)
    return found if isinstance(found, Action) else None


# --- the table as the docs show it ----------------------------------------------------------

_ROLE_ORDER = (_A, _S, _C, _KIOSK, _DISPLAY, _COUNTER, _RATING)


def markdown_table() -> str:
    """The role × action table, in Markdown, as `docs/authorization.md` shows it."""
    header = ["action", *(r.value for r in _ROLE_ORDER), "at a counter", "routes"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for action in Action:
        routes = ", ".join(f"`{m} {p}`" for (m, p), a in ROUTES.items() if a is action)
        cells = [
            f"`{action.value}`",
            *("✓" if r in MAY[action] else "" for r in _ROLE_ORDER),
            "bound" if action in AT_COUNTER else "",
            routes or _NOT_A_ROUTE[action],
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
