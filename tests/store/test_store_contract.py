"""The store's contract: what any backend of `queue_server.store.Store` must do.

Parametrized by backend: SQLite today; the PostgreSQL backend runs this file unchanged by
adding itself to `BACKENDS`. Everything here goes through the Protocol alone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from queue_core.alerts import Alert
from queue_core.errors import UnknownCounter, UnknownTicket
from queue_core.model import CallMode, Counter, CounterState, Ticket, TicketStatus
from queue_core.report import Grouping, Rules, group, total
from queue_core.site import parse_site
from queue_server.store import (
    AuditEntry,
    Conflict,
    Device,
    EventRecord,
    IssueRecord,
    Rating,
    Store,
    Token,
    User,
    connect,
)


def sqlite_store(tmp_path: Path) -> Store:
    store = connect(tmp_path)
    store.migrate()
    return store


BACKENDS: dict[str, Callable[[Path], Store]] = {"sqlite": sqlite_store}

DAY = date(2026, 11, 23)
NOON = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # 12:00 in Hà Nội
HANOI = timezone(timedelta(hours=7))
SITE = """
[site]
name = "Trung tâm Phục vụ hành chính công xã Thử Nghiệm"

[[services]]
code = "TP"
name = "Tư pháp – Hộ tịch"
prefix = "1"

[[counters]]
number = 1
name = "Quầy 1"
services = ["TP"]

