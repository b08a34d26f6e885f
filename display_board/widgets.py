"""The board's parts: the spotlight, the lists, the scrolling ticker.

They hold no state of their own beyond what they show; `BoardWindow` fills them
from `Board`. Sizes and colours come from the window's style sheet (`style.py`),
which scales them to the screen.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

BLINKS = 6  # half-periods of the spotlight's blink
BLINK_MS = 500


def label(text: str = "", role: str = "", parent: QWidget | None = None) -> QLabel:
    widget = QLabel(text, parent)
    # Plain text always: counter, service and ticker texts are shown as typed, never as
    # markup.
    widget.setTextFormat(Qt.TextFormat.PlainText)
    if role:
        widget.setProperty("role", role)
    return widget


class FitLabel(QLabel):
    """Text that never loses a letter: it wraps between words and, when that is still too
    big for its place, gets smaller (down to half its size). A board used to end long
    counter names in "…" ("Quầy 7 – Tiế…", issue #10).

    Its place is what the layout gives it (it asks for one line and no width), so a long
    name never widens its column nor pushes the rows off the screen.
    """

    SMALLEST = 0.5  # of the style sheet's size

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._fitted: tuple[tuple[str, int, int, str], QFont] | None = None

    def fitted_font(self) -> QFont:
        """The largest font, from the style sheet's down, at which the text fits wrapped."""
        rect = self.contentsRect()
        key = (self.text(), rect.width(), rect.height(), self.font().key())
        if self._fitted is not None and self._fitted[0] == key:
            return self._fitted[1]
        font = QFont(self.font())
        size = font.pixelSize() if font.pixelSize() > 0 else round(font.pointSizeF() * 4 / 3)
        smallest = max(1, int(size * self.SMALLEST))
        while size > smallest and not self._fits(font, size, rect):
            size -= 1
        font.setPixelSize(size)
        self._fitted = (key, font)
        return font

    def fits(self) -> bool:
        """Whether all the text shows (for tests: the smallest size may still not do)."""
        font = self.fitted_font()
        return self._fits(font, font.pixelSize(), self.contentsRect())

    def _fits(self, font: QFont, size: int, rect: QRect) -> bool:
        trial = QFont(font)
        trial.setPixelSize(size)
        bounds = QFontMetrics(trial).boundingRect(
            QRect(0, 0, rect.width(), 1_000_000), self._flags(), self.text()
        )
        return bounds.width() <= rect.width() and bounds.height() <= rect.height()

    def _flags(self) -> int:
        return int(self.alignment()) | int(Qt.TextFlag.TextWordWrap)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setFont(self.fitted_font())
        self.style().drawItemText(
            painter,
            self.contentsRect(),
            self._flags(),
            self.palette(),
            self.isEnabled(),
            self.text(),
            self.foregroundRole(),
        )
        painter.end()


def repolish(widget: QWidget) -> None:
    """Re-read the style sheet after a dynamic property changed."""
    for each in (widget, *widget.findChildren(QWidget)):
        each.style().unpolish(each)
        each.style().polish(each)


class Spotlight(QFrame):
    """The latest call, huge: "1005 → Quầy 3"; red and blinking while it is fresh."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("spotlight")
        self.caption = label(role="spotCaption")
        self.number = label("—", "spotNumber")
        self.counter = label(role="spotCounter")
        self.service = FitLabel()
        self.service.setProperty("role", "spotService")
        box = QVBoxLayout(self)
        box.addStretch(1)
        for part in (self.caption, self.number, self.counter, self.service):
            part.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.addWidget(part)
        box.addStretch(1)
        self.active = False
        self.idle_caption = ""
        self._blinks = 0
        self._blink = QTimer(self, interval=BLINK_MS)
        self._blink.timeout.connect(self._toggle)
        self._end = QTimer(self, singleShot=True)
        self._end.timeout.connect(self.settle)
        self._set_phase("idle")

    def show_call(self, number: str, counter: str, service: str, caption: str) -> None:
        self.number.setText(number)
        self.counter.setText(f"→ {counter}")
        self.service.setText(service)
        self.caption.setText(caption.upper())

    def spotlight(self, seconds: int) -> None:
        self.active = True
        self._blinks = BLINKS
        self._set_phase("on")
        self._blink.start()
        self._end.start(seconds * 1000)

    def settle(self) -> None:
        """Back to the calm colours; the number stays until the next call."""
        self.active = False
        self._blink.stop()
        self._end.stop()
        if self.number.text() != "—":
            self.caption.setText(self.idle_caption.upper())
        self._set_phase("idle")

    def _toggle(self) -> None:
        self._blinks -= 1
        if self._blinks <= 0:
            self._blink.stop()
            self._set_phase("on")
        else:
            self._set_phase("dim" if self.property("phase") == "on" else "on")

    def _set_phase(self, phase: str) -> None:
        self.setProperty("phase", phase)
        repolish(self)


class Panel(QFrame):
    """A titled block of rows: the recent calls, the counters, the waiting counts."""

    def __init__(
        self, name: str, columns: int = 1, fit: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.fit = fit  # long row names wrap and scale (FitLabel)
        self.setProperty("role", "panel")
        self.title = QHBoxLayout()
        self.rows = QGridLayout()
        self.rows.setVerticalSpacing(0)
        self.columns = 0
        self.box = QVBoxLayout(self)
        self.box.addLayout(self.title)
        # With names that wrap and scale (`fit`), the rows share the panel's height, so a
        # long name gets lines to wrap onto; other panels keep their rows at the top.
        self.box.addLayout(self.rows, 1 if fit else 0)
        if not fit:
            self.box.addStretch(1)
        self._cells: list[tuple[QWidget, QLabel, QLabel]] = []
        self.set_columns(columns)

    def set_columns(self, columns: int) -> None:
        """Lay the rows out in `columns` equal columns (rows are made again)."""
        if columns == self.columns:
            return
        for cell, _, _ in self._cells:
            self.rows.removeWidget(cell)
            cell.deleteLater()
        self._cells.clear()
        for column in range(max(columns, self.columns)):
            self.rows.setColumnStretch(column, 1 if column < columns else 0)
        self.columns = columns

    def set_title(self, *texts: str) -> None:
        while self.title.count():
            item = self.title.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for i, text in enumerate(texts):
            if i:
                self.title.addStretch(1)
            self.title.addWidget(label(text.upper(), "panelTitle"))

    def set_rows(self, rows: list[tuple[str, str, str]], key_role: str, value_role: str) -> None:
        """Each row: (key, left text, right text); rows are reused, so updates don't flicker."""
        while len(self._cells) < len(rows):
            cell = QWidget(self)
            cell.setProperty("role", "row")
            left = FitLabel() if self.fit else label()
            if self.fit:
                left.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
            left.setProperty("role", key_role)
            right = label(role=value_role)
            line = QHBoxLayout(cell)
            line.setContentsMargins(0, 0, 0, 0)
            line.addWidget(left, 1)
            line.addWidget(right, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            index = len(self._cells)
            self.rows.addWidget(cell, index // self.columns, index % self.columns)
            self._cells.append((cell, left, right))
        for row in range(self.rows.rowCount()):
            shown = row * self.columns < len(rows)
            self.rows.setRowStretch(row, 1 if self.fit and shown else 0)
        for i, (cell, left, right) in enumerate(self._cells):
            cell.setVisible(i < len(rows))
            if i < len(rows):
                key, left_text, right_text = rows[i]
                cell.setProperty("key", key)
                left.setText(left_text)
                right.setText(right_text)

    def shown_rows(self) -> list[tuple[str, str, str]]:
        return [
            (str(cell.property("key")), left.text(), right.text())
            for cell, left, right in self._cells
            if not cell.isHidden()
        ]

    def value_labels(self) -> list[QLabel]:
        return [right for cell, _, right in self._cells if not cell.isHidden()]


class Ticker(QFrame):
    """The site's message, scrolling right to left along the bottom."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticker")
        self.text = ""
        self.color = QColor("#ffd84a")
        self._offset = 0.0
        self._step = 2.0
        self._timer = QTimer(self, interval=33)
        self._timer.timeout.connect(self._scroll)

    def set_text(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self._offset = 40.0  # readable at once; then it scrolls away and comes back
        if text:
            self._timer.start()
        else:
            self._timer.stop()
        self.update()

    def set_scale(self, font: QFont, step: float) -> None:
        self.setFont(font)
        self._step = step

    def _scroll(self) -> None:
        self._offset -= self._step
        if self._offset < -self.fontMetrics().horizontalAdvance(self.text):
            self._offset = float(self.width())
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.text:
            return
        painter = QPainter(self)
        painter.setPen(self.color)
        metrics = self.fontMetrics()
        baseline = (self.height() + metrics.ascent() - metrics.descent()) / 2
        painter.drawText(QPointF(self._offset, baseline), self.text)
        painter.end()
