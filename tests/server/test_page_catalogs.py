"""The staff pages speak Vietnamese first and English on a switch, through catalogs."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import queue_server
from queue_server.pages.i18n import LANGUAGES, LOCALE_DIR
from tests.server.conftest import Hall
from tests.server.test_reports_page import sign_in

PACKAGE = Path(queue_server.__file__).parent
PAGES = PACKAGE / "pages"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
METHODS = [("**/templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]


def _used() -> set[str]:
    found = extract_from_dir(str(PAGES), method_map=METHODS, keywords=KEYWORDS)
    return {message if isinstance(message, str) else message[0] for _, _, message, *_ in found}


def _catalogs(language: str) -> dict[str, dict[str, str]]:
    catalogs = {}
    for po_file in sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po")):
        with po_file.open("rb") as handle:
            po = read_po(handle, locale=language)
        catalogs[po_file.stem] = {
            m.id if isinstance(m.id, str) else m.id[0]: m.string
            if isinstance(m.string, str)
            else m.string[0]
            for m in po
            if m.id
        }
    return catalogs


def test_every_word_on_a_page_has_a_vietnamese_translation() -> None:
    vietnamese = {id: text for catalog in _catalogs("vi").values() for id, text in catalog.items()}
    missing = sorted(message for message in _used() if not vietnamese.get(message))
    assert missing == []


def test_both_languages_hold_the_same_domains_and_ids_and_none_stale() -> None:
    vi, en = _catalogs("vi"), _catalogs("en")
    assert {domain: set(ids) for domain, ids in vi.items()} == {
        domain: set(ids) for domain, ids in en.items()
    }
    stale = {id for catalog in vi.values() for id in catalog} - _used()
    assert stale == set()
    assert set(LANGUAGES) == {"vi", "en"}


def test_a_person_switches_the_pages_to_english_and_back(hall: Hall) -> None:
    hall.client.cookies.clear()
    vietnamese = hall.client.get("/reports")
    assert '<html lang="vi">' in vietnamese.text
    assert 'href="/lang/en?next=/reports"' in vietnamese.text

    switch = hall.client.get("/lang/en", params={"next": "/reports"}, follow_redirects=False)
    assert (switch.status_code, switch.headers["location"]) == (303, "/reports")
    sign_in(hall, "sup")
    english = hall.client.get("/reports")
    assert '<html lang="en">' in english.text
    assert ">Sign out</button>" in english.text

    hall.client.get("/lang/vi", params={"next": "/reports"})
    assert ">Đăng xuất</button>" in hall.client.get("/reports").text
    hall.client.cookies.clear()


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example", "/\\evil", ""])
def test_the_switch_goes_back_only_to_a_page_of_this_server(hall: Hall, target: str) -> None:
    switch = hall.client.get("/lang/en", params={"next": target}, follow_redirects=False)
    assert switch.headers["location"] == "/"


def test_an_unknown_language_changes_nothing(hall: Hall) -> None:
    hall.client.cookies.clear()
    switch = hall.client.get("/lang/xx", params={"next": "/reports"}, follow_redirects=False)
    assert "set-cookie" not in switch.headers
