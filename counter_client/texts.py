"""The desk's words: gettext catalogs (English ids, Vietnamese first) and calm messages
for what can go wrong."""

from __future__ import annotations

import logging
from pathlib import Path

from queue_client import (
    Conflict,
    Forbidden,
    NotAuthenticated,
    RequestRejected,
    ServerUnreachable,
)
from queue_client.i18n import DEFAULT_LANGUAGE, Translator
from queue_core.protocol import AlertOut, ServiceOut

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "counter_client"

log = logging.getLogger(__name__)


def N_(message: str) -> str:
    """Marks a msgid for extraction; translated where it is shown."""
    return message


def translator(language: str = DEFAULT_LANGUAGE) -> Translator:
    return Translator(LOCALE_DIR, DOMAIN, language)


def failure_text(tr: Translator, exc: BaseException) -> str:
    """What to tell the clerk about `exc`: one calm sentence, never a traceback."""
    _ = tr.gettext
    if isinstance(exc, ServerUnreachable):
        return _("Cannot reach the server. Check the network cable, then try again.")
    if isinstance(exc, NotAuthenticated):
        return _("Your session has expired. Please sign in again.")
    if isinstance(exc, Forbidden):
        return _("This account may not do that. Ask the supervisor.")
    if isinstance(exc, Conflict | RequestRejected):
        # The server's reasons are written in Vietnamese for the screen already.
        return exc.detail
    log.error("unexpected failure at the desk", exc_info=exc)
    return _("Something went wrong. Please try again; if it happens again, call IT support.")


def alert_text(tr: Translator, alert: AlertOut, services: dict[str, ServiceOut]) -> str:
    """One alert in the desk's language: its kind in the catalog's words, its subject (a
    service's name, a device's) as the server gave it; the server's own sentence for a
    kind this desk does not know yet."""
    _ = tr.gettext
    if alert.kind == "wait-over-target":
        service = services.get(alert.subject)
        if service is None:
            return alert.message
        return _("{service}: a citizen has waited longer than {minutes} minutes.").format(
            service=service.name, minutes=service.waiting_target_minutes
        )
    words = {
        "printer-paper-near-end": _("The printer of {device} is nearly out of paper."),
        "printer-paper-out": _("The printer of {device} is out of paper: no numbers print."),
        "printer-offline": _("The printer of {device} is not printing (disconnected or open)."),
        "device-offline": _("{device} has not been heard from for over 90 seconds."),
    }
    found = words.get(alert.kind)
    return found.format(device=alert.subject) if found is not None else alert.message
