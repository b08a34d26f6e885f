"""Follow codes: the unguessable handle of a ticket's QR code and follow page.

The QR code on a ticket used to open `/t/{id}`: sequential, so anyone on the hall's Wi-Fi
could walk through every ticket of the day. The code (72 random bits) is the only handle
the public follow page and its rating form accept (issue #11).

A code drawn whole (`m004`, 12 characters) was found through a unique index on the
codes: random keys, so each ticket issued wrote to a page of that index nobody else
wrote to, a cost that grew with the history (about 10 µs of CPU a ticket after 300,000
tickets; issue #15). A code is now the ticket's id in the same URL-safe alphabet, then
72 random bits: unguessable as before, unique since the id is, and found through the id
(its primary key), the stored code compared whole in constant time. Codes drawn whole
stay valid for their day, through an index holding them alone (`m018`).
"""

from __future__ import annotations

import secrets

from sqlite_utils import Database

from queue_server.store.sqlite.schema import migrations

RANDOM_BYTES = 9  # 72 bits
RANDOM_LENGTH = RANDOM_BYTES * 4 // 3  # base64url's characters for them: 12, no padding
DRAWN_LENGTH = RANDOM_LENGTH  # a code drawn whole (m004) is its random part alone
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"  # base64url's
_DIGITS = {character: value for value, character in enumerate(_ALPHABET)}
_ID_LIMIT = 1 << 63  # SQLite's integers


def new_code(ticket_id: int) -> str:
    """Ticket `ticket_id`'s follow code: its id (at least one character), then the random
    part."""
    digits = []
    value = ticket_id
    while True:
        value, digit = divmod(value, len(_ALPHABET))
        digits.append(_ALPHABET[digit])
        if value == 0:
            break
    return "".join(reversed(digits)) + secrets.token_urlsafe(RANDOM_BYTES)


def ticket_id_of(code: str) -> int | None:
    """The ticket id a code of `new_code`'s names; None for a code drawn whole (look it
    up by code) or one that cannot be ours."""
    if len(code) <= RANDOM_LENGTH:
        return None
    value = 0
    for character in code[:-RANDOM_LENGTH]:
        digit = _DIGITS.get(character)
        if digit is None:
            return None
        value = value * len(_ALPHABET) + digit
    return value if 0 < value < _ID_LIMIT else None


@migrations()
def m004_ticket_follow_codes(db: Database) -> None:
    # Nullable: tickets issued before this migration (and walk-ins, which print nothing)
    # have none; SQLite's unique index lets any number of NULLs through.
    db.table("tickets").add_column("follow_code", str)
    db.table("tickets").create_index(["follow_code"], unique=True)
