"""The staff PIN that lets staff leave a kiosk's full screen: never a default, and kept
on the kiosk only as a salted hash.

A PIN comes, in order, from `--admin-pin` / `MOTCUA_ADMIN_PIN`, else from the hash in
the kiosk's local settings (`motcua/kiosk.ini` in the account's configuration directory,
mode 0600), else it is made up on this first start: six random digits, whose hash is
stored and which the command prints once on its standard error, for the technician
setting the kiosk up. The PIN is never shown on the screen or printed on a ticket: both
face the citizens. `motcua kiosk --set-admin-pin` sets a PIN of the technician's choice.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from PySide6.QtCore import QSettings

PIN_KEY = "admin/pin_hash"
NEW_PIN_DIGITS = 6
# scrypt at 16 MiB: a stolen settings file does not give a 6-digit PIN away in a moment,
# and a check on the kiosk stays under ~0.1 s.
_N, _R, _P = 2**14, 8, 1


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


class AdminPin:
    """What the PIN pad checks a typed PIN against: a hash, never the PIN."""

    def __init__(self, hashed: str) -> None:
        self._hashed = hashed

    @classmethod
    def of(cls, pin: str) -> AdminPin:
        return cls(hash_pin(pin))

    @property
    def hashed(self) -> str:
        return self._hashed

    def matches(self, typed: str) -> bool:
        try:
            scheme, salt, _ = self._hashed.split("$")
            salt_bytes = bytes.fromhex(salt)
        except ValueError:
            return False  # a damaged settings file unlocks nothing
        if scheme != "scrypt" or not typed:
            return False
        return hmac.compare_digest(hash_pin(typed, salt_bytes), self._hashed)


def kiosk_settings() -> QSettings:
    """The kiosk's local settings (shared by the rating tablet on the same account)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "motcua", "kiosk")


def store(settings: QSettings, pin: str) -> AdminPin:
    """Keep `pin`'s hash in `settings`, a file only this account may read or write."""
    admin_pin = AdminPin.of(pin)
    settings.setValue(PIN_KEY, admin_pin.hashed)
    settings.sync()
    if settings.status() is not QSettings.Status.NoError:
        raise OSError(f"cannot write {settings.fileName()}")
    os.chmod(Path(settings.fileName()), 0o600)
    return admin_pin


def stored(settings: QSettings) -> AdminPin | None:
    value = settings.value(PIN_KEY)
    return AdminPin(value) if isinstance(value, str) and value else None


def new_pin() -> str:
    return f"{secrets.randbelow(10**NEW_PIN_DIGITS):0{NEW_PIN_DIGITS}d}"


def settle(settings: QSettings, given: str | None) -> tuple[AdminPin, str | None]:
    """The PIN to guard the kiosk with, and the PIN made up now (None if there was one):
    the caller shows that one once to the technician."""
    if given:
        return AdminPin.of(given), None
    found = stored(settings)
    if found is not None:
        path = Path(settings.fileName())
        if path.exists() and path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)  # a copy restored from a backup, say
        return found, None
    pin = new_pin()
    return store(settings, pin), pin
