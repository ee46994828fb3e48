"""Password hashing with Argon2id (argon2-cffi's recommended parameters).

Every check costs exactly one Argon2 verification, whatever it is given: an account without a
usable hash (customers and sellers sign in elsewhere and may have none) is checked against a
decoy hash of today's parameters, so the time taken never tells what kind of account it is.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` for ``shopping_mall_users.password_hash``."""
    return _hasher.hash(password)


@cache
def _decoy_hash() -> str:
    return _hasher.hash("decoy password that matches nothing")


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
        return _hasher.verify(password_hash if usable else _decoy_hash(), password) and usable
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
