"""Every word of the desk is translated into Vietnamese; the command line is there."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from click.testing import CliRunner

import counter_client
from counter_client.texts import DOMAIN, LOCALE_DIR
from motcua.cli import main

PACKAGE = Path(counter_client.__file__).parent
PLACEHOLDER = re.compile(r"{\w+}")


def msgids() -> set[str]:
    found = extract_from_dir(
        str(PACKAGE),
        method_map=[("**.py", "python")],
        keywords={"_": None, "N_": None, "gettext": None},
    )
    return {message for _file, _line, message, _comments, _context in found}


def catalog(language: str) -> dict[str, str]:
    with (LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as handle:
        po = read_po(handle, locale=language, domain=DOMAIN)
    return {str(m.id): str(m.string) for m in po if m.id}


def test_every_message_has_a_vietnamese_translation() -> None:
    vietnamese = catalog("vi")
    used = msgids()
    assert len(used) > 50
    assert sorted(used - vietnamese.keys()) == []
    assert sorted(m for m in used if not vietnamese[m].strip()) == []


def test_translations_keep_their_placeholders_and_the_catalogs_have_no_stale_ids() -> None:
    vietnamese, english = catalog("vi"), catalog("en")
    for message, translation in vietnamese.items():
        assert sorted(PLACEHOLDER.findall(translation)) == sorted(PLACEHOLDER.findall(message))
    assert sorted(vietnamese.keys() - msgids()) == []
    assert english.keys() == vietnamese.keys()


def test_the_counter_command_is_documented() -> None:
    result = CliRunner().invoke(main, ["counter", "--help"])
    assert result.exit_code == 0, result.output
    for option in ("--server", "--windowed", "--counter", "--language"):
        assert option in result.output
