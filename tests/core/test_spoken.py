import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_core.site import DEFAULT_CALL_PHRASE
from queue_core.spoken import (
    DEFAULT_PHRASE,
    LETTER_NAMES,
    call_sentence,
    read_digits,
    read_number,
    spoken_number,
)

READINGS = [
    (0, "không"),
    (1, "một"),
    (4, "bốn"),
    (5, "năm"),
    (9, "chín"),
    (10, "mười"),
    (11, "mười một"),
    (14, "mười bốn"),
    (15, "mười lăm"),
    (20, "hai mươi"),
    (21, "hai mươi mốt"),
    (24, "hai mươi tư"),
    (25, "hai mươi lăm"),
    (31, "ba mươi mốt"),
    (34, "ba mươi tư"),
    (99, "chín mươi chín"),
    (100, "một trăm"),
    (101, "một trăm linh một"),
    (104, "một trăm linh bốn"),
    (105, "một trăm linh năm"),
    (110, "một trăm mười"),
    (111, "một trăm mười một"),
    (115, "một trăm mười lăm"),
    (121, "một trăm hai mươi mốt"),
    (999, "chín trăm chín mươi chín"),
    (1000, "một nghìn"),
    (1001, "một nghìn không trăm linh một"),
    (1005, "một nghìn không trăm linh năm"),
    (1010, "một nghìn không trăm mười"),
    (1015, "một nghìn không trăm mười lăm"),
    (1021, "một nghìn không trăm hai mươi mốt"),
    (1024, "một nghìn không trăm hai mươi tư"),
    (1100, "một nghìn một trăm"),
    (1101, "một nghìn một trăm linh một"),
    (1234, "một nghìn hai trăm ba mươi tư"),
    (2000, "hai nghìn"),
    (10000, "mười nghìn"),
    (10005, "mười nghìn không trăm linh năm"),
    (11000, "mười một nghìn"),
    (21005, "hai mươi mốt nghìn không trăm linh năm"),
    (100000, "một trăm nghìn"),
    (105000, "một trăm linh năm nghìn"),
    (1000000, "một triệu"),
    (1000001, "một triệu không trăm linh một"),
    (1005000, "một triệu không trăm linh năm nghìn"),
    (2500000, "hai triệu năm trăm nghìn"),
    (
        999_999_999,
        "chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn chín trăm chín mươi chín",
    ),
    (1_000_000_000, "một tỷ"),
    (1_000_000_005, "một tỷ không trăm linh năm"),
    (2_001_000_000, "hai tỷ không trăm linh một triệu"),
    (1_000_000_000_000, "một nghìn tỷ"),
]


@pytest.mark.parametrize(("n", "words"), READINGS)
def test_reads_numbers_as_vietnamese_speakers_do(n: int, words: str) -> None:
    assert read_number(n) == words


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (1005, "một ngàn không trăm lẻ năm"),
        (2000, "hai ngàn"),
        (105, "một trăm lẻ năm"),
        (1_000_000_000_000, "một ngàn tỷ"),
    ],
)
def test_southern_options_say_ngan_and_le(n: int, words: str) -> None:
    assert read_number(n, thousand="ngàn", odd="lẻ") == words


