"""Rating one completed ticket: the question on the site's scale, optional reasons, thanks.

Used by the counter-top tablet (after its counter completes a ticket) and by the kiosk's
"Rate a visit" (with the ticket's follow code, scanned from its QR code). One rating per
ticket: the server's 409 for a second one is thanked, not shown as an error.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.message import MessageScreen
from kiosk.style import level_style
from kiosk.texts import failure_text
from kiosk.widgets import TouchButton, label
from queue_client import Conflict, QueueClient, ServerUnreachable
from queue_client.i18n import Translator
from queue_client.qt import Runner
from queue_core.protocol import RatingOut, RatingScaleOut, TicketOut

log = logging.getLogger(__name__)

THANKS_MS = 5000


def asks_reasons(scale: RatingScaleOut, score: int) -> bool:
    """Reasons are offered for the dissatisfied levels: the lowest of 3 or 4, two of 5."""
    return bool(scale.reasons) and score <= (scale.size - 1) // 2


class QuestionPage(QWidget):
    """Signals: chosen(int): the score touched."""

    chosen = Signal(int)

    def __init__(self, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screen")
        self._tr = tr
        self.scale: RatingScaleOut | None = None
        self.levels: dict[int, TouchButton] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 24, 48, 32)
        layout.setSpacing(24)
        self.about = label(name="subtitle")
        self.question = label(name="title")
        self.row = QHBoxLayout()
        self.row.setSpacing(24)
        layout.addWidget(self.about)
        layout.addStretch(1)
        layout.addWidget(self.question)
        layout.addLayout(self.row, 3)
        layout.addStretch(1)

    def ask(self, scale: RatingScaleOut, about: str) -> None:
        if self.scale != scale:
            self.scale = scale
            for button in self.levels.values():
                button.setParent(None)
                button.deleteLater()
            self.levels = {}
            # Best first, from the left: where the eye lands first.
            for level in sorted(scale.levels, key=lambda lv: -lv.score):
                button = TouchButton(name="level")
                button.setStyleSheet(level_style(scale.size, level.score))
                button.clicked.connect(lambda _=False, s=level.score: self._choose(s))
                self.levels[level.score] = button
                self.row.addWidget(button)
        self.about.setText(about)
        for button in self.levels.values():
            button.setEnabled(True)
        self.retranslate()

    def _choose(self, score: int) -> None:
        for button in self.levels.values():
            button.setEnabled(False)  # one touch is one rating
        self.chosen.emit(score)

    def retranslate(self) -> None:
        if self.scale is None:
            return
        english = self._tr.language == "en"
        _ = self._tr.gettext
        self.question.setText(_("Are you satisfied with our service?"))
        if not english:
            self.question.setText(self.scale.question)
        for level in self.scale.levels:
            self.levels[level.score].setText(level.label_en if english else level.label)


class ReasonsPage(QWidget):
    """Signals: sent(list[str]): the reasons ticked (possibly none)."""

    sent = Signal(list)

    def __init__(self, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screen")
        self._tr = tr
        self.reasons: list[TouchButton] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 24, 80, 32)
        layout.setSpacing(18)
        self.title = label(name="title")
        layout.addWidget(self.title)
        self.list = QVBoxLayout()
        self.list.setSpacing(14)
        layout.addLayout(self.list, 1)
        buttons = QHBoxLayout()
        buttons.setSpacing(24)
        self.send_button = TouchButton(name="primary")
        self.skip_button = TouchButton(name="secondary")
        for button in (self.send_button, self.skip_button):
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.send_button.clicked.connect(lambda: self._send(self.ticked()))
        self.skip_button.clicked.connect(lambda: self._send([]))
        self.retranslate()

    def offer(self, reasons: list[str]) -> None:
        for button in self.reasons:
            button.setParent(None)
            button.deleteLater()
        self.reasons = []
        for reason in reasons:
            button = TouchButton(reason, "reason")
            button.setCheckable(True)
            self.reasons.append(button)
            self.list.addWidget(button)
        self.send_button.setEnabled(True)
        self.skip_button.setEnabled(True)

    def ticked(self) -> list[str]:
        return [b.text() for b in self.reasons if b.isChecked()]

    def _send(self, reasons: list[str]) -> None:
        self.send_button.setEnabled(False)
        self.skip_button.setEnabled(False)
        self.sent.emit(reasons)

    def retranslate(self) -> None:
        _ = self._tr.gettext
        self.title.setText(_("What was not right? Touch any that apply (you may skip this)."))
        self.send_button.setText(_("Send"))
        self.skip_button.setText(_("Skip"))


class RatingFlow(QStackedWidget):
    """Question → (reasons) → thanks, for one ticket.

    Signals:
    finished(): the thanks have been shown, or the citizen left.
    rated(int): the server recorded (or already had) a rating for this ticket id.
    """

    finished = Signal()
    rated = Signal(int)

    def __init__(
        self, tr: Translator, client: QueueClient, runner: Runner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._tr = tr
        self._client = client
        self._runner = runner
        self.scale: RatingScaleOut | None = None
        self.ticket: TicketOut | None = None
        self.score = 0
        self.question = QuestionPage(tr)
        self.reasons_page = ReasonsPage(tr)
        self.message = MessageScreen(tr)
        for page in (self.question, self.reasons_page, self.message):
            self.addWidget(page)
        self.question.chosen.connect(self._chosen)
        self.reasons_page.sent.connect(self._send)
        self.message.home.connect(self._leave)
        self.message.retry.connect(lambda: self._send(self._reasons))
        self._reasons: list[str] = []
        self._follow_code: str | None = None
        self._thanks = QTimer(self, singleShot=True, interval=THANKS_MS)
        self._thanks.timeout.connect(self._leave)

    def start(
        self,
        scale: RatingScaleOut,
        ticket: TicketOut,
        about: str,
        follow_code: str | None = None,
    ) -> None:
        """Ask about `ticket`; `about` says which visit (number, counter, clerk);
        `follow_code`, the ticket's QR code as scanned at the kiosk, proves the citizen holds
        the ticket (the counter's tablet, right after the visit, needs none)."""
        self._thanks.stop()
        self.scale = scale
        self.ticket = ticket
        self._follow_code = follow_code
        self.question.ask(scale, about)
        self.setCurrentWidget(self.question)

    def stop(self) -> None:
        """Give up quietly (the citizen walked away)."""
        self._thanks.stop()
        self.ticket = None

    def retranslate(self) -> None:
        self.question.retranslate()
        self.reasons_page.retranslate()
        self.message.retranslate()

    def _chosen(self, score: int) -> None:
        assert self.scale is not None
        self.score = score
        if asks_reasons(self.scale, score):
            self.reasons_page.offer(self.scale.reasons)
            self.setCurrentWidget(self.reasons_page)
        else:
            self._send([])

    def _send(self, reasons: list[str]) -> None:
        ticket = self.ticket
        if ticket is None:
            return
        self._reasons = reasons
        code = self._follow_code
        _ = self._tr.gettext
        self.message.show_message(_("Sending…"), can_leave=False)
        self.setCurrentWidget(self.message)
        self._runner.run(
            lambda: self._client.rate(ticket.id, self.score, reasons, follow_code=code),
            lambda result: self._sent(ticket, result),
            lambda exc: self._failed(ticket, exc),
        )

    def _sent(self, ticket: TicketOut, _result: RatingOut) -> None:
        if self.ticket is None or self.ticket.id != ticket.id:
            return
        _ = self._tr.gettext
        self.message.show_message(_("Thank you for your rating!"), can_leave=False)
        self.rated.emit(ticket.id)
        self._thanks.start()

    def _failed(self, ticket: TicketOut, exc: Exception) -> None:
        if self.ticket is None or self.ticket.id != ticket.id:
            return
        _ = self._tr.gettext
        if isinstance(exc, Conflict) and exc.error == "AlreadyRated":
            self.message.show_message(
                _("Thank you!"),
                _("Number %(number)s has already been rated.") % {"number": ticket.number},
                can_leave=False,
            )
            self.rated.emit(ticket.id)
            self._thanks.start()
            return
        log.info("rating of ticket %s not sent: %s", ticket.id, exc)
        retry = isinstance(exc, ServerUnreachable)
        self.message.show_message(
            _("Your rating was not sent"), failure_text(self._tr, exc), can_retry=retry
        )

    def _leave(self) -> None:
        self._thanks.stop()
        self.ticket = None
        self.finished.emit()
