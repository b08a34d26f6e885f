"""The priority confirmation: the four groups the law serves first.

Touching a group confirms it (the second of at most three touches); then the citizen
chooses the service. The group is not sent: the server records only that the ticket is a
priority one, and a ticket names nobody.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from kiosk.texts import N_
from kiosk.widgets import TouchButton, label
from queue_client.i18n import Translator

# Luật Người cao tuổi 2009, Luật Người khuyết tật 2010, and the centres' own rules.
GROUPS = (
    ("elderly", N_("Elderly person (aged 60 or over)")),
    ("disabled", N_("Person with a disability")),
    ("pregnant", N_("Pregnant woman")),
    ("merit", N_("Person with meritorious service to the revolution")),
)


class PriorityScreen(QWidget):
    """Signals:
    confirmed(str): the group touched ("elderly", "disabled", "pregnant", "merit").
    cancelled(): back to the ordinary services.
    """

    confirmed = Signal(str)
    cancelled = Signal()

    def __init__(self, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screen")
        self._tr = tr
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 24, 48, 24)
        layout.setSpacing(20)
        self.title = label(name="title")
        self.subtitle = label(name="subtitle")
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        self.groups: dict[str, TouchButton] = {}
        for key, _text in GROUPS:
            button = TouchButton(name="group")
            button.clicked.connect(lambda _=False, k=key: self.confirmed.emit(k))
            self.groups[key] = button
            layout.addWidget(button, 2)
        self.back = TouchButton(name="secondary")
        self.back.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.back.clicked.connect(self.cancelled)
        layout.addWidget(self.back, 1)
        self.retranslate()

    def retranslate(self) -> None:
        _ = self._tr.gettext
        self.title.setText(_("Priority numbers are for:"))
        self.subtitle.setText(
            _("Touch your group. If none applies to you, touch “Back” for an ordinary number.")
        )
        for key, text in GROUPS:
            self.groups[key].setText(_(text))
        self.back.setText(_("Back"))
