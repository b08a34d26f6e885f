"""Province staff and centres: argon2 passwords, random bearer tokens stored as SHA-256.

A staff token (from `POST /api/auth/token`) lasts `USER_TOKEN_TTL_S`; a centre's hub token
(`motcua hub centre add`) lasts until the centre is given a new one. Checking either per
request is a hash and an indexed lookup, never a password hash.
"""

from __future__ import annotations

import functools
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

USER_TOKEN_TTL_S = 12 * 3600  # a working day, as a centre's staff tokens

_hasher = PasswordHasher()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@functools.cache
def dummy_hash() -> str:
    """A real hash of nothing, checked when the username is unknown, so that timing does
    not tell which names exist."""
    return hash_password(secrets.token_hex(16))


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
