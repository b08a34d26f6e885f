"""The keypad of the staff PIN, and scanning a ticket's QR code to rate a visit."""

from __future__ import annotations

import re

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.widgets import TouchButton, label
from queue_client.i18n import Translator

MAX_LENGTH = 8
MAX_SCAN = 300  # a follow address with a long server name; a scanner sends no more
FOLLOW_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")  # as the server's follow route takes it


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


def follow_code_of(scanned: str) -> str | None:
    """The follow code in what a QR scanner typed: the ticket's follow address
    (`http://SERVER/t/CODE`) or the bare code; None for anything else. A bare number (the
    ticket id of an older QR code) is no code: anyone can type one."""
    text = scanned.strip()
    if "/t/" in text:
        text = text.rsplit("/t/", 1)[1].split("?", 1)[0].split("#", 1)[0].rstrip("/")
    if not FOLLOW_CODE.fullmatch(text) or text.isdigit():
        return None
    return text


class LookupScreen(QWidget):
    """ "Rate a visit": the citizen holds the QR code of their ticket under the kiosk's
    scanner (a USB scanner types the ticket's follow address, then Enter). A number typed on
    a keypad is no proof of holding the ticket, so the kiosk takes none (issue #11).

    Signals:
    submitted(str): the follow code scanned.
    cancelled(): back home.
    """

    submitted = Signal(str)
    cancelled = Signal()

    def __init__(self, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screen")
        self._tr = tr
        layout = QVBoxLayout(self)
        layout.setContentsMargins(60, 30, 60, 30)
        layout.setSpacing(24)
        self.title = label(name="title")
        self.hint = label(name="subtitle")
        self.error = label(name="alert")
        self.error.hide()
        # What the scanner types lands here; it keeps the focus while the screen shows.
        self.scan = QLineEdit()
        self.scan.setObjectName("scan")
        self.scan.setMaxLength(MAX_SCAN)
        self.scan.setEchoMode(QLineEdit.EchoMode.Password)  # the code is the credential
        self.back_button = TouchButton(name="secondary")
        self.back_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addWidget(self.scan)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.back_button)
        self.scan.returnPressed.connect(self._scanned)
        self.back_button.clicked.connect(self.cancelled)
        self.retranslate()
        self.reset()

    def reset(self) -> None:
        self.scan.clear()
        self.show_error("")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.scan.setFocus()

    def _scanned(self) -> None:
        text = self.scan.text()
        self.scan.clear()
        code = follow_code_of(text)
        if code is None:
            _ = self._tr.gettext
            self.show_error(_("This is not the QR code of a ticket. Please try again."))
            return
        self.submitted.emit(code)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def retranslate(self) -> None:
        _ = self._tr.gettext
        self.title.setText(_("Rate a visit"))
        self.hint.setText(
            _(
                "Hold the QR code printed on your ticket under the scanner. You may also scan "
                "it with your phone's camera and rate on the page it opens."
            )
        )
        self.back_button.setText(_("Back to the start"))