@pytest.mark.parametrize(
    ("n", "options", "message"),
    [
        (-1, {}, "negative"),
        (5, {"thousand": "ngan"}, "thousand must be"),
        (5, {"odd": "le"}, "odd must be"),
    ],
)
def test_read_number_rejects_what_it_cannot_say(
    n: int, options: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        read_number(n, **options)  # type: ignore[arg-type]


def test_reads_digits_one_by_one() -> None:
    assert read_digits("1005") == "một không không năm"
    assert read_digits("0123456789") == ("không một hai ba bốn năm sáu bảy tám chín")


@pytest.mark.parametrize("text", ["", "10a", "1 0", "١٢"])
def test_read_digits_takes_only_ascii_digits(text: str) -> None:
    with pytest.raises(ValueError, match="not a string of digits"):
        read_digits(text)


@pytest.mark.parametrize(
    ("number", "reading", "words"),
    [
        ("1005", "words", "một nghìn không trăm linh năm"),
        ("1005", "digits", "một không không năm"),
        ("0005", "words", "năm"),
        ("A005", "words", "a năm"),
        ("A005", "digits", "a không không năm"),
        ("a105", "words", "a một trăm linh năm"),
        ("B021", "words", "bê hai mươi mốt"),
        ("C110", "words", "xê một trăm mười"),
        ("L024", "words", "e lờ hai mươi tư"),
        ("W015", "words", "vê kép mười lăm"),
        ("đ001", "words", "đê một"),
        ("AB007", "words", "a bê bảy"),
        ("1A005", "words", "một a năm"),
        ("1A005", "digits", "một a không không năm"),
        ("Q", "words", "quy"),
    ],
)
def test_spoken_number_names_letters_and_reads_digit_runs(
    number: str, reading: str, words: str
) -> None:
    assert spoken_number(number, reading) == words  # type: ignore[arg-type]


def test_spoken_number_passes_the_options_on() -> None:
    assert spoken_number("A1005", thousand="ngàn", odd="lẻ") == "a một ngàn không trăm lẻ năm"


def test_letter_names_cover_the_latin_and_vietnamese_alphabets() -> None:
    letters = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ") | set("ĂÂĐÊÔƠƯ")
    assert set(LETTER_NAMES) == letters
    assert all(name and "-" not in name for name in LETTER_NAMES.values())


def test_decomposed_letters_are_recognised() -> None:
    assert spoken_number("A\u0306" + "12") == "á mười hai"  # Ă written as A + breve


@pytest.mark.parametrize(
    ("number", "reading", "message"),
    [
        ("", "words", "empty"),
        ("A-005", "words", "cannot read '-'"),
        ("A 5", "words", "cannot read ' '"),
        ("1005", "roman", "reading must be"),
    ],
)
def test_spoken_number_rejects_what_it_cannot_say(number: str, reading: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        spoken_number(number, reading)  # type: ignore[arg-type]


def test_call_sentence_is_the_contract_example() -> None:
    assert call_sentence("1005", 3) == (
        "Mời công dân có số thứ tự một nghìn không trăm linh năm đến quầy số ba"
    )


def test_call_sentence_reads_the_counter_as_words_in_either_reading() -> None:
    assert call_sentence("A005", 12, reading="digits") == (
        "Mời công dân có số thứ tự a không không năm đến quầy số mười hai"
    )


def test_call_sentence_fills_a_site_phrase_and_keeps_other_braces() -> None:
    phrase = "Số {number} {xin mời} đến quầy {counter}"
    assert call_sentence("1015", 21, phrase, thousand="ngàn", odd="lẻ") == (
        "Số một ngàn không trăm mười lăm {xin mời} đến quầy hai mươi mốt"
    )


def test_default_phrase_is_the_site_default() -> None:
    assert DEFAULT_PHRASE == DEFAULT_CALL_PHRASE


_DIGIT_WORDS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_OTHER_WORDS = ("mười", "mươi", "mốt", "tư", "lăm", "trăm", "linh", "lẻ", "nghìn", "ngàn")
VOCABULARY = {*_DIGIT_WORDS, *_OTHER_WORDS, "triệu", "tỷ"}
_VALUES = dict(zip(_DIGIT_WORDS, range(10), strict=True))
_VALUES |= {"mốt": 1, "tư": 4, "lăm": 5}
_SCALES = {"nghìn": 10**3, "ngàn": 10**3, "triệu": 10**6, "tỷ": 10**9}


def _parse(words: str) -> int:
    """Inverse of read_number, independent of its code: the value the words say."""
    parts: list[int] = []
    group, digit = 0, 0
    for word in words.split(" "):
        if word in _VALUES:
            digit = _VALUES[word]
        elif word == "trăm":
            group, digit = group + 100 * digit, 0
        elif word == "mươi":
            group, digit = group + 10 * digit, 0
        elif word == "mười":
            group += 10
        elif word in _SCALES:
            scale = _SCALES[word]
            below = sum(p for p in parts if p < scale) + group + digit
            parts = [p for p in parts if p >= scale] + [below * scale]
            group, digit = 0, 0
    return sum(parts) + group + digit


@given(
    n=st.integers(min_value=0, max_value=10**6 - 1),
    thousand=st.sampled_from(["nghìn", "ngàn"]),
    odd=st.sampled_from(["linh", "lẻ"]),
)
def test_every_number_below_a_million_reads_cleanly(n: int, thousand: str, odd: str) -> None:
    words = read_number(n, thousand=thousand, odd=odd)  # type: ignore[arg-type]
    assert words
    assert words == words.strip()
    assert "  " not in words
    assert set(words.split(" ")) <= VOCABULARY
    assert _parse(words) == n


@given(st.integers(min_value=0, max_value=10**15))
def test_large_numbers_say_their_value(n: int) -> None:
    assert _parse(read_number(n)) == n


@given(st.integers(min_value=0, max_value=10**6))
def test_digit_reading_says_one_word_per_digit(n: int) -> None:
    assert len(read_digits(str(n)).split(" ")) == len(str(n))
