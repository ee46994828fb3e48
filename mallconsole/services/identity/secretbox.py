"""Encryption of secrets kept in the database (TOTP secrets): Fernet, key from the config.

The key is ``MFA_ENCRYPTION_KEY`` when set, otherwise derived from ``SECRET_KEY`` (development),
so a restart with the same settings can still read what was stored.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


class SecretUnreadable(Exception):
    """The stored secret was encrypted with another key or is damaged."""


def _fernet(config) -> Fernet:
    material = config.get("MFA_ENCRYPTION_KEY") or config["SECRET_KEY"]
    key = base64.urlsafe_b64encode(hashlib.sha256(("mfa:" + material).encode()).digest())
    return Fernet(key)


def encrypt_secret(config, plaintext: str) -> str:
    """Encrypt ``plaintext`` for storage (e.g. ``mfa_secret_encrypted``)."""
    return _fernet(config).encrypt(plaintext.encode()).decode()


def decrypt_secret(config, token: str) -> str:
    """Decrypt a value made by ``encrypt_secret`` with the same settings."""
    try:
        return _fernet(config).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("stored secret cannot be decrypted with this key") from exc
