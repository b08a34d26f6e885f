"""The `/hub` page's words: Vietnamese first, English on a switch, from the gettext catalogs
in `queue_hub/locale/{vi,en}/LC_MESSAGES/hub.po` (English message ids, read with Babel as
the centre's pages read theirs). A person's choice is `?lang=` or the `lang` cookie."""

from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from starlette.requests import Request

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
LANGUAGE_COOKIE = "lang"
DOMAIN = "hub"


@functools.cache
def catalog(language: str) -> gettext.NullTranslations:
    """The page's translations into `language`, read once (English ids pass through)."""
    po = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as handle:
        messages = read_po(handle, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, messages)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def language_of(request: Request) -> str:
    chosen = request.query_params.get(LANGUAGE_COOKIE) or request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE
