"""The ticket on the screen when it could not be printed: the number, its QR code, and
what to do. The number is real (the server issued it); only the paper is missing."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.result import TicketCard
from kiosk.texts import N_
from kiosk.widgets import TouchButton, label, named, qr_pixmap
from printer_drivers import PrinterStatus
from queue_client.i18n import Translator
from queue_core.protocol import TicketOut

REASONS = {
    PrinterStatus.PAPER_OUT: N_(
        "The printer has run out of paper, so your ticket was not printed."
    ),
    PrinterStatus.COVER_OPEN: N_("The printer cover is open, so your ticket was not printed."),
    PrinterStatus.OFFLINE: N_("The printer is not working, so your ticket was not printed."),
}
NO_PRINTER = N_("This kiosk does not print tickets.")
FAILED = N_("Your ticket could not be printed.")


class OnScreenTicket(QWidget):
    """Signals:
    done(): the citizen touched "I have noted my number".
    """

    done = Signal()

    def __init__(self, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screen")
        self._tr = tr
        self.reason: str = FAILED
        self.url = ""
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 20, 40, 24)
        outer.setSpacing(16)
        self.alert = label(name="alert")
        outer.addWidget(self.alert)
        self.body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.body.setSpacing(24)
        self.card = TicketCard(tr, big=False)
        self.body.addWidget(self.card, 3)
        side = QVBoxLayout()
        self.qr = named(label(wrap=False), "qr")
        self.qr.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.qr_caption = label(name="subtitle")
        side.addStretch(1)
        side.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignHCenter)
        side.addWidget(self.qr_caption)
        side.addStretch(1)
        self.body.addLayout(side, 2)
        outer.addLayout(self.body, 1)
        self.instructions = label(name="banner")
        outer.addWidget(self.instructions)
        self.done_button = TouchButton(name="primary")
        self.done_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.done_button.clicked.connect(self.done)
        outer.addWidget(self.done_button)
        self.retranslate()

    @property
    def ticket(self) -> TicketOut | None:
        return self.card.ticket

    def show_ticket(
        self, ticket: TicketOut, counters: tuple[str, ...], url: str, reason: str
    ) -> None:
        """`reason` is one of this module's msgids (REASONS, NO_PRINTER, FAILED)."""
        self.reason = reason
        self.url = url
        self.card.show_ticket(ticket, counters)
        self._draw_qr()
        self.retranslate()

    def retranslate(self) -> None:
        _ = self._tr.gettext
        self.alert.setText(_(self.reason))
        self.card.retranslate()
        self.qr_caption.setText(_("Scan to follow your turn and rate the service on your phone"))
        self.instructions.setText(
            _(
                "Please remember this number or take a photo of this screen, then wait to be "
                "called. The staff have been told about the printer."
            )
            if self.reason != NO_PRINTER
            else _("Please remember this number or take a photo of this screen, then wait.")
        )
        self.done_button.setText(_("I have noted my number"))

    def _draw_qr(self) -> None:
        if not self.url:
            self.qr.clear()
            return
        side = max(160, round(min(self.width(), self.height()) * 0.36))
        self.qr.setPixmap(qr_pixmap(self.url, side))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        landscape = self.width() >= self.height()
        self.body.setDirection(
            QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom
        )
        self._draw_qr()
