"""The staff pages' words: Vietnamese first, English on a switch.

Each family of pages has its gettext domain under `queue_server/locale/` (`pages` for what
they share, `admin`, `supervisor`, `reports`…), so that pages grow their catalogs apart.
As in the apps, message ids are English and the Vietnamese catalog translates every one
(`tests/server/test_page_catalogs.py`); a person's choice is a cookie set by `/lang/{code}`.
"""

from __future__ import annotations

import functools
import gettext
import io
from dataclasses import dataclass
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from starlette.requests import HTTPConnection

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
LANGUAGE_COOKIE = "lang"
SHARED_DOMAIN = "pages"


@functools.cache
def catalog(domain: str, language: str) -> gettext.NullTranslations:
    """`domain`'s translations into `language`, read once (English ids pass through)."""
    po = LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"
    if not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as handle:
        messages = read_po(handle, locale=language, domain=domain)
    buffer = io.BytesIO()
    write_mo(buffer, messages)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def N_(message: str) -> str:
    """Mark `message` for the catalogs where it is defined; it is translated where shown."""
    return message


def language_of(request: HTTPConnection) -> str:
    """The language a person chose (`?lang=` first, then the cookie), Vietnamese otherwise."""
    chosen = request.query_params.get(LANGUAGE_COOKIE) or request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


@dataclass(frozen=True, slots=True)
class Words:
    """A page's `_` and `ngettext`: its own domain first, then the pages' shared one."""

    domain: str
    language: str

    def gettext(self, message: str) -> str:
        own = catalog(self.domain, self.language).gettext(message)
        if own != message or self.domain == SHARED_DOMAIN:
            return own
        return catalog(SHARED_DOMAIN, self.language).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return catalog(self.domain, self.language).ngettext(singular, plural, n)
