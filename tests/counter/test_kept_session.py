"""The clerk's session kept on this PC: a restarted desk comes back signed in at its
counter the same day; expired, another day's, revoked or disabled sends it to sign-in."""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from counter_client.kept_session import SessionKeeper, end_of_local_day
from counter_client.texts import translator
from counter_client.window import CounterWindow
from queue_client import QueueClient
from queue_server.store import connect
from tests.counter.conftest import (
    FAST_STREAM,
    OFFSCREEN_NOISE,
    WAIT_MS,
    Hall,
    open_counter,
    sign_in,
)

pytestmark = OFFSCREEN_NOISE

ENDED = "Phiên làm việc trên máy này đã kết thúc. Vui lòng đăng nhập lại."
NOON = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)

MakeKept = Callable[..., CounterWindow]


@pytest.fixture
def keeper(tmp_path: Path) -> SessionKeeper:
    return SessionKeeper(tmp_path / "app-data" / "session.json")


@pytest.fixture
def make_kept(
    qtbot: QtBot, hall: Hall, settings: QSettings, keeper: SessionKeeper
) -> Iterator[MakeKept]:
    """A counter window as `motcua counter` builds it: with the session keeper."""
    clients: list[QueueClient] = []

    def make() -> CounterWindow:
        client = QueueClient(hall.server.url)
        clients.append(client)
        window = CounterWindow(
            client, translator("vi"), settings, stream_options=FAST_STREAM, keeper=keeper
        )
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    yield make
    for client in clients:
        client.close()


def at_desk(qtbot: QtBot, window: CounterWindow, number: int) -> None:
    qtbot.waitUntil(lambda: window.desk is not None, timeout=WAIT_MS)
    assert window.desk is not None
    assert window.desk.number == number


# --- the file --------------------------------------------------------------------------------


def test_the_kept_file_is_the_users_alone_and_holds_no_password(keeper: SessionKeeper) -> None:
    keeper.save("http://hall:8000/", "lan", 2, "tok-en", None)
    mode = stat.S_IMODE(keeper.path.stat().st_mode)
    assert mode == 0o600
    text = keeper.path.read_text(encoding="utf-8")
    assert "tok-en" in text
    assert "password" not in text
    kept = keeper.load("http://hall:8000")
    assert kept is not None
    assert (kept.username, kept.counter) == ("lan", 2)


def test_a_session_lasts_until_the_end_of_the_local_day(tmp_path: Path) -> None:
    clock = [NOON]
    keeper = SessionKeeper(tmp_path / "s.json", now=lambda: clock[0])
    keeper.save("http://hall", "lan", 1, "t", NOON + timedelta(days=3))
    end = end_of_local_day(NOON)
    clock[0] = end - timedelta(seconds=1)
    assert keeper.load("http://hall") is not None
    clock[0] = end  # the next day: signed out, and the file is gone
    assert keeper.load("http://hall") is None
    assert not keeper.path.exists()


def test_a_session_ends_with_its_token(tmp_path: Path) -> None:
    clock = [NOON]
    keeper = SessionKeeper(tmp_path / "s.json", now=lambda: clock[0])
    keeper.save("http://hall", "lan", 1, "t", NOON + timedelta(minutes=30))
    clock[0] = NOON + timedelta(minutes=31)
    assert keeper.load("http://hall") is None


def test_a_session_for_another_server_or_a_broken_file_is_dropped(keeper: SessionKeeper) -> None:
    keeper.save("http://hall-a", "lan", 1, "t", None)
    assert keeper.load("http://hall-b") is None
    keeper.path.write_text("{not json", encoding="utf-8")
    assert keeper.load("http://hall-a") is None
    assert not keeper.path.exists()


# --- the desk --------------------------------------------------------------------------------


