"""What the ticket kiosk and the rating tablet share: the window, its header, the live
link to the server, the idle timeout, the language and large-text switches, and the staff
PIN that guards leaving full screen."""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QFont, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.admin import AdminMenu, PinScreen
from kiosk.admin_pin import AdminPin
from kiosk.printing import PrinterMonitor
from kiosk.style import scale_for, stylesheet
from kiosk.texts import translator
from kiosk.widgets import Header
from printer_drivers import TicketPrinter
from queue_client import LinkState, QueueClient
from queue_client.i18n import DEFAULT_LANGUAGE, Translator
from queue_client.qt import EventBridge, Runner, install_fonts
from queue_core.protocol import Snapshot, StreamEvent

log = logging.getLogger(__name__)

IDLE_MS = 60_000  # home resets to Vietnamese, normal text, after a minute without a touch
ADMIN_MS = 30_000
_INPUT = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.TouchBegin,
        QEvent.Type.KeyPress,
    }
)


class KioskShell(QMainWindow):
    """The frame of a touch screen that stands in the hall.

    Args:
        client: the REST client, with this device's token.
        tr: the language (switchable by the citizen; back to Vietnamese when idle).
        printer: the ticket printer, or None.
        admin_pin: the PIN that lets staff leave full screen or close the app.
        stream_options: for the event stream (tests shorten its backoff).
    """

    def __init__(
        self,
        client: QueueClient,
        tr: Translator | None = None,
        *,
        printer: TicketPrinter | None = None,
        admin_pin: str | AdminPin = "",
        stream_options: dict[str, float] | None = None,
    ) -> None:
        super().__init__()
        self.client = client
        self.texts = tr or translator()
        self.default_language = self.texts.language
        self.contrast = False
        self.link = LinkState.CONNECTING.value
        self.may_close = False
        self._scale = 0.0
        self._timeouts: dict[QWidget, int] = {}
        self.runner = Runner(4, self)
        self.monitor = PrinterMonitor(printer, client, self.runner, parent=self)

        self.setFont(QFont(install_fonts(), 14))
        self.header = Header()
        self.stack = QStackedWidget()
        root = QWidget()
        root.setObjectName("screen")
        layout = QVBoxLayout(root)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(root)

        self.pin_screen = PinScreen(self.texts, admin_pin)
        self.admin_menu = AdminMenu(self.texts)
        self.add_screen(self.pin_screen, ADMIN_MS)
        self.add_screen(self.admin_menu, ADMIN_MS)
        self.header.admin_held.connect(self.open_admin)
        self.header.language_clicked.connect(self.toggle_language)
        self.header.contrast_clicked.connect(self.toggle_contrast)
        self.pin_screen.unlocked.connect(self._unlocked)
        self.pin_screen.cancelled.connect(self.go_home)
        self.admin_menu.back.connect(self.go_home)
        self.admin_menu.leave_full_screen.connect(self._leave_full_screen)
        self.admin_menu.close_app.connect(self._close_app)

        self._idle = QTimer(self, singleShot=True)
        self._idle.timeout.connect(self._idle_timeout)
        self.bridge = EventBridge(
            client.base_url, client.token or "", self, **(stream_options or {})
        )
        self.bridge.snapshot_received.connect(self.on_snapshot)
        self.bridge.event_received.connect(self.on_event)
        self.bridge.link_changed.connect(self._link_changed)
        self._app = QApplication.instance()
        if self._app is not None:
            self._app.installEventFilter(self)
        self.resize(1280, 720)

    # --- for the windows built on it --------------------------------------------------------

    def add_screen(self, screen: QWidget, timeout_ms: int | None) -> None:
        """A screen of the stack; `timeout_ms` of no touch there goes home (None: never)."""
        # The screen's size is the window's: no screen may push the window past it (a
        # portrait layout would otherwise keep a landscape window tall).
        screen.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.stack.addWidget(screen)
        if timeout_ms is not None:
            self._timeouts[screen] = timeout_ms

    def show_screen(self, screen: QWidget, timeout_ms: int | None = None) -> None:
        if timeout_ms is not None:
            self._timeouts[screen] = timeout_ms
        self.stack.setCurrentWidget(screen)
        self._arm()

    def go_home(self) -> None:
        raise NotImplementedError

    def on_snapshot(self, snapshot: Snapshot) -> None:
        self.header.set_site(snapshot.display.agency, snapshot.display.site_name)

    def on_event(self, event: StreamEvent, live: bool) -> None:
        pass

    def on_link(self, state: str) -> None:
        pass

    def retranslate(self) -> None:
        self.header.retranslate(self.texts, self.contrast)
        self.pin_screen.retranslate()
        self.admin_menu.retranslate()

    def start(self) -> None:
        """Connect to the server and start watching the printer."""
        self.apply_style()
        self.retranslate()
        self.bridge.start()
        self.monitor.start()

    def shutdown(self) -> None:
        """Stop the link, the printer's thread and the workers (idempotent)."""
        if self._app is not None:
            self._app.removeEventFilter(self)
            self._app = None
        self._idle.stop()
        self.bridge.stop()
        self.monitor.close()
        self.runner.close()

    # --- citizens' switches ------------------------------------------------------------------

    def toggle_language(self) -> None:
        self.texts.set_language("en" if self.texts.language == "vi" else "vi")
        self.retranslate()

    def toggle_contrast(self) -> None:
        self.contrast = not self.contrast
        self.apply_style(force=True)
        self.retranslate()

    def reset_citizen(self) -> None:
        """Back to the defaults for the next citizen."""
        if self.texts.language != self.default_language:
            self.texts.set_language(self.default_language or DEFAULT_LANGUAGE)
            self.retranslate()
        if self.contrast:
            self.toggle_contrast()

    def apply_style(self, force: bool = False) -> None:
        scale = scale_for(self.width(), self.height())
        if force or abs(scale - self._scale) > 0.02:
            self._scale = scale
            self.setStyleSheet(stylesheet(scale, self.contrast))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.apply_style()

    # --- idle ------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT:
            self._arm()
        return False

    def _arm(self) -> None:
        current = self.stack.currentWidget()
        timeout = self._timeouts.get(current, IDLE_MS) if current is not None else IDLE_MS
        self._idle.start(timeout)

    def _idle_timeout(self) -> None:
        self.reset_citizen()
        self.go_home()

    # --- the server ------------------------------------------------------------------------

    def _link_changed(self, state: str) -> None:
        was = self.link
        self.link = state
        if state == LinkState.ONLINE.value and was != state:
            self.monitor.heartbeat()  # a restarted server hears the printer's state at once
        if state == LinkState.REJECTED.value:
            log.error("the server refused this device's token")
        self.on_link(state)

    # --- staff ----------------------------------------------------------------------------

    def open_admin(self) -> None:
        self.pin_screen.reset()
        self.show_screen(self.pin_screen)

    def _unlocked(self) -> None:
        _ = self.texts.gettext
        status = self.monitor.status
        details = [
            _("Server: %(url)s (%(state)s)") % {"url": self.client.base_url, "state": self.link},
            _("Printer: %(status)s")
            % {"status": status.value if status is not None else _("none")},
        ]
        self.admin_menu.show_details("\n".join(details))
        self.show_screen(self.admin_menu)

    def _leave_full_screen(self) -> None:
        self.may_close = True
        self.showNormal()
        self.go_home()

    def _close_app(self) -> None:
        self.may_close = True
        self.close()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Escape and F11 must not leave full screen; staff use the PIN.
        if event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_F11) and not self.may_close:
            event.accept()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.may_close:
            event.ignore()
            return
        self.shutdown()
        super().closeEvent(event)
