"""Whether a window shows all it holds: no part outside it, no text cut or elided.

Measured on the real widgets after layout, as a clerk or a citizen would see them.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QLabel,
    QListWidget,
    QTableWidget,
    QWidget,
)

# A pixel of rounding between a size hint and the geometry a layout gives.
SLACK = 1
# The item delegate's text margins in a table cell: (focus frame margin + 1) × 2.
CELL_MARGIN_PX = 6


def fits_screen(window: QWidget, screen: QSize) -> list[str]:
    """The window's size and smallest size against `screen` (whole pixels)."""
    found = []
    size, smallest = window.size(), window.minimumSizeHint()
    if size.width() > screen.width() or size.height() > screen.height():
        found.append(f"{name(window)} is {size.width()}×{size.height()}")
    if smallest.width() > screen.width() or smallest.height() > screen.height():
        found.append(f"{name(window)} needs at least {smallest.width()}×{smallest.height()}")
    return found


def cut_parts(window: QWidget) -> list[str]:
    """Every visible part of `window` that lies outside it or cannot show all its text."""
    QApplication.processEvents()
    found: list[str] = []
    bounds = window.rect()
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window) or widget.isWindow() or _scrolled(widget, window):
            continue
        place = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
        if not bounds.adjusted(-SLACK, -SLACK, SLACK, SLACK).contains(place):
            found.append(f"{name(widget)} at {place.getRect()} is outside {bounds.getRect()}")
        found += _text_cut(widget)
    return found


def _scrolled(widget: QWidget, window: QWidget) -> bool:
    """Inside a scroll area's viewport: out of sight there is what scrolling is for."""
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent.parentWidget(), QAbstractScrollArea) and (
            parent is parent.parentWidget().viewport()  # type: ignore[union-attr]
        ):
            return True
        parent = parent.parentWidget()
    return False


def _text_cut(widget: QWidget) -> list[str]:
    fits = getattr(widget, "fits", None)
    if callable(fits):  # a label that wraps and scales its own text
        return [] if fits() else [f"{name(widget)} cannot fit {widget.text()!r}"]  # type: ignore[attr-defined]
    if isinstance(widget, QLabel) and widget.text() and widget.width() > 0:
        inner = widget.contentsRect()
        if widget.wordWrap():
            need = widget.heightForWidth(widget.width())
            if need > widget.height() + SLACK:
                return [
                    f"{name(widget)} {widget.text()!r} needs {need} px high, has {inner.height()}"
                ]
        elif widget.minimumSizeHint().width() > widget.width() + SLACK:
            return [
                f"{name(widget)} {widget.text()!r} needs {widget.minimumSizeHint().width()} px, "
                f"has {widget.width()}"
            ]
    if isinstance(widget, QAbstractButton) and widget.text():
        need = widget.fontMetrics().horizontalAdvance(widget.text())
        if need > widget.contentsRect().width():
            return [f"{name(widget)} {widget.text()!r} needs {need} px, has {widget.width()}"]
    if (
        isinstance(widget, QListWidget)
        and not widget.wordWrap()
        and widget.textElideMode() is not Qt.TextElideMode.ElideNone
    ):
        width = widget.viewport().width()
        for row in range(widget.count()):
            text = widget.item(row).text()
            if widget.fontMetrics().horizontalAdvance(text) > width:
                return [f"{name(widget)} row {text!r} is elided"]
    if isinstance(widget, QTableWidget):
        return _table_cut(widget)
    return []


def _table_cut(table: QTableWidget) -> list[str]:
    found = []
    for row in range(table.rowCount()):
        for column in range(table.columnCount()):
            item = table.item(row, column)
            if item is None or not item.text():
                continue
            cell = table.visualItemRect(item)
            if table.wordWrap():
                need = (
                    table.fontMetrics()
                    .boundingRect(
                        QRect(0, 0, cell.width() - CELL_MARGIN_PX, 100_000),
                        int(Qt.TextFlag.TextWordWrap),
                        item.text(),
                    )
                    .height()
                )
                if need > cell.height():
                    found.append(f"table cell {item.text()!r} needs {need} px high")
            elif table.fontMetrics().horizontalAdvance(item.text()) > cell.width():
                found.append(f"table cell {item.text()!r} is elided")
    return found


def name(widget: QWidget) -> str:
    return f"{type(widget).__name__}({widget.objectName() or '-'})"
