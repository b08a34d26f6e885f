"""The desk's questions: where to transfer, why pause, which service for a walk-in, and
which late citizen goes back in the queue.

Each opens window-modal with `open()` (never a nested event loop) and reports its
answer with a signal, so the window stays testable and responsive.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from counter_client.texts import N_
from counter_client.widgets import PlainLabel, fit_on_screen, plain_tip, services_text
from queue_client.i18n import Translator
from queue_core.protocol import CounterOut, ServiceOut, TicketOut

PAUSE_REASONS = (
    N_("Break"),
    N_("Staff meeting"),
    N_("Helping a colleague"),
    N_("Computer or network trouble"),
    N_("Collecting documents"),
)


def _buttons(dialog: QDialog, ok_text: str, tr: Translator) -> QDialogButtonBox:
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    box.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    box.button(QDialogButtonBox.StandardButton.Cancel).setText(tr.gettext("Cancel"))
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


class ChoiceList(QListWidget):
    """A list of choices whose long lines wrap: it never widens its dialog past the screen
    (a combo box is as wide as its longest item: 5,258 px for a counter serving nine
    services, issue #10)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)

    def add(self, text: str, data: object, tip: str = "") -> None:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, data)
        item.setToolTip(plain_tip(tip))
        self.addItem(item)

    def current_data(self) -> object:
        item = self.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def choose(self, data: object) -> None:
        for row in range(self.count()):
            if self.item(row).data(Qt.ItemDataRole.UserRole) == data:
                self.setCurrentRow(row)


