"""The home screen: one big button per service, the priority entrance, and rating.

One touch on a service takes a number. The priority entrance is a separate, differently
coloured button at the bottom: easy to find, and it only leads to a second screen, so a
stray touch never prints a priority ticket.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.widgets import CardButton, ServiceButton, TouchButton, label
from queue_client.i18n import Translator
from queue_core.protocol import ServiceOut


class HomeScreen(QWidget):
    """Signals:
    service_chosen(str): a service's code was touched.
    priority_requested(): the priority entrance was touched.
    priority_cancelled(): "back" while choosing a service for a priority ticket.
    rating_requested(): "rate a visit" was touched.
    """

    service_chosen = Signal(str)
    priority_requested = Signal()
    priority_cancelled = Signal()
    rating_requested = Signal()

    def __init__(self, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screen")
        self._tr = tr
        self.priority = False
        self.buttons: dict[str, ServiceButton] = {}
        self._services: list[ServiceOut] = []
        self._columns = 0
        self._usable = True

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 14, 28, 18)
        layout.setSpacing(12)
        self.notice = label(name="banner")
        self.notice.hide()
        self.title = label(name="title")
        self.priority_banner = label(name="priorityBanner")
        self.priority_banner.hide()
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(14)
        self.empty = label(name="subtitle")
        self.empty.hide()

        bottom = QHBoxLayout()
        bottom.setSpacing(18)
        self.priority_button = CardButton("priority", "priorityTitle", "priorityDetail")
        self.back_button = TouchButton(name="secondary")
        self.back_button.hide()
        self.rating_button = TouchButton(name="secondary")
        for button in (self.priority_button, self.back_button, self.rating_button):
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        bottom.addWidget(self.priority_button, 3)
        bottom.addWidget(self.back_button, 3)
        bottom.addWidget(self.rating_button, 1)

        layout.addWidget(self.notice)
        layout.addWidget(self.title)
        layout.addWidget(self.priority_banner)
        layout.addWidget(self.grid_host, 1)
        layout.addWidget(self.empty, 1)
        layout.addLayout(bottom)

        self.priority_button.clicked.connect(self.priority_requested)
        self.back_button.clicked.connect(self.priority_cancelled)
        self.rating_button.clicked.connect(self.rating_requested)
        self.retranslate()

    # --- what it shows -------------------------------------------------------------------------

    def retranslate(self) -> None:
        _ = self._tr.gettext
        self.title.setText(_("Please choose the service you need"))
        self.priority_banner.setText(_("PRIORITY NUMBER — please choose the service you need"))
        self.priority_button.set_texts(
            _("PRIORITY"),
            _(
                "Elderly people, people with disabilities, pregnant women, "
                "people with meritorious service"
            ),
        )
        self.back_button.setText(_("Back (not a priority number)"))
        self.rating_button.setText(_("Rate a visit"))
        self.empty.setText(_("Connecting to the system…"))
        for button in self.buttons.values():
            button.update_service(button.service)

    def set_services(self, services: list[ServiceOut]) -> None:
        """Show `services` (new buttons only when the list itself changed)."""
        codes = [s.code for s in services]
        if codes != [s.code for s in self._services]:
            for button in self.buttons.values():
                button.setParent(None)
                button.deleteLater()
            self.buttons = {}
            for service in services:
                button = ServiceButton(service, self._tr)
                button.clicked.connect(lambda _=False, c=service.code: self._touched(c))
                self.buttons[service.code] = button
            self._columns = 0
            self._place()
        else:
            for service in services:
                self.buttons[service.code].update_service(service)
        self._services = list(services)
        self.empty.setVisible(not services)
        self.grid_host.setVisible(bool(services))
        self._sync_enabled()

    def set_priority(self, priority: bool) -> None:
        """Choose a service for a priority ticket (True) or an ordinary one."""
        self.priority = priority
        self.title.setVisible(not priority)
        self.priority_banner.setVisible(priority)
        self.priority_button.setVisible(not priority)
        self.back_button.setVisible(priority)
        self.rating_button.setVisible(not priority)

    def set_notice(self, text: str | None) -> None:
        self.notice.setText(text or "")
        self.notice.setVisible(bool(text))

    def set_usable(self, usable: bool) -> None:
        """False while the server cannot be reached: nothing to take, nothing pretended."""
        self._usable = usable
        self._sync_enabled()

    # --- layout --------------------------------------------------------------------------------

    def _touched(self, code: str) -> None:
        button = self.buttons.get(code)
        if button is not None and button.service.open and self._usable:
            self.service_chosen.emit(code)

    def _sync_enabled(self) -> None:
        for button in self.buttons.values():
            button.setEnabled(self._usable)
        self.priority_button.setEnabled(self._usable)

    def _columns_for(self, count: int) -> int:
        landscape = self.width() >= self.height()
        if landscape:
            return 1 if count <= 1 else 2 if count <= 4 else 3 if count <= 12 else 4
        return 1 if count <= 4 else 2 if count <= 12 else 3

    def _place(self) -> None:
        columns = self._columns_for(len(self.buttons))
        if columns == self._columns:
            return
        self._columns = columns
        for button in self.buttons.values():
            self.grid.removeWidget(button)
        for index, button in enumerate(self.buttons.values()):
            self.grid.addWidget(button, index // columns, index % columns)
        for column in range(self.grid.columnCount()):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place()  # landscape or portrait: another number of columns
