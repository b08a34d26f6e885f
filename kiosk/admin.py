"""The staff's way out: a PIN pad (reached by holding the centre's name for 3 seconds),
then a small menu. A citizen cannot leave full screen or close the kiosk."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.admin_pin import AdminPin
from kiosk.lookup import Keypad
from kiosk.widgets import TouchButton, label
from queue_client.i18n import Translator

MAX_TRIES = 5


class PinScreen(QWidget):
    """Signals:
    unlocked(): the right PIN was typed.
    cancelled(): back to where the kiosk was.
    """

    unlocked = Signal()
    cancelled = Signal()

    def __init__(self, tr: Translator, pin: str | AdminPin, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screen")
        self._tr = tr
        # An empty PIN unlocks nothing (no staff way out at all), never everything.
        self._pin = AdminPin.of(pin) if isinstance(pin, str) and pin else pin or None
        self.tries = 0
        layout = QHBoxLayout(self)
        layout.setContentsMargins(60, 30, 60, 30)
        layout.setSpacing(48)
        left = QVBoxLayout()
        self.title = label(name="title")
        self.error = label(name="alert")
        self.ok_button = TouchButton(name="primary")
        self.back_button = TouchButton(name="secondary")
        for button in (self.ok_button, self.back_button):
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        left.addStretch(1)
        left.addWidget(self.title)
        left.addWidget(self.error)
        left.addStretch(1)
        left.addWidget(self.ok_button)
        left.addWidget(self.back_button)
        layout.addLayout(left, 1)
        self.keypad = Keypad(secret=True)
        layout.addWidget(self.keypad, 1, Qt.AlignmentFlag.AlignVCenter)
        self.ok_button.clicked.connect(self.submit)
        self.back_button.clicked.connect(self.cancelled)
        self.retranslate()
        self.reset()

    def reset(self) -> None:
        self.keypad.clear()
        self.error.hide()

    def submit(self) -> None:
        _ = self._tr.gettext
        if self.tries >= MAX_TRIES:
            self.error.setText(_("Too many wrong PINs. Restart the kiosk to try again."))
        elif self._pin is not None and self._pin.matches(self.keypad.text):
            self.tries = 0
            self.reset()
            self.unlocked.emit()
            return
        else:
            self.tries += 1
            self.error.setText(_("Wrong PIN."))
        self.error.show()
        self.keypad.clear()

    def retranslate(self) -> None:
        _ = self._tr.gettext
        self.title.setText(_("Staff only: type the administrator PIN"))
        self.ok_button.setText(_("OK"))
        self.back_button.setText(_("Back"))
        self.keypad.set_labels(_("Delete"), _("Clear"))


class AdminMenu(QWidget):
    """Signals:
    leave_full_screen(), close_app(), back().
    """

    leave_full_screen = Signal()
    close_app = Signal()
    back = Signal()

    def __init__(self, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screen")
        self._tr = tr
        layout = QVBoxLayout(self)
        layout.setContentsMargins(160, 40, 160, 40)
        layout.setSpacing(24)
        self.title = label(name="title")
        self.details = label(name="subtitle")
        self.window_button = TouchButton(name="secondary")
        self.close_button = TouchButton(name="secondary")
        self.back_button = TouchButton(name="primary")
        layout.addWidget(self.title)
        layout.addWidget(self.details)
        for button in (self.window_button, self.close_button, self.back_button):
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            layout.addWidget(button)
        layout.addStretch(1)
        self.window_button.clicked.connect(self.leave_full_screen)
        self.close_button.clicked.connect(self.close_app)
        self.back_button.clicked.connect(self.back)
        self.retranslate()

    def show_details(self, text: str) -> None:
        self.details.setText(text)

    def retranslate(self) -> None:
        _ = self._tr.gettext
        self.title.setText(_("Kiosk administration"))
        self.window_button.setText(_("Leave full screen"))
        self.close_button.setText(_("Close the kiosk"))
        self.back_button.setText(_("Back to the kiosk"))
