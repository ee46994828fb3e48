"""Password hashing with Argon2id (argon2-cffi's recommended parameters).

Every check costs exactly one Argon2 verification, whatever it is given: an account without a
usable hash (customers and sellers sign in elsewhere and may have none) is checked against a
decoy hash of today's parameters, so the time taken never tells what kind of account it is.

The parameters are argon2-cffi's recommended ones unless the app's config names others
(``PASSWORD_HASH_PARAMETERS``: the testing config's cheapest, so that a test signing in does
not spend most of its time hashing).
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

STANDARD = PasswordHasher()
EXTENSION_KEY = "mallconsole.password_hasher"


def configure(app) -> None:
    """Hash with the parameters ``app``'s config names (the standard ones by default)."""
    parameters = app.config.get("PASSWORD_HASH_PARAMETERS")
    app.extensions[EXTENSION_KEY] = PasswordHasher(**parameters) if parameters else STANDARD


def hasher() -> PasswordHasher:
    """The hasher of the current app (the standard one outside an app)."""
    if has_app_context():
        return current_app.extensions.get(EXTENSION_KEY, STANDARD)
    return STANDARD


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` for ``shopping_mall_users.password_hash``."""
    return hasher().hash(password)


@cache
def _decoy_of(of: PasswordHasher) -> str:
    return of.hash("decoy password that matches nothing")


def _decoy_hash() -> str:
    return _decoy_of(hasher())


def is_usable_hash(password_hash: str | None) -> bool:
    """Whether ``password_hash`` is an Argon2 hash a password can be checked against."""
    if not password_hash:
        return False
    try:
        extract_parameters(password_hash)
    except InvalidHashError:
        return False
    return True


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches the stored hash. Always one Argon2 verification: without a
    usable hash (None or malformed) it is made against the decoy and the answer is False."""
    usable = is_usable_hash(password_hash)
    try:
        return hasher().verify(password_hash if usable else _decoy_hash(), password) and usable
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return hasher().check_needs_rehash(password_hash)
