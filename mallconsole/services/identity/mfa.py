"""TOTP second factor: enrollment, sign-in codes with replay protection, backup codes.

Codes use a 30-second step and accept the previous and next step (clock drift). The step of
the last accepted code is kept (``mfa_last_used_step``) and only a later step is accepted
afterwards, so no code works twice. The secret is stored encrypted (``secretbox``); backup
codes are stored as keyed hashes only (HMAC-SHA256 with a key derived from the app's MFA key),
in ``mfa_backup_codes_encrypted`` as a JSON list, and each works once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from datetime import datetime

import pyotp
import segno

from mallconsole.core.errors import ValidationError
from mallconsole.models import utcnow
from mallconsole.services.identity.passwords import verify_password
from mallconsole.services.identity.secretbox import SecretUnreadable, decrypt_secret, encrypt_secret
from mallconsole.services.identity.security_events import record_security_event

ISSUER = "Mall Console"
STEP_SECONDS = 30
TOLERANCE_STEPS = 1
BACKUP_CODE_COUNT = 10
BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TOTP_PATTERN = re.compile(r"^\d{6}$")


def new_secret() -> str:
    """A 160-bit base32 secret (pyotp refuses secrets under 112 bits)."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(
        name=email, issuer_name=ISSUER
    )


def qr_svg(uri: str) -> str:
    """The provisioning URI as an inline SVG QR code (no external service)."""
    return segno.make(uri, error="m").svg_inline(scale=5, title="Authenticator set-up code")


def _normalize(code: str) -> str:
    return re.sub(r"[\s-]", "", (code or "")).lower()


def matching_step(secret: str, code: str, *, at: datetime) -> int | None:
    """The time step (within ±1 of ``at``) whose TOTP equals ``code``."""
    if not TOTP_PATTERN.match(code):
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = totp.timecode(at)
    for step in range(current - TOLERANCE_STEPS, current + TOLERANCE_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _backup_key(config) -> bytes:
    material = config.get("MFA_ENCRYPTION_KEY") or config["SECRET_KEY"]
    return hashlib.sha256(("mfa-backup:" + material).encode()).digest()


def _backup_hash(config, user_id: str, code: str) -> str:
    message = f"{user_id}:{_normalize(code)}".encode()
    return hmac.new(_backup_key(config), message, hashlib.sha256).hexdigest()


def new_backup_codes() -> list[str]:
    """Ten codes like ``k3m9p-x2qrt`` (about 49 bits each)."""
    codes = []
    for _ in range(BACKUP_CODE_COUNT):
        raw = "".join(secrets.choice(BACKUP_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def remaining_backup_codes(user) -> int:
    return len(json.loads(user.mfa_backup_codes_encrypted or "[]"))


def verify_code(session, user, code: str, config, *, at: datetime | None = None) -> bool:
    """Whether ``code`` (a TOTP or an unused backup code) signs ``user`` in; consumes it."""
    if not user.mfa_enabled or not user.mfa_secret_encrypted:
        return False
    at = at or utcnow()
    code = _normalize(code)
    if TOTP_PATTERN.match(code):
        try:
            secret = decrypt_secret(config, user.mfa_secret_encrypted)
        except SecretUnreadable:
            # The MFA key changed: the authenticator cannot be checked; backup codes still can.
            return False
        step = matching_step(secret, code, at=at)
        last = user.mfa_last_used_step
        if step is None or (last is not None and step <= last):
            return False
        user.mfa_last_used_step = step
        return True
    hashes = json.loads(user.mfa_backup_codes_encrypted or "[]")
    wanted = _backup_hash(config, user.id, code)
    for stored in hashes:
        if hmac.compare_digest(stored, wanted):
            hashes.remove(stored)
            user.mfa_backup_codes_encrypted = json.dumps(hashes)
            return True
    return False


def enroll(session, user, secret: str, code: str, config, *, at: datetime | None = None):
    """Turn on TOTP for ``user`` once ``code`` proves the authenticator; the backup codes."""
    at = at or utcnow()
    step = matching_step(secret, _normalize(code), at=at)
    if step is None:
        raise ValidationError(
            "That code does not match. Check the authenticator's clock and enter the "
            "current six-digit code.",
            field_errors={"code": ["The code does not match."]},
        )
    codes = new_backup_codes()
    user.mfa_enabled = True
    user.mfa_method = "totp"
    user.mfa_secret_encrypted = encrypt_secret(config, secret)
    user.mfa_last_used_step = step
    user.mfa_backup_codes_encrypted = json.dumps([_backup_hash(config, user.id, c) for c in codes])
    record_security_event(session, user_id=user.id, event_type="mfa_enrolled", at=at)
    return codes


def disable(session, user, password: str) -> None:
    """Turn MFA off for ``user`` after checking the password (before a new enrollment)."""
    if not verify_password(user.password_hash, password or ""):
        raise ValidationError(
            "The current password is not right.",
            field_errors={"password": ["The current password is not right."]},
        )
    user.mfa_enabled = False
    user.mfa_method = None
    user.mfa_secret_encrypted = None
    user.mfa_backup_codes_encrypted = None
    user.mfa_last_used_step = None
    record_security_event(session, user_id=user.id, event_type="mfa_disabled")
