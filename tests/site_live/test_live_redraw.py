"""`motcua site apply` while a kiosk, a counter desk and a wall board are connected to a
real `motcua serve` (issue #13): each kind of change reaches all three through
`site.updated`, with no restart; the day's numbering goes on without a gap or a repeat; a
waiting ticket keeps its number through a rename and a new prefix; a refused change
changes nothing anywhere.

Each app runs offscreen as in the hall; the test only edits the site file, runs the real
command, and waits (`qtbot.waitUntil`) for what a person would see.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from counter_client.texts import translator as counter_translator
from counter_client.window import CounterWindow
from display_board.app import LOCALE_DIR
from display_board.window import BoardWindow
from kiosk.app import KioskWindow
from kiosk.texts import translator as kiosk_translator
from queue_client import QueueClient
from queue_client.i18n import Translator
from queue_client.qt import EventBridge, install_fonts
from queue_core.protocol import TicketOut
from tests.counter.conftest import open_counter, sign_in
from tests.helpers.server_process import ServerProcess, motcua, serve
from tests.kiosk.conftest import PIN, wait_ready
from tests.server.conftest import prepare_data_dir

pytestmark = [
    pytest.mark.slow,
    # The offscreen platform warns whenever a window's size limits change; a screen does not.
    pytest.mark.qt_log_ignore("does not support propagateSizeHints"),
]

WAIT_MS = 15_000
FAST_STREAM = {"base_backoff_s": 0.05, "max_backoff_s": 0.3}

SITE: dict[str, Any] = {
    "site": {"name": "Trung tâm Phục vụ hành chính công xã Thử Nghiệm"},
    "display": {"ticker": "Xin chào"},
    "services": [
        {"code": "TP", "name": "Tư pháp – Hộ tịch", "prefix": "1"},
        {"code": "DD", "name": "Đất đai", "prefix": "2"},
    ],
    "counters": [
        {"number": 1, "name": "Quầy 1", "services": ["TP"]},
        {"number": 2, "name": "Quầy 2", "services": ["TP", "DD"]},
        {"number": 3, "name": "Quầy 3", "services": ["DD"]},
    ],
    "boards": [{"name": "Sảnh A", "counters": [2, 3]}],
}


class Hall:
    """`motcua serve` with a kiosk, Lan's desk at counter 2 and the board "Sảnh A"."""

    def __init__(
        self, qtbot: QtBot, server: ServerProcess, data_dir: Path, tokens: dict[str, str]
    ) -> None:
        self.qtbot = qtbot
        self.server = server
        self.data_dir = data_dir
        self.tokens = tokens
        self.site = copy.deepcopy(SITE)
        self.clients: list[QueueClient] = []
        # Every snapshot each app's stream delivered: one per connection, one per change.
        self.snapshots: Counter[str] = Counter()

        self.kiosk = KioskWindow(
            self._client("kiosk"),
            kiosk_translator("vi"),
            admin_pin=PIN,
            stream_options=FAST_STREAM,
        )
        self.kiosk.may_close = True
        qtbot.addWidget(self.kiosk)
        self.kiosk.resize(1280, 800)
        self.kiosk.start()
        self.kiosk.bridge.snapshot_received.connect(lambda _s: self._got("kiosk"))
        self.kiosk.show()
        wait_ready(qtbot, self.kiosk)

        settings = QSettings(str(data_dir.parent / "counter.ini"), QSettings.Format.IniFormat)
        self.desk = CounterWindow(
            self._client(None), counter_translator("vi"), settings, stream_options=FAST_STREAM
        )
        qtbot.addWidget(self.desk)
        self.desk.show()
        qtbot.waitExposed(self.desk)
        sign_in(qtbot, self.desk, "lan")
        open_counter(qtbot, self.desk, 2)

        self.board = BoardWindow(
            Translator(LOCALE_DIR, "display_board", "vi"),
            board="Sảnh A",
            font_family=install_fonts(),
        )
        qtbot.addWidget(self.board)
        self.bridge = EventBridge(
            server.url, tokens["display"], base_backoff_s=0.05, max_backoff_s=0.2
        )
        self.board.follow(self.bridge)
        self.bridge.snapshot_received.connect(lambda _s: self._got("board"))
        self.board.resize(1920, 1080)
        self.board.show()
        self.bridge.start()
        qtbot.waitUntil(lambda: self.board.banner_text() is None, timeout=WAIT_MS)

    def _client(self, who: str | None) -> QueueClient:
        client = QueueClient(self.server.url, self.tokens[who] if who else None)
        self.clients.append(client)
        return client

    def _got(self, app: str) -> None:
        self.snapshots[app] += 1

    def close(self) -> None:
        self.bridge.stop()
        if self.desk.desk is not None:
            self.desk.desk.stop()
        self.kiosk.shutdown()
        for client in self.clients:
            client.close()

    # --- the administrator -------------------------------------------------------------

    def apply(self) -> list[str]:
        """`motcua site apply` of `self.site`; its lines. The apps' snapshot counts move
        by one each, or the test fails: every change reaches them as `site.updated`."""
        before = dict(self.snapshots)
        result = self._run_apply()
        assert result.returncode == 0, result.stderr + result.stdout
        self.qtbot.waitUntil(
            lambda: all(self.snapshots[app] == before[app] + 1 for app in before),
            timeout=WAIT_MS,
        )
        *lines, running = result.stdout.splitlines()
        assert running.startswith("Máy chủ đang chạy sẽ áp dụng thay đổi"), running
        return lines

    def _run_apply(self) -> Any:
        site_file = self.data_dir.parent / "site-edit.toml"
        site_file.write_text(tomli_w.dumps(self.site), encoding="utf-8")
        return motcua("site", "apply", str(site_file), "--data-dir", str(self.data_dir))

    def service(self, code: str) -> dict[str, Any]:
        return next(s for s in self.site["services"] if s["code"] == code)

    def counter(self, number: int) -> dict[str, Any]:
        return next(c for c in self.site["counters"] if c["number"] == number)

    # --- the hall ----------------------------------------------------------------------

    def issue(self, service: str) -> TicketOut:
        with QueueClient(self.server.url, self.tokens["kiosk"]) as kiosk:
            return kiosk.issue(service)

    def ticket(self, ticket_id: int) -> TicketOut:
        with QueueClient(self.server.url, self.tokens["sup"]) as sup:
            return sup.ticket(ticket_id)

    def kiosk_buttons(self) -> dict[str, str]:
        return {code: b.title.text() for code, b in self.kiosk.home.buttons.items()}

    def desk_place(self) -> str:
        assert self.desk.desk_page is not None
        return str(self.desk.desk_page.place.text())

    def desk_waiting(self) -> list[str]:
        assert self.desk.desk is not None
        return [t.number for t in self.desk.desk.waiting]

    def board_waiting(self) -> list[str]:
        return [s.name for s in self.board.board.shown_services()]


