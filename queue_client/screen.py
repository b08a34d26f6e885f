"""Putting an app's window on the whole screen, with or without a window manager."""

from __future__ import annotations

from PySide6.QtGui import QCursor, QGuiApplication
from PySide6.QtWidgets import QWidget


def show_full_screen(window: QWidget) -> None:
    """Show `window` over the whole of its screen.

    Many kiosk and board PCs start the app straight under X with no window manager, where
    `showFullScreen()` alone leaves the window at its default size in a corner: the
    geometry is set to the screen's as well. With no window manager the keyboard also
    goes to the window under the pointer, so the pointer is put inside the window.
    """
    screen = window.screen() or QGuiApplication.primaryScreen()
    geometry = screen.geometry()
    window.setGeometry(geometry)
    window.showFullScreen()
    window.activateWindow()
    if not geometry.contains(QCursor.pos(screen)):
        QCursor.setPos(screen, geometry.center())
