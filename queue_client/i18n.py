"""Gettext catalogs for the apps: Vietnamese first, English on a button.

Catalogs are the `.po` files under each app's `locale/` folder, read with Babel
when the app starts (no compiled `.mo` to fall out of date). Message ids are
English; the Vietnamese catalog must translate every one of them (a test checks).
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


def load_catalog(locale_dir: Path, domain: str, language: str) -> gettext.NullTranslations:
    """The translations of `domain` in `language` (English ids pass through)."""
    po = locale_dir / language / "LC_MESSAGES" / f"{domain}.po"
    if not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=domain)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Translator:
    """The current language of one app, switchable at run time.

    Args:
        locale_dir: the app's `locale/` folder.
        domain: the catalog's name (the app's package name).
        language: `vi` (default) or `en`.
    """

    def __init__(self, locale_dir: Path, domain: str, language: str = DEFAULT_LANGUAGE) -> None:
        self._catalogs = {lang: load_catalog(locale_dir, domain, lang) for lang in LANGUAGES}
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE

    def set_language(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}; use one of {LANGUAGES}")
        self.language = language

    def gettext(self, message: str) -> str:
        return self._catalogs[self.language].gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalogs[self.language].ngettext(singular, plural, n)
