"""Who is who: staff roles and device kinds (light to import: the CLI's choices)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    CLERK = "clerk"
    KIOSK = "kiosk"
    DISPLAY = "display"
    COUNTER = "counter"
    RATING = "rating"


USER_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.CLERK)
DEVICE_KINDS = (Role.KIOSK, Role.DISPLAY, Role.COUNTER, Role.RATING)
STAFF = frozenset(USER_ROLES)
