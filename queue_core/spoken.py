"""Ticket numbers as Vietnamese words, for the voice that calls citizens.

The display boards speak these strings (espeak-ng or recorded clips), so every
word is one Vietnamese syllable and nothing here depends on a locale or on
`num2words`, which misreads numbers like 1010 and 1021 (see TECH-NOTES).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

Reading = Literal["words", "digits"]
Thousand = Literal["nghìn", "ngàn"]
Odd = Literal["linh", "lẻ"]

DEFAULT_PHRASE = "Mời công dân có số thứ tự {number} đến quầy số {counter}"

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")

# Letter names as teachers and announcers spell them, written syllable by
# syllable ("e lờ", not "e-lờ") so a voice built from recorded clips finds a clip
# for every word. F, J, W and Z are not in the Vietnamese alphabet but are read
# the French way, as Vietnamese speakers do.
LETTER_NAMES: dict[str, str] = {
    "A": "a",
    "Ă": "á",
    "Â": "ớ",
    "B": "bê",
    "C": "xê",
    "D": "dê",
    "Đ": "đê",
    "E": "e",
    "Ê": "ê",
    "F": "ép",
    "G": "giê",
    "H": "hát",
    "I": "i",
    "J": "gi",
    "K": "ca",
    "L": "e lờ",
    "M": "em mờ",
    "N": "en nờ",
    "O": "o",
    "Ô": "ô",
    "Ơ": "ơ",
    "P": "pê",
    "Q": "quy",
    "R": "e rờ",
    "S": "ét xì",
    "T": "tê",
    "U": "u",
    "Ư": "ư",
    "V": "vê",
    "W": "vê kép",
    "X": "ích xì",
    "Y": "i dài",
    "Z": "dét",
}

_BILLION = 1_000_000_000


def read_number(n: int, *, thousand: Thousand = "nghìn", odd: Odd = "linh") -> str:
    """Read a non-negative integer the way Vietnamese speakers read ticket numbers.

    Conventions: "mốt" for a unit 1 after "mươi" (21, but 11 "mười một"), "lăm"
    for a unit 5 after "mười"/"mươi" (15, 25, but 105 "linh năm"), "tư" for a
    unit 4 after "mươi" (24, but 14 "mười bốn"), `odd` ("linh" or "lẻ") for a
    zero tens digit before a non-zero unit (105), and "không trăm" for a group
    under 100 below the leading one (1005 "một nghìn không trăm linh năm").
    Groups that are all zeros are left out (1000005 "một triệu không trăm linh
    năm"); past 999 999 999 the count of "tỷ" is itself read as a number (10^12
    "một nghìn tỷ").

    Args:
        n: the number, 0 or more.
        thousand: "nghìn" (northern, the default) or "ngàn" (southern).
        odd: "linh" (the default) or "lẻ".

    Returns:
        The words, separated by single spaces: `read_number(1005)` is
        "một nghìn không trăm linh năm".

    Raises:
        ValueError: `n` is negative, or an option is not one of its values.
    """
    if n < 0:
        raise ValueError(f"cannot read a negative number: {n}")
    if thousand not in ("nghìn", "ngàn"):
        raise ValueError(f"thousand must be 'nghìn' or 'ngàn', not {thousand!r}")
    if odd not in ("linh", "lẻ"):
        raise ValueError(f"odd must be 'linh' or 'lẻ', not {odd!r}")
    if n == 0:
        return _DIGITS[0]
    return " ".join(_read(n, thousand, odd, leading=True))


def _read(n: int, thousand: str, odd: str, *, leading: bool) -> list[str]:
    """Words of `0 < n`; `leading` is False when higher groups were already read."""
    if n >= _BILLION:
        billions, rest = divmod(n, _BILLION)
        words = [*_read(billions, thousand, odd, leading=leading), "tỷ"]
        return words + _read(rest, thousand, odd, leading=False) if rest else words
    words = []
    for scale, name in ((1_000_000, "triệu"), (1_000, thousand), (1, "")):
        group = n // scale % 1000
        if group:
            words += _read_group(group, odd, full=not leading)
            words += [name] if name else []
            leading = False
    return words


def _read_group(group: int, odd: str, *, full: bool) -> list[str]:
    """Words of one group `0 < group < 1000`; `full` says "không trăm" when needed."""
    hundreds, tens, unit = group // 100, group // 10 % 10, group % 10
    words = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if unit:
            words += [odd, _DIGITS[unit]] if words else [_DIGITS[unit]]
        return words
    words += ["mười"] if tens == 1 else [_DIGITS[tens], "mươi"]
    if unit == 5:
        words.append("lăm")
    elif unit == 1 and tens > 1:
        words.append("mốt")
    elif unit == 4 and tens > 1:
        words.append("tư")
    elif unit:
        words.append(_DIGITS[unit])
    return words


def read_digits(text: str) -> str:
    """Read a string of ASCII digits one by one: "1005" is "một không không năm".

    Raises:
        ValueError: `text` is empty or holds anything but 0-9.
    """
    if not text or any(c not in "0123456789" for c in text):
        raise ValueError(f"not a string of digits: {text!r}")
    return " ".join(_DIGITS[int(c)] for c in text)


def spoken_number(
    number: str,
    reading: Reading = "words",
    *,
    thousand: Thousand = "nghìn",
    odd: Odd = "linh",
) -> str:
    """Read a ticket number such as "1005" or "A005" aloud.

    Each letter is said by its Vietnamese name (`LETTER_NAMES`: "A" "a", "B"
    "bê", "C" "xê", "L" "e lờ", "W" "vê kép", ...). Each run of digits is read
    as words of its value, so leading zeros are not spoken: "A005" is "a năm",
    as a caller in a hall says it (the letter already tells the services apart,
    and within a service every number has the same width, so no two tickets read
    alike). With `reading="digits"` the runs are read digit by digit, zeros
    included: "A005" is "a không không năm".

    Args:
        number: the ticket number: letters and digits, upper or lower case.
        reading: "words" (the default) or "digits".
        thousand: passed to `read_number`.
        odd: passed to `read_number`.

    Raises:
        ValueError: `number` is empty, holds a character that is neither a digit
            nor a letter with a known name, or `reading` is unknown.
    """
    if reading not in ("words", "digits"):
        raise ValueError(f"reading must be 'words' or 'digits', not {reading!r}")
    text = unicodedata.normalize("NFC", number).upper()
    if not text:
        raise ValueError("an empty ticket number cannot be read")
    words = []
    for token in re.findall(r"[0-9]+|.", text, flags=re.DOTALL):
        if token[0] in "0123456789":
            if reading == "words":
                words.append(read_number(int(token), thousand=thousand, odd=odd))
            else:
                words.append(read_digits(token))
        elif token in LETTER_NAMES:
            words.append(LETTER_NAMES[token])
        else:
            raise ValueError(f"cannot read {token!r} in ticket number {number!r}")
    return " ".join(words)


def call_sentence(
    number: str,
    counter: int,
    phrase: str = DEFAULT_PHRASE,
    reading: Reading = "words",
    *,
    thousand: Thousand = "nghìn",
    odd: Odd = "linh",
) -> str:
    """The sentence the boards speak for one call.

    `{number}` in `phrase` becomes the spoken ticket number and `{counter}` the
    counter read as words ("quầy số ba") whatever `reading` is. Other braces in a
    site's phrase are left as they are.

    Args:
        number: the ticket number, as for `spoken_number`.
        counter: the counter number, 0 or more.
        phrase: the site's phrase with `{number}` and `{counter}`.
        reading: how the ticket number is read, as for `spoken_number`.
        thousand: passed to `read_number`.
        odd: passed to `read_number`.

    Returns:
        `call_sentence("1005", 3)` is "Mời công dân có số thứ tự một nghìn không
        trăm linh năm đến quầy số ba".

    Raises:
        ValueError: as `spoken_number` and `read_number`.
    """
    said = spoken_number(number, reading, thousand=thousand, odd=odd)
    counter_said = read_number(counter, thousand=thousand, odd=odd)
    return phrase.replace("{number}", said).replace("{counter}", counter_said)
