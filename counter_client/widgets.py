"""Small widgets of the desk: a button that mirrors a command, the link pill, a figure tile;
and the two rules that keep every window and dialog on a 1366×768 screen."""

from __future__ import annotations

import html
from typing import TypeVar

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QAction, QMouseEvent
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from queue_client import LinkState
from queue_client.i18n import Translator

W = TypeVar("W", bound=QWidget)

# A counter that serves more services than this is named by their count: nine long names
# in a header or a list line are a paragraph nobody reads (issue #10).
LISTED_SERVICES = 3


def services_text(tr: Translator, names: list[str]) -> str:
    """What a counter serves, in one short line: its services' names, or their count."""
    if len(names) <= LISTED_SERVICES:
        return ", ".join(names)
    return tr.gettext("{count} services").format(count=len(names))


def fit_on_screen(widget: QWidget, width: int, available: QRect | None = None) -> None:
    """Size a dialog `width` wide (its own height), never larger than the screen's free
    area: a window manager does not shrink a dialog that asks for more."""
    area = available or widget.screen().availableGeometry()
    widget.setMaximumSize(area.size())
    hint = widget.sizeHint()
    widget.resize(
        min(max(width, widget.minimumSizeHint().width()), area.width()),
        min(hint.height(), area.height()),
    )


class PlainLabel(QLabel):
    """A label that shows its text as typed: a clerk's pause reason, a service's or a
    person's name with "<b>" in it is never rendered as markup."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)


def plain_tip(text: str) -> str:
    """`text` for a tooltip, which Qt would otherwise render as markup when it looks like
    some."""
    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>" if text else ""


def named(widget: W, name: str) -> W:
    """`widget` with its object name set, for the style sheet."""
    widget.setObjectName(name)
    return widget


class ActionButton(QPushButton):
    """A big button for one command: its text and enabled state follow the action.

    The label wraps, so a long translation never gets cut. A double click's second
    press is swallowed: it never triggers the command again.
    """

    def __init__(self, action: QAction, hint: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._action = action
        self._hint = hint
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys belong to the shortcuts
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.label = PlainLabel(parent=self)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.label)
        self.clicked.connect(action.trigger)
        action.changed.connect(self._sync)
        self._sync()

    def _sync(self) -> None:
        text = self._action.text()
        self.label.setText(f"{text}\n{self._hint}" if self._hint else text)
        self.setEnabled(self._action.isEnabled())

    def sizeHint(self) -> QSize:
        return self.label.sizeHint() + QSize(24, 12)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        event.accept()


class LinkPill(QLabel):
    """The connection to the server, always in sight."""

    def __init__(self, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._tr = tr
        self.setObjectName("link")
        self.show_state(LinkState.CONNECTING.value)

    def show_state(self, state: str) -> None:
        _ = self._tr.gettext
        text = {
            LinkState.ONLINE.value: _("Connected"),
            LinkState.CONNECTING.value: _("Connecting…"),
            LinkState.OFFLINE.value: _("Connection lost, retrying…"),
            LinkState.REJECTED.value: _("Signed out"),
        }.get(state, state)
        self.setText(f"● {text}")
        self.setProperty("state", state)
        self.style().unpolish(self)
        self.style().polish(self)


class FigureTile(QWidget):
    """One of today's figures: a big value over its caption."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tile")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(0)
        self.value = named(PlainLabel("—"), "tileValue")
        self.caption = named(PlainLabel(caption), "tileCaption")
        self.caption.setWordWrap(True)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def set_value(self, value: str, detail: str | None = None) -> None:
        self.value.setText(value)
        self.setToolTip(plain_tip(detail or ""))
