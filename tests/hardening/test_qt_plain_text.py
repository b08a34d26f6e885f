"""Text people typed is shown as typed in every app, never rendered as markup: a clerk's
pause reason with `<b>` in it on the citizens' rating tablet, names on boards and desks."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as QtGuiNamespace
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from counter_client.texts import translator
from counter_client.widgets import LinkPill, PlainLabel, plain_tip
from display_board.widgets import FitLabel
from display_board.widgets import label as board_label
from kiosk.widgets import HoldLabel
from kiosk.widgets import label as kiosk_label
from tests.kiosk.conftest import WAIT_MS, Hall, hall, make_tablet
from tests.kiosk.test_rating import MakeTablet

__all__ = ["hall", "make_tablet"]  # the kiosk tests' fixtures

MARKUP = "<b>x</b>"


def test_a_pause_reason_with_markup_is_shown_as_typed_on_the_tablet(
    qtbot: QtBot, hall: Hall, make_tablet: MakeTablet
) -> None:
    tablet = make_tablet(1)
    page = tablet.page
    qtbot.waitUntil(lambda: page.name.text() == "Quầy 1", timeout=WAIT_MS)
    with hall.client("lan") as lan:
        lan.open_counter(1)
        lan.pause(1, MARKUP)
    qtbot.waitUntil(lambda: MARKUP in page.clerk.text(), timeout=WAIT_MS)
    assert QtGuiNamespace.mightBeRichText(
        page.clerk.text()
    )  # what Qt would otherwise render as bold
    assert page.clerk.textFormat() is Qt.TextFormat.PlainText


def test_every_label_kind_of_the_apps_is_plain_text(qtbot: QtBot) -> None:
    labels: list[QLabel] = [
        kiosk_label(MARKUP),
        HoldLabel(MARKUP),
        board_label(MARKUP),
        FitLabel(MARKUP),
        PlainLabel(MARKUP),
        LinkPill(translator()),
    ]
    for widget in labels:
        qtbot.addWidget(widget)
        assert widget.textFormat() is Qt.TextFormat.PlainText, type(widget).__name__
    # Tooltips have no plain mode: the text is escaped instead.
    assert plain_tip(MARKUP) == "<p style='white-space:pre-wrap'>&lt;b&gt;x&lt;/b&gt;</p>"
