"""A calm message: while a number is being taken, and when something stands in the way."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.widgets import TouchButton, label
from queue_client.i18n import Translator


class MessageScreen(QWidget):
    """A title, a sentence or two, and up to two buttons.

    Signals:
    retry(): "Try again" (the same request, under the same idempotency key).
    home(): "Back to the start".
    """

    retry = Signal()
    home = Signal()

    def __init__(self, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screen")
        self._tr = tr
        self._title = ""
        self._body = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 40, 80, 40)
        layout.setSpacing(28)
        self.title = label(name="title")
        self.body = label(name="subtitle")
        buttons = QHBoxLayout()
        buttons.setSpacing(24)
        self.retry_button = TouchButton(name="primary")
        self.home_button = TouchButton(name="secondary")
        for button in (self.retry_button, self.home_button):
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            buttons.addWidget(button)
        self.retry_button.clicked.connect(self.retry)
        self.home_button.clicked.connect(self.home)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.retranslate()

    def show_message(
        self, title: str, body: str = "", *, can_retry: bool = False, can_leave: bool = True
    ) -> None:
        """Show translated `title` and `body`."""
        self._title, self._body = title, body
        self.title.setText(title)
        self.body.setText(body)
        self.body.setVisible(bool(body))
        self.retry_button.setVisible(can_retry)
        self.home_button.setVisible(can_leave)

    def retranslate(self) -> None:
        _ = self._tr.gettext
        self.retry_button.setText(_("Try again"))
        self.home_button.setText(_("Back to the start"))
