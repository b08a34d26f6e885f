"""The board's own logic, without Qt: zones, the recent calls, dates, catalogs, options."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import click
import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner

from display_board import dates
from display_board.board import Board, Zone
from display_board.cli import command
from display_board.options import parse_codes, parse_numbers
from queue_core.model import CallMode, CounterState, TicketStatus
from queue_core.protocol import (
    BoardOut,
    CallOut,
    CounterOut,
    DisplaySettings,
    ServiceOut,
    Snapshot,
    TicketCalled,
    TicketCompleted,
    TicketOut,
    TicketRecalled,
)

PACKAGE = Path(__file__).parents[2] / "display_board"
AT = datetime(2026, 11, 23, 9, 0, tzinfo=timezone(timedelta(hours=7)))


def ticket(number: str, service: str = "TP", ident: int = 1, counter: int | None = 1) -> TicketOut:
    return TicketOut(
        id=ident,
        number=number,
        service=service,
        service_name={"TP": "Tư pháp – Hộ tịch", "DD": "Đất đai"}[service],
        status=TicketStatus.CALLED,
        issued_at=AT,
        called_at=AT,
        counter=counter,
        waiting_ahead=0,
        estimated_wait_minutes=0,
    )


def counter(number: int, services: list[str]) -> CounterOut:
    return CounterOut(
        number=number,
        name=f"Quầy {number}",
        services=services,
        call_mode=CallMode.LONGEST_WAITING,
        state=CounterState.OPEN,
    )


def service(code: str, waiting: int) -> ServiceOut:
    return ServiceOut(
        code=code,
        name=code,
        prefix="1",
        waiting=waiting,
        open=True,
        estimated_wait_minutes=0,
        issued_today=0,
        waiting_target_minutes=20,
    )


def snapshot(
    seq: int = 10,
    calls: list[CallOut] | None = None,
    history: int = 8,
    boards: list[BoardOut] | None = None,
) -> Snapshot:
    return Snapshot(
        seq=seq,
        at=AT,
        display=DisplaySettings(
            site_name="Trung tâm",
            agency=None,
            call_phrase="{number} {counter}",
            ticker="",
            spotlight_seconds=20,
            history=history,
            reading="words",
            repeat=2,
            boards=boards or [],
        ),
        counters=[counter(1, ["TP"]), counter(2, ["TP", "DD"]), counter(3, ["DD"])],
        services=[service("TP", 4), service("DD", 2)],
        latest_calls=calls or [],
    )


def called(
    seq: int, number: str, at_counter: int, service: str = "TP", at: datetime = AT
) -> TicketCalled:
    return TicketCalled(seq=seq, at=at, ticket=ticket(number, service, seq), counter=at_counter)


def test_a_zone_of_counters_shows_their_services_and_calls() -> None:
    board = Board(Zone(counters=frozenset({3})))
    board.apply_snapshot(snapshot(), AT)
    assert [c.number for c in board.shown_counters()] == [3]
    assert [s.code for s in board.shown_services()] == ["DD"]
    assert board.apply_event(called(11, "1001", 1), True, AT) is None
    call = board.apply_event(called(12, "2001", 3, "DD"), True, AT)
    assert call is not None
    assert (call.number, call.counter) == ("2001", 3)


def test_a_zone_of_services_shows_the_counters_that_serve_them() -> None:
    board = Board(Zone(services=frozenset({"DD"})))
    board.apply_snapshot(snapshot(), AT)
    assert [c.number for c in board.shown_counters()] == [2, 3]
    assert [s.code for s in board.shown_services()] == ["DD"]
    assert board.apply_event(called(11, "1001", 2), True, AT) is None  # a TP ticket at 2


def test_a_named_board_takes_its_zone_from_each_snapshot() -> None:
    calls = [
        CallOut(seq=2, at=AT, number="2001", counter=3, service="DD"),
        CallOut(seq=1, at=AT, number="1001", counter=1, service="TP"),
    ]
    board = Board(name="Sảnh A")
    board.apply_snapshot(snapshot(calls=calls, boards=[BoardOut(name="Sảnh A", counters=[1])]), AT)
    assert not board.unknown_name
    assert [c.number for c in board.shown_counters()] == [1]
    assert [c.number for c in board.history] == ["1001"]  # its calls only
    assert board.apply_event(called(11, "2002", 3, "DD"), True, AT) is None
    # The site changed (`site.updated` brings a snapshot): the board follows it.
    board.apply_snapshot(
        snapshot(calls=calls, boards=[BoardOut(name="Sảnh A", services=["DD"])]), AT
    )
    assert [c.number for c in board.shown_counters()] == [2, 3]
    assert [c.number for c in board.history] == ["2001"]
    assert board.apply_event(called(12, "2003", 3, "DD"), True, AT) is not None


def test_a_name_the_site_does_not_have_shows_everything_and_knows_it() -> None:
    board = Board(name="Sảnh B")
    board.apply_snapshot(snapshot(boards=[BoardOut(name="Sảnh A", counters=[1])]), AT)
    assert board.unknown_name
    assert [c.number for c in board.shown_counters()] == [1, 2, 3]
    board.apply_snapshot(snapshot(boards=[BoardOut(name="Sảnh B", counters=[2])]), AT)
    assert not board.unknown_name
    assert [c.number for c in board.shown_counters()] == [2]


def test_an_unnamed_board_keeps_its_command_line_zone_whatever_the_site_names() -> None:
    board = Board(Zone(counters=frozenset({3})))
    board.apply_snapshot(snapshot(boards=[BoardOut(name="Sảnh A", counters=[1])]), AT)
    assert [c.number for c in board.shown_counters()] == [3]


def test_the_recent_calls_keep_each_number_once_newest_first_and_cut_at_history() -> None:
    calls = [
        CallOut(seq=3, at=AT, number="1002", counter=1, service="TP"),
        CallOut(seq=2, at=AT, number="1001", counter=2, service="TP", recall=True),
        CallOut(seq=1, at=AT, number="1001", counter=2, service="TP"),
    ]
    board = Board()
    board.apply_snapshot(snapshot(calls=calls, history=2), AT)
    assert [(c.number, c.counter) for c in board.history] == [("1002", 1), ("1001", 2)]
    recall = TicketRecalled(seq=11, at=AT, ticket=ticket("1001", ident=9), counter=2)
    assert board.apply_event(recall, True, AT) is not None
    assert [c.number for c in board.history] == ["1001", "1002"]
    assert board.history[0].recall


def test_a_replayed_call_changes_nothing_but_is_said_if_recent() -> None:
    board = Board()
    board.apply_snapshot(snapshot(), AT)
    old = called(5, "1001", 1, at=AT - timedelta(minutes=5))
    assert board.apply_event(old, False, AT) is None
    fresh = called(6, "1002", 1, at=AT - timedelta(seconds=3))
    assert board.apply_event(fresh, False, AT) is not None
    assert board.apply_event(fresh, False, AT) is None  # never said twice
    assert board.history == []  # the snapshot already holds what was replayed
    assert board.shown_counters()[0].current_ticket is None


def test_a_finished_ticket_leaves_its_counter() -> None:
    board = Board()
    board.apply_snapshot(snapshot(), AT)
    board.apply_event(called(11, "1001", 1), True, AT)
    assert board.counters[0].current_ticket is not None
    done = TicketCompleted(seq=12, at=AT, ticket=ticket("1001", ident=11), counter=1)
    board.apply_event(done, True, AT)
    assert board.counters[0].current_ticket is None


def test_the_time_shown_is_the_servers_in_the_sites_offset() -> None:
    board = Board()
    machine_now = datetime(2026, 11, 23, 1, 58, tzinfo=UTC)  # this PC is 2 minutes slow
    board.apply_snapshot(snapshot(), machine_now)
    shown = board.server_time(machine_now + timedelta(seconds=30))
    assert (shown.hour, shown.minute, shown.second) == (9, 0, 30)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (23, "Thứ Hai, 23/11/2026 09:00"),
        (24, "Thứ Ba, 24/11/2026 09:00"),
        (25, "Thứ Tư, 25/11/2026 09:00"),
        (26, "Thứ Năm, 26/11/2026 09:00"),
        (27, "Thứ Sáu, 27/11/2026 09:00"),
        (28, "Thứ Bảy, 28/11/2026 09:00"),
        (29, "Chủ Nhật, 29/11/2026 09:00"),
    ],
)
def test_dates_are_written_the_vietnamese_way(day: int, expected: str) -> None:
    from display_board.app import LOCALE_DIR
    from queue_client.i18n import Translator

    translate = Translator(LOCALE_DIR, "display_board").gettext
    assert dates.clock_text(AT.replace(day=day), translate) == expected


def _messages_in_source() -> set[str]:
    """Every literal passed to a translate function (`self._t(...)`, `translate(...)`)."""
    found: set[str] = set(dates.WEEKDAYS)
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "_t"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.add(node.args[0].value)
    return found


def test_the_vietnamese_catalog_translates_every_message() -> None:
    catalogs = {}
    for language in ("vi", "en"):
        with (PACKAGE / "locale" / language / "LC_MESSAGES" / "display_board.po").open("rb") as f:
            catalogs[language] = {m.id: m.string for m in read_po(f) if m.id}
    used = _messages_in_source()
    assert len(used) > 15
    assert used <= set(catalogs["vi"]), used - set(catalogs["vi"])
    assert set(catalogs["vi"]) == set(catalogs["en"])
    assert all(catalogs["vi"][m] for m in catalogs["vi"]), "untranslated messages"


def test_zone_options_are_parsed_or_refused() -> None:
    assert parse_numbers("1, 2,3") == {1, 2, 3}
    assert parse_numbers(None) == frozenset()
    assert parse_codes("TP,DD") == {"TP", "DD"}
    for bad in ("1,x", "0", "1000"):
        with pytest.raises(click.BadParameter):
            parse_numbers(bad)
    with pytest.raises(click.BadParameter):
        parse_codes("T P")


def test_the_command_line_has_the_contracts_flags() -> None:
    result = CliRunner().invoke(command, ["--help"])
    assert result.exit_code == 0
    for flag in (
        "--server",
        "--token",
        "--windowed",
        "--counters",
        "--services",
        "--speaker",
        "--silent",
        "--volume",
        "--rate",
        "--language",
        "--board",
    ):
        assert flag in result.output
    refused = CliRunner().invoke(
        command, ["--server", "http://x", "--token", "t", "--counters", "a"]
    )
    assert refused.exit_code == 2
    assert "counter numbers" in refused.output


def test_a_named_board_takes_no_zone_of_its_own_on_the_command_line() -> None:
    refused = CliRunner().invoke(
        command, ["--server", "http://x", "--token", "t", "--board", "Sảnh A", "--counters", "1"]
    )
    assert refused.exit_code == 2
    assert "--board" in refused.output
    empty = CliRunner().invoke(command, ["--server", "http://x", "--token", "t", "--board", " "])
    assert empty.exit_code == 2


def test_the_autostart_line_carries_the_boards_name() -> None:
    from motcua.cli import main

    env = {"MOTCUA_TOKEN": None, "MOTCUA_ADMIN_PIN": None}
    args = ["autostart", "display", "--server", "http://10.0.0.2:8000", "--board", "Sảnh A"]
    printed = CliRunner().invoke(main, [*args, "--print"], env=env)
    assert printed.exit_code == 0, printed.output
    [start] = [line for line in printed.output.splitlines() if line.startswith("ExecStart=")]
    assert '--board "Sảnh A"' in start
    # Checked by the board's own command at install time, not at boot.
    refused = CliRunner().invoke(main, [*args, "--counters", "1", "--print"], env=env)
    assert refused.exit_code == 2
    assert "--board" in refused.output
