"""Window titles come from the catalogs: Vietnamese in Vietnamese mode, English in English."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from display_board.app import LOCALE_DIR
from display_board.window import BoardWindow
from kiosk.tablet import RatingTablet
from queue_client.i18n import Translator
from tests.kiosk.conftest import MakeKiosk


def test_the_kiosk_s_title_follows_its_language(make_kiosk: MakeKiosk) -> None:
    assert make_kiosk(printing=False).windowTitle() == "motcua — máy lấy số"
    assert make_kiosk(printing=False, language="en").windowTitle() == "motcua — ticket kiosk"


def test_the_rating_tablet_s_title_is_vietnamese(
    make_tablet: Callable[[int], RatingTablet],
) -> None:
    assert make_tablet(2).windowTitle() == "motcua — đánh giá, quầy 2"


def test_the_board_s_title_follows_its_language(qtbot: QtBot) -> None:
    for language, title in (("vi", "motcua — màn hình gọi số"), ("en", "motcua — display board")):
        window = BoardWindow(Translator(LOCALE_DIR, "display_board", language))
        qtbot.addWidget(window)
        assert window.windowTitle() == title