def test_a_restarted_desk_comes_back_signed_in_at_its_counter(
    qtbot: QtBot, hall: Hall, make_kept: MakeKept
) -> None:
    first = make_kept()
    sign_in(qtbot, first, "lan")
    open_counter(qtbot, first, 2)
    first.close()  # as a crash: the counter stays open on the server
    again = make_kept()
    at_desk(qtbot, again, 2)
    assert again.session is not None
    assert again.session.me.subject == "lan"
    assert hall.counter(2).clerk == "Nguyễn Thị Lan"


def test_signing_out_forgets_the_session_and_revokes_its_token(
    qtbot: QtBot, hall: Hall, make_kept: MakeKept, keeper: SessionKeeper
) -> None:
    window = make_kept()
    sign_in(qtbot, window, "lan")
    open_counter(qtbot, window, 2)
    kept = keeper.load(hall.server.url)
    assert kept is not None
    window.sign_out()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.sign_in_page, timeout=WAIT_MS)
    assert not keeper.path.exists()

    def revoked() -> bool:
        with QueueClient(hall.server.url, kept.token) as old:
            try:
                old.me()
            except Exception:
                return True
            return False

    qtbot.waitUntil(revoked, timeout=WAIT_MS)
    again = make_kept()
    assert again.stack.currentWidget() is again.sign_in_page
    assert again.desk is None


@pytest.mark.parametrize("how", ["revoked", "disabled"])
def test_a_refused_session_falls_back_to_sign_in_calmly(
    qtbot: QtBot, hall: Hall, make_kept: MakeKept, keeper: SessionKeeper, how: str
) -> None:
    first = make_kept()
    sign_in(qtbot, first, "lan")
    open_counter(qtbot, first, 2)
    first.close()
    store = connect(hall.server.data_dir)
    try:
        with store.transaction():
            if how == "revoked":
                store.revoke_tokens("user", "lan", datetime.now(UTC))
            else:
                store.set_user_disabled("lan", True)
    finally:
        store.close()
    again = make_kept()
    page = again.sign_in_page
    qtbot.waitUntil(lambda: page.message.text() == ENDED, timeout=WAIT_MS)
    assert again.stack.currentWidget() is page
    assert again.desk is None
    assert page.username.text() == "lan"
    assert not keeper.path.exists()


def test_enter_opens_the_preselected_counter(qtbot: QtBot, hall: Hall, make_kept: MakeKept) -> None:
    """Sign-in to the working desk by keyboard alone."""
    window = make_kept()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    page = window.sign_in_page
    qtbot.keyClicks(page.username, "lan")
    qtbot.keyClick(page.username, Qt.Key.Key_Return)
    assert page.password.hasFocus()
    qtbot.keyClicks(page.password, "mat-khau-1")
    qtbot.keyClick(page.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.counter_page, timeout=WAIT_MS)
    chooser = window.counter_page
    assert chooser.counters.hasFocus()
    chooser.choose(3)
    qtbot.keyClick(chooser.counters, Qt.Key.Key_Return)
    at_desk(qtbot, window, 3)
    assert hall.counter(3).clerk == "Nguyễn Thị Lan"


def test_a_counter_taken_meanwhile_leaves_the_clerk_choosing_and_free_to_sign_out(
    qtbot: QtBot, hall: Hall, make_kept: MakeKept, keeper: SessionKeeper
) -> None:
    first = make_kept()
    sign_in(qtbot, first, "lan")
    open_counter(qtbot, first, 2)
    first.close()
    # Meanwhile the supervisor freed counter 2 and Hùng took it.
    with hall.client("sup") as sup:
        sup.open_counter(2, force=True)
    with hall.client("hung") as hung:
        hung.open_counter(2)
    again = make_kept()
    qtbot.waitUntil(lambda: again.stack.currentWidget() is again.counter_page, timeout=WAIT_MS)
    assert again.desk is None
    assert again.session is not None
    assert again.session.me.subject == "lan"
    again.counter_page.back_button.click()  # "Đăng xuất" before choosing
    qtbot.waitUntil(lambda: again.stack.currentWidget() is again.sign_in_page, timeout=WAIT_MS)
    assert not keeper.path.exists()