@pytest.fixture
def hall(qtbot: QtBot, tmp_path: Path) -> Iterator[Hall]:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir, site_text=tomli_w.dumps(SITE))
    with serve(data_dir) as server:
        hall = Hall(qtbot, server, data_dir, tokens)
        try:
            yield hall
        finally:
            hall.close()
            server.stop_cleanly()


def test_every_kind_of_change_is_redrawn_live_and_numbering_goes_on(
    qtbot: QtBot, hall: Hall
) -> None:
    wait = qtbot.waitUntil
    assert hall.kiosk_buttons() == {"TP": "Tư pháp – Hộ tịch", "DD": "Đất đai"}
    assert hall.desk_place() == "Quầy 2 · Tư pháp – Hộ tịch, Đất đai"
    assert list(hall.board.counter_numbers()) == [2, 3]
    tp1, dd1 = hall.issue("TP"), hall.issue("DD")
    wait(lambda: hall.desk_waiting() == [tp1.number, dd1.number], timeout=WAIT_MS)

    # A service added, with a counter to serve it: a new button, a new waiting row.
    hall.site["services"].append({"code": "CT", "name": "Cư trú", "prefix": "3"})
    hall.counter(3)["services"] = ["DD", "CT"]
    assert hall.apply() == [
        "Lĩnh vực CT: thêm 'Cư trú', số từ 3001 / Service CT: added 'Cư trú', numbered from 3001",
        "Quầy 3: phục vụ DD → DD CT / Counter 3: serves DD → DD CT",
    ]
    wait(lambda: "CT" in hall.kiosk.home.buttons, timeout=WAIT_MS)
    assert hall.kiosk_buttons()["CT"] == "Cư trú"
    assert hall.board_waiting() == ["Tư pháp – Hộ tịch", "Đất đai", "Cư trú"]
    ct1 = hall.issue("CT")

    # A rename: the waiting ticket keeps its number, everything says the new name.
    hall.service("TP")["name"] = "Tư pháp – Chứng thực"
    hall.apply()
    assert hall.kiosk_buttons()["TP"] == "Tư pháp – Chứng thực"
    # The desk's stream is its own: it may take its snapshot a moment after the others.
    wait(lambda: hall.desk_place() == "Quầy 2 · Tư pháp – Chứng thực, Đất đai", timeout=WAIT_MS)
    assert hall.board_waiting()[0] == "Tư pháp – Chứng thực"
    assert hall.ticket(tp1.id).number == tp1.number == "1001"
    assert hall.ticket(tp1.id).status.value == "waiting"
    tp2 = hall.issue("TP")
    assert tp2.service_name == "Tư pháp – Chứng thực"

    # A new prefix: numbers issued keep theirs; the day's sequence goes on under it.
    hall.service("DD")["prefix"] = "4"
    hall.apply()
    assert hall.ticket(dd1.id).number == "2001"
    dd2 = hall.issue("DD")
    assert dd2.number == "4002"

    # Counter 2 re-hosted: the desk's list follows its new services.
    hall.counter(2)["services"] = ["DD", "CT"]
    hall.apply()
    assert hall.desk.desk is not None
    wait(lambda: hall.desk.desk.counter.services == ["DD", "CT"], timeout=WAIT_MS)
    wait(lambda: hall.desk_waiting() == [dd1.number, ct1.number, dd2.number], timeout=WAIT_MS)
    wait(lambda: hall.desk_place() == "Quầy 2 · Đất đai, Cư trú", timeout=WAIT_MS)
    assert hall.board_waiting() == ["Đất đai", "Cư trú"]  # TP: no longer at 2 or 3

    # A service and a counter retired, once nobody waits for them, then brought back: the
    # service goes on past its numbers, the counter is on the board again.
    with QueueClient(hall.server.url, hall.tokens["hung"]) as clerk:
        clerk.open_counter(3)
        called = [clerk.call_next(3) for _ in range(3)]  # dd1, ct1, dd2
        clerk.call_next(3)  # completes the last one; nothing waits
        clerk.close_counter(3)
    assert {t.id for t in called if t is not None} == {dd1.id, ct1.id, dd2.id}
    hall.service("CT")["retired"] = True
    hall.counter(2)["services"] = ["DD"]
    hall.counter(3)["retired"] = True  # it may keep CT: a retired counter serves nothing
    hall.apply()
    assert "CT" not in hall.kiosk.home.buttons
    assert list(hall.board.counter_numbers()) == [2]
    assert hall.board_waiting() == ["Đất đai"]
    hall.service("CT")["retired"] = False
    hall.counter(3)["retired"] = False
    hall.apply()
    wait(lambda: "CT" in hall.kiosk.home.buttons, timeout=WAIT_MS)
    assert list(hall.board.counter_numbers()) == [2, 3]
    ct2 = hall.issue("CT")
    assert ct2.number == "3002"

    # Hours, ticker and call phrase.
    hall.service("DD")["hours"] = {"default": []}
    hall.site["display"]["ticker"] = "Hôm nay làm việc đến 17 giờ"
    hall.site["site"]["call_phrase"] = "Xin mời số {number} đến quầy {counter}"
    hall.apply()
    wait(lambda: not hall.kiosk.home.buttons["DD"].service.open, timeout=WAIT_MS)
    assert hall.board.ticker.text == "Hôm nay làm việc đến 17 giờ"
    assert hall.board.board.display is not None
    assert hall.board.board.display.call_phrase == "Xin mời số {number} đến quầy {counter}"

    # The board's own counters: it shows, lists and spotlights only counter 1's calls.
    hall.site["boards"] = [{"name": "Sảnh A", "counters": [1]}]
    assert hall.apply() == [
        "Màn hình Sảnh A: hiện quầy 1 / Board Sảnh A: shows counters 1",
    ]
    assert list(hall.board.counter_numbers()) == [1]
    assert hall.board_waiting() == ["Tư pháp – Chứng thực"]
    assert hall.board.history_numbers() == []  # counter 3's calls are not its own
    with QueueClient(hall.server.url, hall.tokens["hung"]) as clerk:
        clerk.open_counter(1)
        first = clerk.call_next(1)
    assert first is not None
    assert first.id == tp1.id
    wait(lambda: hall.board.history_numbers() == ["1001"], timeout=WAIT_MS)
    assert hall.board.spotlight.number.text() == "1001"

    # No restart anywhere: one connection each, then one snapshot per change (eight).
    assert hall.snapshots == {"kiosk": 9, "board": 9}
    # The day's numbers: per service one run 1, 2, 3…, none printed twice.
    tickets = [hall.ticket(i) for i in range(1, ct2.id + 1)]
    numbers = [t.number for t in tickets]
    assert numbers == ["1001", "2001", "3001", "1002", "4002", "3002"]
    by_service: dict[str, list[int]] = {}
    for t in tickets:
        by_service.setdefault(t.service, []).append(int(t.number[-3:]))
    assert by_service == {"TP": [1, 2], "DD": [1, 2], "CT": [1, 2]}


