"""The waiting list of this counter, in call order, with minutes waited."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from queue_client.i18n import Translator
from queue_core.protocol import ServiceOut, TicketOut

OVERDUE_BACKGROUND = QColor("#fde4e1")
OVERDUE_TEXT = QColor("#b3261e")
PRIORITY_TEXT = QColor("#8a5300")


def minutes_waited(ticket: TicketOut, now: datetime) -> int:
    return max(0, int((now - ticket.issued_at).total_seconds() // 60))


class WaitingTable(QTableWidget):
    """Number, service, minutes waited, priority; rows past the service's target are red."""

    COLUMNS = 4

    def __init__(self, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(0, self.COLUMNS, parent)
        _ = tr.gettext
        self._tr = tr
        self.tickets: list[TicketOut] = []
        self._targets: dict[str, int] = {}
        self.setHorizontalHeaderLabels([_("Number"), _("Service"), _("Waited"), _("Priority")])
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.verticalHeader().setVisible(False)
        # Long service names wrap onto a second line instead of ending in "…".
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in (0, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

    def show_tickets(
        self, tickets: list[TicketOut], services: Mapping[str, ServiceOut], now: datetime
    ) -> None:
        chosen = self.chosen()
        self.clearSelection()
        self.tickets = list(tickets)
        self._targets = {code: s.waiting_target_minutes for code, s in services.items()}
        self.setRowCount(len(tickets))
        for row, ticket in enumerate(tickets):
            number = QTableWidgetItem(ticket.number)
            bold = QFont(self.font())
            bold.setBold(True)
            number.setFont(bold)
            self.setItem(row, 0, number)
            self.setItem(row, 1, QTableWidgetItem(ticket.service_name))
            self.setItem(row, 2, QTableWidgetItem())
            mark = QTableWidgetItem(self._tr.gettext("★ Priority") if ticket.priority else "")
            mark.setForeground(QBrush(PRIORITY_TEXT))
            self.setItem(row, 3, mark)
            if chosen is not None and chosen.id == ticket.id:
                self.selectRow(row)
        self.tick(now)

    def tick(self, now: datetime) -> None:
        """Minutes move on: rewrite them and the overdue colours."""
        text = self._tr.gettext("{minutes} min")
        # The ticket's own words for a wait under a minute, never "0 phút".
        under = self._tr.gettext("under 1 min")
        for row, ticket in enumerate(self.tickets):
            minutes = minutes_waited(ticket, now)
            target = self._targets.get(ticket.service)
            overdue = target is not None and target > 0 and minutes >= target
            waited = self.item(row, 2)
            if waited is None:
                continue
            waited.setText(text.format(minutes=minutes) if minutes else under)
            waited.setData(Qt.ItemDataRole.UserRole, overdue)
            for column in range(self.COLUMNS):
                item = self.item(row, column)
                if item is None:
                    continue
                item.setBackground(QBrush(OVERDUE_BACKGROUND) if overdue else QBrush())
                if column == 2:
                    item.setForeground(QBrush(OVERDUE_TEXT) if overdue else QBrush())

    def overdue(self) -> int:
        return sum(
            1
            for row in range(self.rowCount())
            if (item := self.item(row, 2)) is not None and item.data(Qt.ItemDataRole.UserRole)
        )

    def chosen(self) -> TicketOut | None:
        rows = self.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.tickets):
            return None
        return self.tickets[rows[0].row()]

    def choose(self, ticket_id: int) -> None:
        for row, ticket in enumerate(self.tickets):
            if ticket.id == ticket_id:
                self.selectRow(row)
