"""The kiosk against a real server (LiveServer) and the virtual printer on a TCP port."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from kiosk.app import KioskWindow
from kiosk.tablet import RatingTablet
from kiosk.texts import translator
from printer_drivers import EscposPrinter, PrinterStatus
from printer_drivers.decoder import Printout
from printer_drivers.emulator import TcpEmulator, VirtualPrinter
from queue_client import QueueClient
from queue_core.protocol import TicketOut
from tests.helpers.live_server import LiveServer
from tests.server.conftest import SITE, prepare_data_dir

WAIT_MS = 10_000
FAST_STREAM = {"base_backoff_s": 0.05, "max_backoff_s": 0.3}
PIN = "2468"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The offscreen platform warns whenever a window's size limits change; a real screen
    # does not.
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.qt_log_ignore("does not support propagateSizeHints"))


class Hall:
    """The live server and what happens beside the kiosk (clerks, a supervisor)."""

    def __init__(self, server: LiveServer, tokens: dict[str, str]) -> None:
        self.server = server
        self.tokens = tokens

    def client(self, who: str) -> QueueClient:
        return QueueClient(self.server.url, self.tokens[who])

    def waiting(self) -> list[TicketOut]:
        with self.client("sup") as sup:
            return sup.waiting()

    def ticket(self, ticket_id: int) -> TicketOut:
        with self.client("sup") as sup:
            return sup.ticket(ticket_id)

    def call_next(self, counter: int, who: str = "lan") -> TicketOut | None:
        with self.client(who) as clerk:
            return clerk.call_next(counter)

    def device_printer(self, kind: str = "kiosk") -> str | None:
        headers = {"Authorization": f"Bearer {self.tokens['admin']}"}
        response = httpx.get(f"{self.server.url}/api/devices", headers=headers)
        response.raise_for_status()
        for device in response.json():
            if device["kind"] == kind:
                printer: str | None = device["printer"]
                return printer
        raise AssertionError(f"no {kind} device")


# The test site on a 5-level scale, with reasons for dissatisfaction.
SITE_5 = SITE.replace(
    "rating_scale = 3",
    'rating_scale = 5\nrating_reasons = ["Chờ đợi quá lâu", "Thái độ phục vụ chưa tốt"]',
)


@pytest.fixture
def hall(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Hall]:
    """The live server on the test site (or the site text given by indirect parametrize)."""
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir, site_text=getattr(request, "param", SITE))
    server = LiveServer(data_dir)
    server.start()
    yield Hall(server, tokens)
    server.stop()


class TimedPrinter(VirtualPrinter):
    """The virtual printer, noting when each printout arrived (time.perf_counter())."""

    def __init__(self) -> None:
        super().__init__(out_dir=None)
        self.arrived_at: list[float] = []

    def accept(self, printout: Printout) -> None:
        if self.status.can_print:
            self.arrived_at.append(time.perf_counter())
        super().accept(printout)


@pytest.fixture
def virtual_printer() -> Iterator[tuple[TimedPrinter, str]]:
    printer = TimedPrinter()
    with TcpEmulator(printer) as endpoint:
        yield printer, endpoint.url


MakeKiosk = Callable[..., KioskWindow]


@pytest.fixture
def make_kiosk(
    qtbot: QtBot, hall: Hall, virtual_printer: tuple[TimedPrinter, str]
) -> Iterator[MakeKiosk]:
    made: list[tuple[KioskWindow, QueueClient, EscposPrinter | None]] = []

    def make(printing: bool = True, language: str = "vi", token: str = "kiosk") -> KioskWindow:
        client = QueueClient(hall.server.url, hall.tokens[token])
        printer = EscposPrinter(virtual_printer[1]) if printing else None
        window = KioskWindow(
            client,
            translator(language),
            printer=printer,
            admin_pin=PIN,
            stream_options=FAST_STREAM,
        )
        made.append((window, client, printer))
        window.may_close = True
        qtbot.addWidget(window)
        window.resize(1920, 1080)
        window.start()
        window.show()
        qtbot.waitExposed(window)
        return window

    yield make
    for window, client, printer in made:
        window.shutdown()
        client.close()
        if printer is not None:
            printer.close()


@pytest.fixture
def kiosk(qtbot: QtBot, make_kiosk: MakeKiosk) -> KioskWindow:
    """A kiosk with the virtual printer, online, its printer's status known."""
    window = make_kiosk()
    wait_ready(qtbot, window)
    qtbot.waitUntil(lambda: window.monitor.status is PrinterStatus.OK, timeout=WAIT_MS)
    return window


@pytest.fixture
def make_tablet(qtbot: QtBot, hall: Hall) -> Iterator[Callable[[int], RatingTablet]]:
    made: list[tuple[RatingTablet, QueueClient]] = []

    def make(counter: int) -> RatingTablet:
        client = QueueClient(hall.server.url, hall.tokens["rating"])
        window = RatingTablet(
            client, counter, translator("vi"), admin_pin=PIN, stream_options=FAST_STREAM
        )
        made.append((window, client))
        window.may_close = True
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.start()
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.link == "online", timeout=WAIT_MS)
        return window

    yield make
    for window, client in made:
        window.shutdown()
        client.close()


def wait_ready(qtbot: QtBot, window: KioskWindow) -> None:
    qtbot.waitUntil(lambda: window.link == "online" and bool(window.home.buttons), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.home.priority_button.isEnabled(), timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: all(b.isVisible() for b in window.home.buttons.values()), timeout=WAIT_MS
    )


def touch(qtbot: QtBot, button: QPushButton) -> None:
    """A finger on the middle of `button`."""
    name = button.text() or button.objectName()
    assert button.isVisible(), name
    assert button.isEnabled(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(button.width() // 2, 20))


def double_touch(qtbot: QtBot, button: QPushButton) -> None:
    """Two quick presses on `button`, as an impatient or trembling finger makes."""
    pos = QPoint(button.width() // 2, 20)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(button, Qt.MouseButton.LeftButton, pos=pos)