class TransferDialog(QDialog):
    """Send the current citizen to another service's queue, or to one counter."""

    chosen = Signal(object, object)  # service code or None, counter number or None

    WIDTH = 640

    def __init__(
        self,
        tr: Translator,
        ticket: TicketOut,
        services: list[ServiceOut],
        counters: list[CounterOut],
        own_counter: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        _ = tr.gettext
        self.setWindowTitle(_("Transfer number {number}").format(number=ticket.number))
        layout = QVBoxLayout(self)
        layout.addWidget(PlainLabel(_("Transfer number {number} to:").format(number=ticket.number)))
        self.to_service = QRadioButton(_("Another service (first in its queue)"))
        self.to_counter = QRadioButton(_("A counter (waits for that counter only)"))
        group = QButtonGroup(self)
        group.addButton(self.to_service)
        group.addButton(self.to_counter)
        self.services = ChoiceList()
        for service in services:
            if service.code != ticket.service:
                self.services.add(service.name, service.code)
        self.counters = ChoiceList()
        names = {s.code: s.name for s in services}
        for counter in counters:
            if counter.number != own_counter:
                serves = [names.get(code, code) for code in counter.services]
                self.counters.add(
                    f"{counter.name} · {services_text(tr, serves)}",
                    counter.number,
                    "\n".join(serves),
                )
        for choices, radio in ((self.services, self.to_service), (self.counters, self.to_counter)):
            if choices.count():
                choices.setCurrentRow(0)
            radio.setEnabled(choices.count() > 0)
            # Picking in a list picks its kind of target.
            choices.itemPressed.connect(lambda _item, radio=radio: radio.setChecked(True))
        (self.to_service if self.services.count() else self.to_counter).setChecked(True)
        for widget in (self.to_service, self.services, self.to_counter, self.counters):
            layout.addWidget(widget)
        layout.addWidget(_buttons(self, _("Transfer"), tr))
        fit_on_screen(self, self.WIDTH)

    def choose_service(self, code: str) -> None:
        self.to_service.setChecked(True)
        self.services.choose(code)

    def choose_counter(self, number: int) -> None:
        self.to_counter.setChecked(True)
        self.counters.choose(number)

    def accept(self) -> None:
        if self.to_service.isChecked() and self.services.current_data() is not None:
            self.chosen.emit(self.services.current_data(), None)
        elif self.to_counter.isChecked() and self.counters.current_data() is not None:
            self.chosen.emit(None, self.counters.current_data())
        else:
            return
        super().accept()


class PauseDialog(QDialog):
    """Tạm ngưng: the reason shows on the boards and in the reports."""

    chosen = Signal(str)

    WIDTH = 480

    def __init__(self, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _ = tr.gettext
        self.setWindowTitle(_("Pause the counter"))
        layout = QVBoxLayout(self)
        layout.addWidget(PlainLabel(_("Reason for pausing:")))
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems([_(r) for r in PAUSE_REASONS])
        editor = self.reason.lineEdit()
        if editor is not None:
            editor.setMaxLength(200)
        layout.addWidget(self.reason)
        layout.addWidget(_buttons(self, _("Pause"), tr))
        fit_on_screen(self, self.WIDTH)

    def accept(self) -> None:
        reason = self.reason.currentText().strip()
        if not reason:
            return
        self.chosen.emit(reason)
        super().accept()


class WalkInDialog(QDialog):
    """Tiếp công dân không có số: a number is issued here and called at once."""

    chosen = Signal(str, bool)  # service code, priority

    WIDTH = 560

    def __init__(
        self,
        tr: Translator,
        services: list[ServiceOut],
        counter_services: list[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        _ = tr.gettext
        self.setWindowTitle(_("Citizen without a ticket"))
        layout = QVBoxLayout(self)
        layout.addWidget(PlainLabel(_("Service for this citizen:")))
        self.services = ChoiceList()
        own = [s for s in services if s.code in counter_services]
        own.sort(key=lambda s: counter_services.index(s.code))
        others = [s for s in services if s.code not in counter_services]
        for service in own + others:
            self.services.add(service.name, service.code)
        self.services.setCurrentRow(0)
        self.services.itemDoubleClicked.connect(lambda _item: self.accept())
        layout.addWidget(self.services)
        self.priority = QCheckBox(_("Priority (elderly, disabled, pregnant, meritorious)"))
        layout.addWidget(self.priority)
        layout.addWidget(_buttons(self, _("Serve"), tr))
        fit_on_screen(self, self.WIDTH)

    def choose_service(self, code: str) -> None:
        self.services.choose(code)

    def accept(self) -> None:
        code = self.services.current_data()
        if code is None:
            return
        self.chosen.emit(code, self.priority.isChecked())
        super().accept()


class RequeueDialog(QDialog):
    """Đưa vào lại hàng chờ: a citizen marked absent came back later the same day.

    Pick one of today's no-shows at this counter, or type the number on their ticket
    (a no-show marked elsewhere, or before the app restarted).
    """

    chosen = Signal(object, str)  # ticket id or None, the typed number

    WIDTH = 560

    def __init__(
        self,
        tr: Translator,
        no_shows: list[TicketOut],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        _ = tr.gettext
        self.setWindowTitle(_("Late citizen back in the queue"))
        layout = QVBoxLayout(self)
        intro = PlainLabel(
            _(
                "The number goes back first in its service's queue: the next free counter "
                "of that service calls it."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(PlainLabel(_("Absent at this counter today:")))
        self.tickets = ChoiceList()
        for ticket in no_shows:
            at = f" · {ticket.finished_at:%H:%M}" if ticket.finished_at is not None else ""
            item = QListWidgetItem(f"{ticket.number} · {ticket.service_name}{at}")
            item.setData(Qt.ItemDataRole.UserRole, ticket.id)
            self.tickets.addItem(item)
        if not no_shows:
            empty = QListWidgetItem(_("None seen since the desk opened: type the number below."))
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.tickets.addItem(empty)
        else:
            self.tickets.setCurrentRow(0)
        self.tickets.itemDoubleClicked.connect(lambda _item: self.accept())
        layout.addWidget(self.tickets)
        layout.addWidget(PlainLabel(_("Or the number on the ticket:")))
        self.number = QLineEdit()
        self.number.setMaxLength(20)
        self.number.setValidator(QRegularExpressionValidator(QRegularExpression("[0-9A-Za-z]*")))
        self.number.textEdited.connect(self._typed)
        layout.addWidget(self.number)
        layout.addWidget(_buttons(self, _("Back in the queue"), tr))
        fit_on_screen(self, self.WIDTH)
        (self.number if not no_shows else self.tickets).setFocus()

    def _typed(self, text: str) -> None:
        if text:  # a typed number wins over the list
            self.tickets.clearSelection()

    def choose(self, ticket_id: int) -> None:
        for row in range(self.tickets.count()):
            if self.tickets.item(row).data(Qt.ItemDataRole.UserRole) == ticket_id:
                self.tickets.setCurrentRow(row)

    def accept(self) -> None:
        number = self.number.text().strip().upper()
        item = self.tickets.currentItem()
        if number:
            self.chosen.emit(None, number)
        elif item is not None and item.isSelected() and item.data(Qt.ItemDataRole.UserRole):
            self.chosen.emit(item.data(Qt.ItemDataRole.UserRole), "")
        else:
            return
        super().accept()
