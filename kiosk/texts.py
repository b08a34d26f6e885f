"""The kiosk's words: gettext catalogs (English ids, Vietnamese first) and calm sentences
for what can go wrong. A citizen never sees a traceback."""

from __future__ import annotations

import logging
from pathlib import Path

from queue_client import Conflict, NotAuthenticated, RequestRejected, ServerUnreachable
from queue_client.i18n import DEFAULT_LANGUAGE, Translator

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "kiosk"

log = logging.getLogger(__name__)


def N_(message: str) -> str:
    """Marks a msgid for extraction; translated where it is shown."""
    return message


def translator(language: str = DEFAULT_LANGUAGE) -> Translator:
    return Translator(LOCALE_DIR, DOMAIN, language)


def failure_text(tr: Translator, exc: BaseException) -> str:
    """One calm sentence about `exc` for the citizen."""
    _ = tr.gettext
    if isinstance(exc, ServerUnreachable):
        return _(
            "The system is reconnecting. Please wait a moment and try again, "
            "or ask the staff at the information desk."
        )
    if isinstance(exc, NotAuthenticated):
        return _("This kiosk is not registered with the system. Please ask the staff for help.")
    if isinstance(exc, Conflict):
        # The server's reasons are Vietnamese sentences written for this screen.
        return exc.detail
    if isinstance(exc, RequestRejected):
        log.warning("the server refused: %s %s", exc.status, exc.detail)
        return _("The system could not do that. Please ask the staff for help.")
    log.error("unexpected failure at the kiosk", exc_info=exc)
    return _("Something went wrong. Please ask the staff for help.")
