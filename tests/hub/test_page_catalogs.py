"""The `/hub` page speaks Vietnamese first and English on a switch, through catalogs."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

import queue_hub
from queue_hub.i18n import LOCALE_DIR
from queue_hub.routes.page import TITLES

PACKAGE = Path(queue_hub.__file__).parent
KEYWORDS = {"_": None, "gettext": None}
METHODS = [("**/templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]


def _used() -> set[str]:
    found = extract_from_dir(str(PACKAGE), method_map=METHODS, keywords=KEYWORDS)
    used = {message if isinstance(message, str) else message[0] for _, _, message, *_ in found}
    return used | set(TITLES.values()) | {"Wrong username or password"}


def _catalog(language: str) -> dict[str, str]:
    with (LOCALE_DIR / language / "LC_MESSAGES" / "hub.po").open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle, locale=language) if m.id}


def test_every_word_of_the_page_is_in_both_catalogs_and_none_stale() -> None:
    vi, en = _catalog("vi"), _catalog("en")
    assert sorted(w for w in _used() if not vi.get(w)) == []
    assert set(vi) == set(en) == _used()
    assert "Sign in" in _used()  # the extraction found the templates' words


def test_a_person_switches_the_page_to_english_and_back(hub: TestClient) -> None:
    hub.cookies.clear()
    assert "Đăng nhập cán bộ tỉnh" in hub.get("/hub").text
    english = hub.get("/hub", params={"lang": "en"})
    assert "Province staff sign-in" in english.text
    assert '<html lang="en">' in english.text
    assert "Province staff sign-in" in hub.get("/hub").text  # remembered
    assert "Đăng nhập cán bộ tỉnh" in hub.get("/hub", params={"lang": "vi"}).text
