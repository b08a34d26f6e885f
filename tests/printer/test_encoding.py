"""Encoders: golden bytes, raster decoded back pixel for pixel, text through CP1258 and TCVN-3."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PIL import Image, ImageDraw

from printer_drivers import commands
from printer_drivers.charsets import decode_cp1258, decode_tcvn3, encode_cp1258, encode_tcvn3
from printer_drivers.decoder import EscposDecoder, Printout
from printer_drivers.job import encode_ticket
from printer_drivers.layout import render_ticket
from printer_drivers.raster import encode_job, raster_bands
from printer_drivers.sample import letter_lines, sample_ticket, vietnamese_letters
from printer_drivers.url import parse_printer_url

Golden = Callable[[str, bytes], None]


def decode(data: bytes) -> Printout:
    events = EscposDecoder().feed(data)
    printouts = [event for event in events if isinstance(event, Printout)]
    assert len(printouts) == 1
    return printouts[0]


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("ticket-80mm-raster.bin", "dummy://"),
        ("ticket-58mm-raster.bin", "dummy://?paper=58"),
        ("ticket-80mm-text-cp1258.bin", "dummy://?mode=text"),
        ("ticket-80mm-text-tcvn3.bin", "dummy://?mode=text&charset=tcvn3"),
        ("ticket-58mm-text-cp1258-qr-image.bin", "dummy://?mode=text&paper=58&qr=image"),
    ],
)
def test_ticket_bytes_match_the_golden_file(golden: Golden, name: str, url: str) -> None:
    golden(name, encode_ticket(sample_ticket(), parse_printer_url(url)))


def test_test_print_bytes_match_the_golden_file(golden: Golden) -> None:
    url = parse_printer_url("dummy://")
    golden("test-print-80mm-raster.bin", encode_ticket(sample_ticket(), url, letter_lines()))


def test_raster_job_is_initialize_bands_feed_and_partial_cut() -> None:
    job = encode_ticket(sample_ticket(), parse_printer_url("dummy://"))

    assert job.startswith(commands.INITIALIZE + commands.RASTER + b"\x00" + bytes((72, 0)))
    assert job.endswith(commands.feed_lines(4) + b"\x1dV\x01")


@pytest.mark.parametrize("width", [576, 384])
def test_the_raster_decodes_back_to_the_rendered_image_pixel_for_pixel(width: int) -> None:
    image = render_ticket(sample_ticket(), width)

    printout = decode(encode_job([image]))

    assert len(printout.rasters) == 1
    decoded = printout.rasters[0]
    assert decoded.size == image.size
    assert decoded.tobytes() == image.tobytes()


def test_tall_images_are_sent_in_bands() -> None:
    image = Image.new("1", (576, 300), 255)

    data = raster_bands(image, band_rows=128)

    assert data.count(commands.RASTER) == 3
    assert len(data) == 3 * 8 + 72 * 300


def test_a_width_that_is_not_a_whole_byte_is_padded_with_white() -> None:
    image = Image.new("1", (10, 2), 0)

    printout = decode(encode_job([image]))

    decoded = printout.rasters[0]
    assert decoded.size == (16, 2)
    assert decoded.crop((0, 0, 10, 2)).getextrema() == (0, 0)
    assert decoded.crop((10, 0, 16, 2)).getextrema() == (255, 255)


def test_grey_images_are_thresholded_not_dithered() -> None:
    image = Image.new("L", (16, 1), 200)
    ImageDraw.Draw(image).point((3, 0), fill=40)

    decoded = decode(encode_job([image])).rasters[0]

    assert [decoded.getpixel((x, 0)) for x in range(16)] == [255] * 3 + [0] + [255] * 12


def test_python_cp1258_cannot_encode_toned_letters_by_itself() -> None:
    with pytest.raises(UnicodeEncodeError):
        "ầ".encode("cp1258")


def test_every_letter_round_trips_through_cp1258() -> None:
    text = "".join(vietnamese_letters())

    data = encode_cp1258(text)

    assert b"?" not in data
    assert decode_cp1258(data) == text


def test_tone_marks_are_split_off_and_the_base_letter_kept() -> None:
    assert encode_cp1258("ầ") == "â\u0300".encode("cp1258") == b"\xe2\xcc"
    assert encode_cp1258("à") == b"\xe0"  # CP1258 has this one precomposed


def test_every_letter_round_trips_through_tcvn3() -> None:
    text = "".join(vietnamese_letters())

    runs = list(encode_tcvn3(text))

    assert "".join(decode_tcvn3(data, upper) for upper, data in runs) == text
    assert all(b"?" not in data for _, data in runs)


def test_tcvn3_switches_to_the_capitals_table_only_when_needed() -> None:
    assert list(encode_tcvn3("SỐ THỨ TỰ")) == [(False, b"S"), (True, b"\xe8 TH\xf8 T\xf9")]
    assert list(encode_tcvn3("Hộ")) == [(False, b"H\xe9")]


def test_typographic_punctuation_falls_back_to_ascii_in_tcvn3() -> None:
    data = b"".join(data for _, data in encode_tcvn3("Tư pháp – Hộ tịch"))

    assert decode_tcvn3(data) == "Tư pháp - Hộ tịch"


@pytest.mark.parametrize("charset", ["cp1258", "tcvn3"])
def test_a_text_mode_ticket_round_trips_through_its_code_page(charset: str) -> None:
    ticket = sample_ticket()
    url = parse_printer_url(f"dummy://?mode=text&charset={charset}")

    printout = decode(encode_ticket(ticket, url, letter_lines()))

    texts = printout.texts
    assert "SỐ THỨ TỰ" in texts
    assert ticket.number in texts
    assert ticket.agency in texts
    assert ("Tư pháp – Hộ tịch" if charset == "cp1258" else "Tư pháp - Hộ tịch") in texts
    assert f"Giờ lấy số: {ticket.issued_at_text}" in texts
    assert printout.qr_codes == [ticket.qr_url]
    assert set(vietnamese_letters()) <= set("".join(texts))
