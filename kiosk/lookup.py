"""Typing a ticket's number on a keypad: to rate a visit at the kiosk, and the staff PIN."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.widgets import TouchButton, label
from queue_client.i18n import Translator

MAX_LENGTH = 8


class Keypad(QWidget):
    """Digits (and any letters the site's prefixes use), delete, and a display.

    Signals:
    changed(str): what has been typed so far.
    """

    changed = Signal(str)

    def __init__(self, secret: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.secret = secret
        self.text = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(14)
        self.display = label(name="display", wrap=False)
        self.display.setMinimumHeight(120)
        layout.addWidget(self.display)
        self.letters_row = QHBoxLayout()
        self.letters_row.setSpacing(14)
        layout.addLayout(self.letters_row)
        grid = QGridLayout()
        grid.setSpacing(14)
        self.keys: dict[str, TouchButton] = {}
        for index, key in enumerate("123456789"):
            grid.addWidget(self._key(key), index // 3, index % 3)
        self.delete = TouchButton("", "key")
        self.delete.clicked.connect(self.backspace)
        grid.addWidget(self.delete, 3, 0)
        grid.addWidget(self._key("0"), 3, 1)
        self.clear_button = TouchButton("", "key")
        self.clear_button.clicked.connect(self.clear)
        grid.addWidget(self.clear_button, 3, 2)
        layout.addLayout(grid, 1)
        self._refresh()

    def set_labels(self, delete: str, clear: str) -> None:
        self.delete.setText(delete)
        self.clear_button.setText(clear)

    def set_letters(self, letters: str) -> None:
        """Offer these letters too (prefixes like "A" in "A005")."""
        for letter in sorted(set(letters.upper())):
            if letter.isalpha() and letter not in self.keys:
                self.letters_row.addWidget(self._key(letter))

    def _key(self, key: str) -> TouchButton:
        button = TouchButton(key, "key")
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        button.clicked.connect(lambda _=False, k=key: self.press(k))
        self.keys[key] = button
        return button

    def press(self, key: str) -> None:
        if len(self.text) < MAX_LENGTH:
            self.text += key
            self._refresh()

    def backspace(self) -> None:
        self.text = self.text[:-1]
        self._refresh()

    def clear(self) -> None:
        self.text = ""
        self._refresh()

    def _refresh(self) -> None:
        shown = "•" * len(self.text) if self.secret else self.text
        self.display.setText(shown or " ")
        self.changed.emit(self.text)


class LookupScreen(QWidget):
    """ "Rate a visit": the citizen types the number printed on their ticket.

    Signals:
    submitted(str): the number typed.
    cancelled(): back home.
    """

    submitted = Signal(str)
    cancelled = Signal()

    def __init__(self, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screen")
        self._tr = tr
        layout = QHBoxLayout(self)
        layout.setContentsMargins(60, 30, 60, 30)
        layout.setSpacing(48)
        left = QVBoxLayout()
        left.setSpacing(24)
        self.title = label(name="title")
        self.hint = label(name="subtitle")
        self.error = label(name="alert")
        self.error.hide()
        self.next_button = TouchButton(name="primary")
        self.back_button = TouchButton(name="secondary")
        for button in (self.next_button, self.back_button):
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        left.addStretch(1)
        left.addWidget(self.title)
        left.addWidget(self.hint)
        left.addWidget(self.error)
        left.addStretch(1)
        left.addWidget(self.next_button)
        left.addWidget(self.back_button)
        layout.addLayout(left, 1)
        self.keypad = Keypad()
        layout.addWidget(self.keypad, 1, Qt.AlignmentFlag.AlignVCenter)
        self.keypad.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.keypad.changed.connect(lambda text: self.next_button.setEnabled(bool(text)))
        self.next_button.clicked.connect(lambda: self.submitted.emit(self.keypad.text))
        self.back_button.clicked.connect(self.cancelled)
        self.retranslate()
        self.reset()

    def reset(self) -> None:
        self.keypad.clear()
        self.show_error("")

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def retranslate(self) -> None:
        _ = self._tr.gettext
        self.title.setText(_("Rate a visit"))
        self.hint.setText(_("Type the number printed on your ticket, then touch “Next”."))
        self.next_button.setText(_("Next"))
        self.back_button.setText(_("Back to the start"))
        self.keypad.set_labels(_("Delete"), _("Clear"))