[[counters]]
number = 2
name = "Quầy 2"
services = ["TP"]
"""


@pytest.fixture(params=sorted(BACKENDS))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened = BACKENDS[request.param](tmp_path)
    yield opened
    opened.close()


def ticket(ticket_id: int, **changes: object) -> Ticket:
    made = Ticket(
        id=ticket_id,
        number=f"1{ticket_id:03d}",
        service="TP",
        day=DAY,
        sequence=ticket_id,
        issued_at=NOON + timedelta(minutes=ticket_id),
        rank=ticket_id,
    )
    return made.replace(**changes) if changes else made


def issue(store: Store, *tickets: Ticket, by: str | None = None) -> list[str]:
    with store.transaction():
        return [store.insert_ticket(t, IssueRecord(t.id, t.service, by)) for t in tickets]


def event(seq: int, type_: str = "ticket.called", at: datetime = NOON) -> EventRecord:
    return EventRecord(seq, type_, at, "Lan", 1, 1, f'{{"seq": {seq}, "type": "{type_}"}}')


# --- site and counters -----------------------------------------------------------------


def test_a_new_store_has_no_site_until_one_is_saved(store: Store) -> None:
    assert store.site() is None
    site = parse_site(SITE)
    with store.transaction():
        store.save_site(site)
    assert store.site() == site
    assert [c.number for c in store.counters()] == [1, 2]


def test_saving_the_site_again_keeps_each_counters_live_state(store: Store) -> None:
    with store.transaction():
        store.save_site(parse_site(SITE))
        opened = store.counter(1).replace(state=CounterState.OPEN, clerk="lan")
        store.save_counter(opened, NOON)
        store.save_site(parse_site(SITE.replace("Quầy 1", "Quầy một")))
    assert store.counter(1) == opened.replace(name="Quầy một")


def test_a_counter_reads_back_as_saved_and_an_unknown_one_is_refused(store: Store) -> None:
    counter = Counter(
        3,
        "Quầy 3",
        ("TP", "DD"),
        CallMode.SERVICE_ORDER,
        CounterState.PAUSED,
        "hung",
        7,
        "Nghỉ trưa",
        2,
        retired=True,
    )
    with store.transaction():
        store.save_counter(counter, NOON)
    assert store.counter(3) == counter
    with pytest.raises(UnknownCounter):
        store.counter(4)


def test_counters_left_open_before_a_moment_are_found(store: Store) -> None:
    with store.transaction():
        store.save_counter(Counter(1, "Quầy 1", ("TP",), state=CounterState.OPEN), NOON)
        store.save_counter(Counter(2, "Quầy 2", ("TP",), state=CounterState.CLOSED), NOON)
    assert store.counters_open_since_before(NOON + timedelta(hours=1)) == {1}
    assert store.counters_open_since_before(NOON - timedelta(hours=1)) == set()


# --- tickets ---------------------------------------------------------------------------


def test_a_ticket_reads_back_exactly_as_stored(store: Store) -> None:
    (code,) = issue(store, ticket(1, priority=True))
    assert store.ticket(1) == ticket(1, priority=True)
    assert store.ticket_by_follow_code(code) == ticket(1, priority=True)
    assert store.follow_code(1) == code
    assert store.last_ticket_id() == 1
    with pytest.raises(UnknownTicket):
        store.ticket(2)


def test_follow_codes_are_unguessable_and_distinct(store: Store) -> None:
    codes = issue(store, *(ticket(i) for i in range(1, 51)))
    assert len(set(codes)) == 50
    assert all(len(code) >= 12 and not code.isdigit() for code in codes)
    assert store.ticket_by_follow_code("nothing-here") is None


def test_times_keep_their_instant_whatever_offset_they_came_with(store: Store) -> None:
    at = datetime(2026, 11, 23, 12, 0, tzinfo=HANOI)
    issue(store, ticket(1, issued_at=at))
    stored = store.ticket(1).issued_at
    assert stored == at
    assert stored.utcoffset() is not None


def test_a_naive_time_is_refused(store: Store) -> None:
    with pytest.raises(TypeError):
        issue(store, ticket(1, issued_at=datetime(2026, 11, 23, 12, 0)))


def test_each_issue_keeps_its_issuer_and_key_for_the_days_memory(store: Store) -> None:
    # Checking a key is the writer's (from the day's keys in memory), not the store's.
    with store.transaction():
        store.insert_ticket(ticket(1), IssueRecord(1, "TP", "device:1", "k"))
        store.insert_ticket(ticket(2), IssueRecord(2, "TP", "device:2", "k"))
        store.insert_ticket(ticket(3), IssueRecord(3, "TP"))
    assert sorted(store.issues_of_day(DAY), key=lambda i: i.ticket_id) == [
        IssueRecord(1, "TP", "device:1", "k"),
        IssueRecord(2, "TP", "device:2", "k"),
        IssueRecord(3, "TP"),
    ]


def test_changed_tickets_are_stored_together(store: Store) -> None:
    issue(store, ticket(1), ticket(2), ticket(3))
    called = ticket(2, status=TicketStatus.CALLED, called_at=NOON, counter=1, clerk="lan")
    moved = ticket(3, service="DD", rank=-3, target_counter=2, recalls=1, walk_in=True)
    with store.transaction():
        store.update_tickets([called, moved])
    assert [store.ticket(i) for i in (1, 2, 3)] == [ticket(1), called, moved]


def test_the_days_tickets_and_the_open_ones_of_past_days(store: Store) -> None:
    yesterday = DAY - timedelta(days=1)
    issue(
        store,
        ticket(1, day=yesterday),
        ticket(2, day=yesterday, status=TicketStatus.DONE),
        ticket(3, day=yesterday, status=TicketStatus.CALLED),
        ticket(4),
    )
    assert [t.id for t in store.tickets_of_day(DAY)] == [4]
    assert sorted(t.id for t in store.open_tickets_before(DAY)) == [1, 3]
    assert [t.id for t in store.tickets_by_number("1004", DAY)] == [4]
    assert store.tickets_by_number("1004", yesterday) == []


def test_a_failed_transaction_leaves_nothing_and_the_store_goes_on(store: Store) -> None:
    def failing_command() -> None:
        with store.transaction():
            store.insert_ticket(ticket(1), IssueRecord(1, "TP"))
            raise RuntimeError("the command failed")

    with pytest.raises(RuntimeError):
        failing_command()
    assert store.last_ticket_id() == 0
    issue(store, ticket(1))
    assert store.last_ticket_id() == 1


def test_writes_are_counted(store: Store) -> None:
    before = store.writes()
    issue(store, ticket(1))
    assert store.writes() > before


# --- events ----------------------------------------------------------------------------


def test_events_are_logged_in_seq_order_and_read_back_in_pages(store: Store) -> None:
    assert store.last_seq() == 0
    with store.transaction():
        store.append_events([event(1), event(2, "ticket.issued")])
        store.append_events([event(3)])
    assert store.last_seq() == 3
    assert [s for s, _, _ in store.events_after(0)] == [1, 2, 3]
    assert [s for s, _, _ in store.events_after(1, limit=1)] == [2]
    assert [(s, t) for s, t, _ in store.events_after(0, until=2)] == [
        (1, "ticket.called"),
        (2, "ticket.issued"),
    ]
    assert store.events_after(0)[0][2] == '{"seq": 1, "type": "ticket.called"}'


def test_the_latest_calls_since_a_moment_newest_first(store: Store) -> None:
    with store.transaction():
        store.append_events(
            [
                event(1, at=NOON - timedelta(days=1)),
                event(2),
                event(3, "ticket.issued"),
                event(4, "ticket.recalled"),
                event(5),
            ]
        )
    latest = store.latest_calls(NOON, 2)
    assert latest == [event(5).body, event(4, "ticket.recalled").body]
    assert store.latest_calls(NOON - timedelta(days=2), 10) == [
        event(5).body,
        event(4, "ticket.recalled").body,
        event(2).body,
        event(1, at=NOON - timedelta(days=1)).body,
    ]


# --- ratings ---------------------------------------------------------------------------


def test_a_ticket_is_rated_once(store: Store) -> None:
    issue(store, ticket(1, status=TicketStatus.DONE))
    rating = Rating(1, 3, 3, ("nhanh", "chu đáo"), "Cảm ơn", NOON, 1, "lan", "TP", "7")
    assert not store.rating_exists(1)
    with store.transaction():
        store.insert_rating(rating)
    assert store.rating_exists(1)
    assert store.rating_score(1) == 3
    with pytest.raises(Conflict), store.transaction():
        store.insert_rating(rating)


def test_a_counters_day_counts_its_tickets_service_time_and_ratings(store: Store) -> None:
    done = ticket(
        1,
        status=TicketStatus.DONE,
        counter=1,
        clerk="lan",
        called_at=NOON,
        finished_at=NOON + timedelta(minutes=10),
    )
    gone = ticket(2, status=TicketStatus.NO_SHOW, counter=1, clerk="lan", called_at=NOON)
    other = ticket(
        3,
        status=TicketStatus.DONE,
        counter=2,
        clerk="hung",
        called_at=NOON,
        finished_at=NOON + timedelta(minutes=2),
    )
    issue(store, done, gone, other)
    with store.transaction():
        store.insert_rating(Rating(1, 2, 3, (), None, NOON, 1, "lan", "TP", None))
    figures = store.counter_day(1, DAY)
    assert figures.counts == {"done": 1, "no_show": 1}
    assert figures.mean_service_s == pytest.approx(600.0)
    assert figures.ratings == [(2, 3)]
    assert store.counter_day(1, DAY, clerk="hung").counts == {}


# --- users, devices, tokens ----------------------------------------------------------------


def test_users_are_stored_listed_and_disabled(store: Store) -> None:
    lan = User("lan", "Nguyễn Thị Lan", "clerk", "$argon2$hash", False, NOON)
    with store.transaction():
        store.insert_user(lan)
        store.insert_user(User("an", "An", "admin", "$argon2$x", False, NOON))
    assert store.user("lan") == lan
    assert [u.username for u in store.users()] == ["an", "lan"]
    with pytest.raises(Conflict), store.transaction():
        store.insert_user(lan)
    with store.transaction():
        assert store.set_user_disabled("lan", True)
        assert not store.set_user_disabled("nobody", True)
    assert store.user("lan") == User("lan", "Nguyễn Thị Lan", "clerk", "$argon2$hash", True, NOON)


def test_devices_are_registered_heard_from_and_revoked(store: Store) -> None:
    with store.transaction():
        kiosk = store.insert_device(Device(0, "Kiosk sảnh", "kiosk", NOON))
        keypad = store.insert_device(Device(0, "Bàn phím quầy 1", "counter", NOON, counter=1))
    assert store.device_by_name("Kiosk sảnh") == Device(kiosk, "Kiosk sảnh", "kiosk", NOON)
    assert store.device(keypad) == Device(keypad, "Bàn phím quầy 1", "counter", NOON, counter=1)
    with pytest.raises(Conflict), store.transaction():
        store.insert_device(Device(0, "Kiosk sảnh", "kiosk", NOON))
    later = NOON + timedelta(minutes=1)
    with store.transaction():
        store.record_heartbeat(kiosk, NOON, "paper-near-end", "80 mm", "2.0")
        store.record_heartbeat(kiosk, later, None, None, None)  # keeps what it said
        store.set_device_revoked(keypad, later)
    heard = store.device(kiosk)
    assert heard is not None
    assert (heard.last_seen_at, heard.printer, heard.detail, heard.version) == (
        later,
        "paper-near-end",
        "80 mm",
        "2.0",
    )
    assert [d.revoked_at for d in store.devices()] == [None, later]


def test_a_tokens_holder_until_it_is_revoked(store: Store) -> None:
    expires = NOON + timedelta(hours=12)
    with store.transaction():
        store.insert_user(User("lan", "Nguyễn Thị Lan", "clerk", "$h", False, NOON))
        device = store.insert_device(Device(0, "Bàn phím", "counter", NOON, counter=2))
        store.insert_token(Token("u1", "user", "lan", NOON, expires))
        store.insert_token(Token("u2", "user", "lan", NOON, expires))
        store.insert_token(Token("d1", "device", str(device), NOON))
    holder = store.token_holder("u1")
    assert holder is not None
    assert (holder.kind, holder.subject, holder.role, holder.display_name) == (
        "user",
        "lan",
        "clerk",
        "Nguyễn Thị Lan",
    )
    assert holder.expires_at == expires
    bound = store.token_holder("d1")
    assert bound is not None
    assert (bound.role, bound.counter, bound.expires_at) == ("counter", 2, None)
    assert store.token_holder("nothing") is None
    with store.transaction():
        assert store.revoke_token("u1", NOON) == 1
    assert store.token_holder("u1") is None
    assert store.token_holder("u2") is not None  # a sign-out ends that session alone
    with store.transaction():
        store.set_user_disabled("lan", True)
        store.set_device_revoked(device, NOON)
    assert store.token_holder("u2") is None
    assert store.token_holder("d1") is None
    with store.transaction():
        assert store.revoke_tokens("user", "lan", NOON) == 1


def test_every_change_to_access_moves_the_auth_revision(store: Store) -> None:
    seen = [store.auth_revision()]

    def changed(change: Callable[[], object]) -> None:
        with store.transaction():
            change()
        seen.append(store.auth_revision())
        assert seen[-1] != seen[-2]

    with store.transaction():
        store.insert_user(User("lan", "Lan", "clerk", "$h", False, NOON))
        device = store.insert_device(Device(0, "Kiosk", "kiosk", NOON))
    seen.append(store.auth_revision())
    changed(lambda: store.insert_token(Token("t", "user", "lan", NOON, None)))
    changed(lambda: store.revoke_token("t", NOON))
    changed(lambda: store.revoke_tokens("device", str(device), NOON))
    changed(lambda: store.set_user_disabled("lan", True))
    changed(lambda: store.set_device_revoked(device, NOON))


def test_alerts_are_kept_until_cleared_and_their_ids_never_come_back(store: Store) -> None:
    paper = Alert("printer-paper-out", "Kiosk sảnh", "Máy in của Kiosk sảnh: hết giấy", NOON)
    wait = Alert("wait-over-target", "TP", "Lĩnh vực Tư pháp – Hộ tịch: chờ quá 20 phút", NOON)
    assert store.active_alerts() == []
    with store.transaction():
        first = store.insert_alert(paper, NOON)
        second = store.insert_alert(wait, NOON)
    assert first != second
    assert store.active_alerts() == [
        dataclasses.replace(paper, id=first),
        dataclasses.replace(wait, id=second),
    ]
    later = NOON + timedelta(minutes=1)
    with store.transaction():
        store.clear_alert(second, later)
        store.clear_alert(second, later + timedelta(minutes=1))  # cleared once: no change
    assert store.active_alerts() == [dataclasses.replace(paper, id=first)]
    with store.transaction():
        store.clear_alert(first, later)
        again = store.insert_alert(paper, later)  # raised again: a new alert
    assert again not in (first, second)
    assert store.active_alerts() == [dataclasses.replace(paper, id=again)]
    assert store.active_alerts()[0].since.utcoffset() is not None


# --- the audit log -------------------------------------------------------------------------


def test_the_audit_log_keeps_who_changed_what_newest_first(store: Store) -> None:
    first = AuditEntry(
        NOON,
        "cli:root",
        "cli",
        "c1",
        "renamed",
        "service DD",
        "name",
        "Đất đai",
        "Đất đai – Nhà ở",
        "Lĩnh vực DD: đổi tên / Service DD: renamed",
    )
    later = AuditEntry(
        NOON + timedelta(hours=1),
        "admin",
        "admin",
        "c2",
        "changed",
        "site",
        "hours",
        {"default": ["07:30-11:30"]},
        {"default": ["08:00-11:30"]},
        "Giờ / Hours",
    )
    with store.transaction():
        store.record_audit([first, later])
    day_after = NOON + timedelta(days=1)
    assert store.audit(NOON - timedelta(days=1), day_after, 10) == [later, first]
    assert store.audit(NOON + timedelta(minutes=1), day_after, 10) == [later]
    assert store.audit(NOON - timedelta(days=1), day_after, 1) == [later]


# --- reports --------------------------------------------------------------------------------


def test_a_reports_visits_are_a_range_of_days_with_first_calls_and_ratings(store: Store) -> None:
    yesterday, tomorrow = DAY - timedelta(days=1), DAY + timedelta(days=1)
    first_call = NOON + timedelta(minutes=10)
    issue(store, ticket(1, day=yesterday), ticket(2), ticket(3), ticket(4, day=tomorrow))
    with store.transaction():
        store.update_tickets([ticket(2, status=TicketStatus.CALLED, called_at=first_call)])
    # Sent on to another service: back to waiting, its last call cleared...
    with store.transaction():
        store.update_tickets([ticket(2, service="DD", rank=-2)])
    # ...then called again and served there.
    again = NOON + timedelta(minutes=40)
    served = ticket(
        2,
        service="DD",
        status=TicketStatus.DONE,
        called_at=again,
        finished_at=again + timedelta(minutes=5),
        counter=2,
        clerk="hung",
    )
    with store.transaction():
        store.update_tickets([served])
        store.insert_rating(Rating(2, 3, 3, (), None, NOON, 2, "hung", "DD", None))
    visits = sorted(store.report_visits(yesterday, DAY), key=lambda v: v.issued_at)
    assert [(v.day, v.status) for v in visits] == [
        (yesterday, TicketStatus.WAITING),
        (DAY, TicketStatus.DONE),
        (DAY, TicketStatus.WAITING),
    ]
    visit = visits[1]
    assert visit.service == "TP"  # the service it was issued for
    assert visit.issued_at == ticket(2).issued_at
    assert (visit.first_called_at, visit.called_at) == (first_call, again)
    assert visit.finished_at == again + timedelta(minutes=5)
    assert (visit.counter, visit.clerk, visit.rating) == (2, "hung", 3)
    assert visits[2].rating is None
    assert visits[2].first_called_at is None
    assert store.report_visits(tomorrow + timedelta(days=1), tomorrow + timedelta(days=9)) == []


def _tallied(store: Store, first: date, last: date) -> dict[object, object]:
    rules = Rules.of(parse_site(SITE))
    found = store.report_tallies(first, last, list(Grouping), rules)
    shown: dict[object, object] = {
        by: sorted((key, one.figures()) for key, one in keys.items())
        for by, keys in found.groupings.items()
    }
    shown[None] = found.total.figures()
    visits = store.report_visits(first, last)
    plain: dict[object, object] = {
        by: group(visits, by, targets_s=rules.target_s, scale=rules.scale, timezone=rules.timezone)
        for by in Grouping
    }
    plain[None] = total(visits, targets_s=rules.target_s, scale=rules.scale)
    assert shown == plain
    return shown


def test_report_tallies_are_the_figures_of_the_visits_and_follow_a_late_rating(
    store: Store,
) -> None:
    yesterday = DAY - timedelta(days=1)
    done = {
        "status": TicketStatus.DONE,
        "called_at": NOON + timedelta(minutes=30),
        "finished_at": NOON + timedelta(minutes=45),
        "counter": 1,
        "clerk": "lan",
    }
    issue(store, ticket(1, day=yesterday), ticket(2, day=yesterday), ticket(3))
    with store.transaction():
        store.update_tickets([ticket(1, day=yesterday, **done), ticket(3, **done)])
    before = _tallied(store, yesterday, DAY)  # yesterday is over: kept from here on
    assert store.keep_daily_figures(Rules.of(parse_site(SITE))) == 0  # kept already
    with store.transaction():
        store.insert_rating(Rating(1, 1, 3, (), None, NOON, 1, "lan", "TP", None))
        store.append_events(
            [EventRecord(store.last_seq() + 1, "ticket.rated", NOON, None, 1, 1, "{}")]
        )
    after = _tallied(store, yesterday, DAY)
    assert after != before
