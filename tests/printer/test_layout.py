"""Pure layout: sizes, wrapping, the bundled font's Vietnamese coverage."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest
from PIL import ImageChops

from printer_drivers.fonts import Weight, font_path, licence_path
from printer_drivers.layout import PaperWidth, render_lines, render_ticket, wrap
from printer_drivers.sample import sample_ticket, vietnamese_letters
from printer_drivers.typeset import face

LONG_SERVICE = (
    "Đất đai – Cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác "
    "gắn liền với đất lần đầu"
)


def test_there_are_146_letters_with_diacritics_in_both_cases() -> None:
    letters = vietnamese_letters()

    assert len(letters) == len(set(letters)) == 146
    assert all(unicodedata.is_normalized("NFC", letter) for letter in letters)
    assert {"ầ", "Ẫ", "ự", "Ỵ", "đ", "Đ"} <= set(letters)


@pytest.mark.parametrize("weight", list(Weight))
def test_every_vietnamese_letter_has_its_own_glyph(weight: Weight) -> None:
    typeface = face(weight, 40)
    notdef = typeface.glyph("\ue000").mask  # a private-use code point: surely not in the font
    masks = {}
    for letter in vietnamese_letters():
        mask = typeface.glyph(letter).mask
        assert mask is not None, f"{letter!r} draws nothing"
        if notdef is not None:
            assert mask.tobytes() != notdef.tobytes(), f"{letter!r} is the missing-glyph box"
        masks[letter] = (mask.size, mask.tobytes())

    assert len(set(masks.values())) == 146, "two letters share one glyph: a mark is missing"


def test_the_font_and_its_licence_are_bundled() -> None:
    assert font_path(Weight.BOLD).suffix == ".ttf"
    assert "Open Font License" in licence_path().read_text(encoding="utf-8")


@pytest.mark.parametrize("width", list(PaperWidth))
def test_a_ticket_is_exactly_as_wide_as_the_print_head(width: PaperWidth) -> None:
    image = render_ticket(sample_ticket(), width)

    assert image.mode == "1"
    assert image.width == width
    assert 300 < image.height < 1000


@pytest.mark.parametrize(("width", "size", "margin"), [(576, 34, 16), (384, 26, 8)])
def test_a_long_service_name_wraps_and_is_never_clipped(width: int, size: int, margin: int) -> None:
    typeface = face(Weight.BOLD, size)
    short = render_ticket(sample_ticket(), width)
    long = render_ticket(dataclasses.replace(sample_ticket(), service_name=LONG_SERVICE), width)

    lines = wrap(LONG_SERVICE, typeface, width - 2 * margin)

    assert len(lines) >= 3
    assert " ".join(lines) == LONG_SERVICE
    assert all(typeface.length(line) <= width - 2 * margin for line in lines)
    assert long.height > short.height


def test_a_word_wider_than_the_line_is_broken_between_letters() -> None:
    typeface = face(Weight.REGULAR, 22)

    lines = wrap("Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", typeface, 100)

    assert len(lines) > 1
    assert all(typeface.length(line) <= 100 for line in lines)
    assert "".join(lines) == "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"


def test_decomposed_text_prints_like_composed_text() -> None:
    composed = sample_ticket()
    decomposed = dataclasses.replace(
        composed, service_name=unicodedata.normalize("NFD", composed.service_name)
    )

    assert render_ticket(decomposed).tobytes() == render_ticket(composed).tobytes()


def test_a_priority_ticket_is_marked() -> None:
    plain = render_ticket(sample_ticket())
    priority = render_ticket(dataclasses.replace(sample_ticket(), priority=True))

    assert priority.height > plain.height


def test_a_long_number_shrinks_to_fit() -> None:
    image = render_ticket(dataclasses.replace(sample_ticket(), number="1234567890"), 384)

    assert image.width == 384
    # Nothing drawn in the outermost column: the number did not run off the paper.
    assert ImageChops.invert(image.convert("L")).crop((383, 0, 384, image.height)).getbbox() is None


def test_stacked_marks_are_not_clipped_at_the_top() -> None:
    image = render_lines(["Ẫ"], 576, size=40)

    ink = ImageChops.invert(image.convert("L")).getbbox()
    glyph = face(Weight.REGULAR, 40).glyph("Ẫ").mask
    assert ink is not None
    assert glyph is not None
    assert ink[3] - ink[1] == glyph.height


def test_issue_time_is_shown_in_vietnam_time() -> None:
    from datetime import UTC, datetime

    ticket = dataclasses.replace(sample_ticket(), issued_at=datetime(2026, 1, 2, 1, 5, tzinfo=UTC))

    assert ticket.issued_at_text == "02/01/2026 08:05"


def test_a_naive_issue_time_is_refused() -> None:
    from datetime import datetime

    with pytest.raises(ValueError, match="aware"):
        dataclasses.replace(sample_ticket(), issued_at=datetime(2026, 1, 2, 8, 5))
