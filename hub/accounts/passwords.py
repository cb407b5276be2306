"""Password hashing with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile).

Verifying against a fixed dummy hash when no account matches costs the same as a real check,
so the time of an answer does not tell whether an address has an account.
"""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 256  # argon2 takes any length; a cap keeps a 10 MB "password" from costing CPU


@lru_cache
def hasher() -> PasswordHasher:
    return PasswordHasher()


@lru_cache
def _dummy_hash() -> str:
    return hasher().hash("familienhub-no-such-account")


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether `password` matches `stored` (None: no account; the same work is done)."""
    try:
        return hasher().verify(stored or _dummy_hash(), password[:MAX_LENGTH]) and bool(stored)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether a stored hash was made with weaker parameters than today's."""
    return hasher().check_needs_rehash(stored)


def password_problem(password: str, repeated: str | None = None) -> str | None:
    """A German reason why a new password is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"Das Passwort muss mindestens {MIN_LENGTH} Zeichen lang sein."
    if len(password) > MAX_LENGTH:
        return f"Das Passwort darf höchstens {MAX_LENGTH} Zeichen lang sein."
    if repeated is not None and password != repeated:
        return "Die beiden Passwörter stimmen nicht überein."
    return None
