"""The ticket just taken, big: number, service, people ahead, wait; and whether it printed."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.widgets import TouchButton, label
from queue_client.i18n import Translator
from queue_core.protocol import TicketOut


class TicketCard(QWidget):
    """The ticket as the screen shows it."""

    def __init__(self, tr: Translator, big: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._tr = tr
        self.ticket: TicketOut | None = None
        self.counters: tuple[str, ...] = ()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 20, 32, 24)
        layout.setSpacing(6)
        self.caption = label(name="caption")
        self.number = label(name="number" if big else "numberSmall", wrap=False)
        self.badge = label(name="badge", wrap=False)
        self.service = label(name="ticketService")
        self.ahead = label(name="ticketLine")
        self.wait = label(name="ticketLine")
        self.where = label(name="ticketLine")
        badge_row = QHBoxLayout()
        badge_row.addStretch(1)
        badge_row.addWidget(self.badge)
        badge_row.addStretch(1)
        layout.addWidget(self.caption)
        layout.addWidget(self.number)
        layout.addLayout(badge_row)
        for part in (self.service, self.ahead, self.wait, self.where):
            layout.addWidget(part)

    def show_ticket(self, ticket: TicketOut, counters: tuple[str, ...] = ()) -> None:
        self.ticket = ticket
        self.counters = counters
        self.retranslate()

    def retranslate(self) -> None:
        ticket = self.ticket
        if ticket is None:
            return
        _ = self._tr.gettext
        self.caption.setText(_("YOUR NUMBER"))
        self.number.setText(ticket.number)
        self.badge.setText(_("PRIORITY"))
        self.badge.setVisible(ticket.priority)
        self.service.setText(ticket.service_name)
        if ticket.waiting_ahead == 0:
            self.ahead.setText(_("Nobody is waiting ahead of you"))
        else:
            self.ahead.setText(
                self._tr.ngettext(
                    "%(n)d person is waiting ahead of you",
                    "%(n)d people are waiting ahead of you",
                    ticket.waiting_ahead,
                )
                % {"n": ticket.waiting_ahead}
            )
        minutes = ticket.estimated_wait_minutes
        self.wait.setText(
            _("Estimated wait: about %(m)d min") % {"m": minutes}
            if minutes
            else _("Estimated wait: under 1 min")
        )
        self.wait.setVisible(ticket.waiting_ahead > 0)
        names = ", ".join(f"Quầy {c}" if c.isdigit() else c for c in self.counters)
        self.where.setText(_("Served at: %(counters)s") % {"counters": names})
        self.where.setVisible(bool(names))


class ResultScreen(QWidget):
    """The number just issued while its ticket prints; back home after a few seconds.

    Signals:
    done(): the citizen touched "Done".
    """

    done = Signal()

    def __init__(self, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screen")
        self._tr = tr
        self.printed: bool | None = None  # None while printing
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 24, 48, 24)
        layout.setSpacing(18)
        self.card = TicketCard(tr)
        self.status = label(name="printing")
        self.done_button = TouchButton(name="primary")
        self.done_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.done_button.clicked.connect(self.done)
        layout.addWidget(self.card, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.done_button)
        self.retranslate()

    @property
    def ticket(self) -> TicketOut | None:
        return self.card.ticket

    def show_ticket(self, ticket: TicketOut, counters: tuple[str, ...], printing: bool) -> None:
        self.printed = None if printing else False
        self.card.show_ticket(ticket, counters)
        self.retranslate()

    def set_printed(self) -> None:
        self.printed = True
        self.retranslate()

    def retranslate(self) -> None:
        _ = self._tr.gettext
        self.card.retranslate()
        if self.printed is None:
            self.status.setText(_("Printing your ticket…"))
        elif self.printed:
            self.status.setText(_("Please take your ticket below and wait to be called."))
        else:
            self.status.setText(_("Please remember your number and wait to be called."))
        self.done_button.setText(_("Done"))
