"""Signing in and choosing the counter, remembered on this machine."""

from __future__ import annotations

import threading

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QSettings
from pytestqt.qtbot import QtBot

from counter_client.keys import Command
from counter_client.window import COUNTER_KEY, CounterWindow
from queue_client import NotAuthenticated
from tests.counter.conftest import (
    OFFSCREEN_NOISE,
    WAIT_MS,
    Hall,
    MakeWindow,
    desk_of,
    open_counter,
    sign_in,
)

pytestmark = OFFSCREEN_NOISE


def test_a_wrong_password_is_said_calmly(qtbot: QtBot, make_window: MakeWindow) -> None:
    window = make_window()
    page = window.sign_in_page
    page.username.setText("lan")
    page.password.setText("not her password")
    page.submit.click()
    qtbot.waitUntil(
        lambda: page.message.text() == "Sai tên đăng nhập hoặc mật khẩu.", timeout=WAIT_MS
    )
    assert window.stack.currentWidget() is page
    assert page.submit.isEnabled()


def test_another_clerks_counter_is_refused_with_their_name(
    qtbot: QtBot, hall: Hall, make_window: MakeWindow
) -> None:
    with hall.client("hung") as hung:
        hung.open_counter(3)
    window = make_window()
    sign_in(qtbot, window, "lan")
    chooser = window.counter_page
    chooser.choose(3)
    chooser.open_button.click()
    qtbot.waitUntil(lambda: "Trần Văn Hùng" in chooser.message.text(), timeout=WAIT_MS)
    assert chooser.message.text().startswith(
        "Quầy số 3 đang do cán bộ Trần Văn Hùng phụ trách. Vui lòng chọn quầy khác"
    )
    assert chooser.take_over.isHidden()  # a clerk cannot force it
    assert window.desk is None
    assert hall.counter(3).clerk == "Trần Văn Hùng"


def test_a_supervisor_may_take_a_counter_over(
    qtbot: QtBot, hall: Hall, make_window: MakeWindow
) -> None:
    with hall.client("hung") as hung:
        hung.open_counter(3)
    window = make_window()
    sign_in(qtbot, window, "sup")
    chooser = window.counter_page
    chooser.choose(3)
    chooser.open_button.click()
    assert "Trần Văn Hùng" in chooser.message.text()
    assert chooser.take_over.isVisibleTo(chooser)
    chooser.take_over.click()
    qtbot.waitUntil(lambda: window.desk is not None, timeout=WAIT_MS)
    assert hall.counter(3).clerk is None  # freed: Hùng is signed out of it


def test_the_counter_is_remembered_on_this_machine(
    qtbot: QtBot, make_window: MakeWindow, settings: QSettings
) -> None:
    first = make_window()
    sign_in(qtbot, first, "lan")
    open_counter(qtbot, first, 2)
    assert int(str(settings.value(COUNTER_KEY))) == 2
    first.close()
    again = make_window()
    assert again.sign_in_page.username.text() == "lan"
    sign_in(qtbot, again, "lan")
    chosen = again.counter_page.chosen()
    assert chosen is not None
    assert chosen.number == 2
    # --counter overrides what the machine remembers.
    told = make_window(counter=3)
    sign_in(qtbot, told, "lan")
    chosen = told.counter_page.chosen()
    assert chosen is not None
    assert chosen.number == 3


def test_sign_out_closes_the_counter_for_the_next_clerk(
    qtbot: QtBot, hall: Hall, desk_window: CounterWindow
) -> None:
    assert hall.counter(1).clerk == "Nguyễn Thị Lan"
    page = desk_window.desk_page
    assert page is not None
    page.sign_out.click()
    qtbot.waitUntil(
        lambda: desk_window.stack.currentWidget() is desk_window.sign_in_page, timeout=WAIT_MS
    )
    assert desk_window.sign_in_page.message.text() == "Đã đăng xuất. Quầy đã đóng."
    state = hall.counter(1)
    assert (state.state, state.clerk) == ("closed", None)
    assert desk_window.desk is None


def test_a_read_answered_after_sign_out_never_reaches_the_deleted_desk(
    qtbot: QtBot, desk_window: CounterWindow
) -> None:
    """A desk's read still on its way when the clerk signs out comes back refused (the
    token is revoked); the desk is gone by then, so the answer is dropped, not emitted
    from a deleted object."""
    desk = desk_of(desk_window)
    client = desk_window.client
    gate = threading.Event()
    raised: list[Exception] = []
    reached: list[object] = []

    def read_behind_the_gate() -> object:
        gate.wait(WAIT_MS / 1000)
        try:
            return client.waiting(1, 40)
        except Exception as exc:
            raised.append(exc)
            raise

    desk.background(read_behind_the_gate, reached.append, desk.handle_auth_failure)
    page = desk_window.desk_page
    assert page is not None
    page.sign_out.click()
    qtbot.waitUntil(lambda: desk_window.desk is None, timeout=WAIT_MS)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(desk)
    gate.set()
    qtbot.waitUntil(lambda: desk_window.jobs.busy == 0, timeout=WAIT_MS)
    assert [type(exc) for exc in raised] == [NotAuthenticated]
    assert reached == []
    assert desk_window.stack.currentWidget() is desk_window.sign_in_page


def test_a_revoked_session_returns_to_sign_in(
    qtbot: QtBot, hall: Hall, desk_window: CounterWindow
) -> None:
    desk_window.client.token = "no-longer-valid"
    desk_window.run_command(Command.CALL_NEXT)
    qtbot.waitUntil(
        lambda: desk_window.stack.currentWidget() is desk_window.sign_in_page, timeout=WAIT_MS
    )
    assert "đăng nhập lại" in desk_window.sign_in_page.message.text()


def test_the_desk_says_when_another_clerk_has_taken_the_counter(
    qtbot: QtBot, hall: Hall, desk_window: CounterWindow
) -> None:
    with hall.client("sup") as supervisor, hall.client("hung") as hung:
        supervisor.open_counter(1, force=True)
        hung.open_counter(1)
    page = desk_window.desk_page
    assert page is not None
    qtbot.waitUntil(
        lambda: "Quầy số 1 đang do cán bộ Trần Văn Hùng phụ trách." in page.banner.text(),
        timeout=WAIT_MS,
    )