def test_a_refused_change_changes_nothing_anywhere(qtbot: QtBot, hall: Hall) -> None:
    waiting = hall.issue("DD")
    qtbot.waitUntil(lambda: hall.desk_waiting() == [waiting.number], timeout=WAIT_MS)
    exported = motcua("site", "export", "--data-dir", str(hall.data_dir)).stdout
    before = (hall.kiosk_buttons(), hall.desk_place(), hall.board_waiting(), dict(hall.snapshots))

    # DD retired while 2001 waits, with a rename and a board change in the same file.
    hall.service("DD")["retired"] = True
    hall.service("TP")["name"] = "Tư pháp mới"
    hall.counter(2)["services"] = ["TP"]
    hall.counter(3)["retired"] = True
    hall.site["boards"] = [{"name": "Sảnh A", "counters": [1]}]
    refused = hall._run_apply()
    assert refused.returncode == 1
    assert "lĩnh vực DD ngừng cấp số khi vẫn còn số đang chờ: 2001" in refused.stderr

    # Nothing stored: the export is the same, and a harmless change after it is the only
    # thing the apps ever hear of (one snapshot each, with the old names and board).
    after = motcua("site", "export", "--data-dir", str(hall.data_dir)).stdout
    assert after.splitlines()[2:] == exported.splitlines()[2:]
    hall.site = copy.deepcopy(SITE)
    hall.site["display"]["ticker"] = "Chỉ dòng chữ này đổi"
    hall.apply()
    assert hall.board.ticker.text == "Chỉ dòng chữ này đổi"
    assert (hall.kiosk_buttons(), hall.desk_place(), hall.board_waiting()) == before[:3]
    assert list(hall.board.counter_numbers()) == [2, 3]
    assert hall.ticket(waiting.id).status.value == "waiting"
    assert hall.issue("DD").number == "2002"
