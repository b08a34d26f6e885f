"""Every word of the kiosk is translated into Vietnamese; the command line is there."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from click.testing import CliRunner

import kiosk
from kiosk.texts import DOMAIN, LOCALE_DIR
from motcua.cli import main

PACKAGE = Path(kiosk.__file__).parent
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}


def msgids() -> set[str | tuple[str, ...]]:
    found = extract_from_dir(str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS)
    return {message for _file, _line, message, _comments, _context in found}


def catalog(language: str) -> dict[str | tuple[str, ...], str | tuple[str, ...]]:
    with (LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as handle:
        po = read_po(handle, locale=language, domain=DOMAIN)
    return {m.id: m.string for m in po if m.id}


def strings(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else value


def test_every_message_has_a_vietnamese_translation() -> None:
    vietnamese = catalog("vi")
    used = msgids()
    assert len(used) > 60
    assert sorted(map(str, used - vietnamese.keys())) == []
    untranslated = [m for m in used if not all(s.strip() for s in strings(vietnamese[m]))]
    assert untranslated == []


def test_translations_keep_their_placeholders_and_the_catalogs_have_no_stale_ids() -> None:
    vietnamese, english = catalog("vi"), catalog("en")
    for message, translation in vietnamese.items():
        expected = sorted(PLACEHOLDER.findall(strings(message)[0]))
        for text in strings(translation):
            assert sorted(PLACEHOLDER.findall(text)) == expected, message
    assert sorted(map(str, vietnamese.keys() - msgids())) == []
    assert english.keys() == vietnamese.keys()


def test_the_kiosk_command_takes_the_contract_s_flags() -> None:
    result = CliRunner().invoke(main, ["kiosk", "--help"])
    assert result.exit_code == 0, result.output
    for option in (
        "--server",
        "--token",
        "--printer",
        "--mode",
        "--counter",
        "--windowed",
        "--language",
        "--admin-pin",
    ):
        assert option in result.output


def test_rating_mode_needs_a_counter_and_a_pin_is_digits() -> None:
    base = ["kiosk", "--server", "http://127.0.0.1:9", "--token", "t"]
    result = CliRunner().invoke(main, [*base, "--mode", "rating"])
    assert result.exit_code == 2
    assert "--counter" in result.output
    result = CliRunner().invoke(main, [*base, "--admin-pin", "abcd"])
    assert result.exit_code == 2
    assert "digits" in result.output
