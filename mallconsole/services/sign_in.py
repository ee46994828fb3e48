"""Checking credentials, with brute-force limits that hold across server processes.

Every attempt is a row of ``shopping_mall_sign_in_attempts``. Five failures for one account
within fifteen minutes lock it for fifteen minutes (``lockout_until``); thirty failures from
one client IP within fifteen minutes refuse further attempts from it. The refusal reads the
same for an unknown email, a wrong password, a locked or inactive account, so it never tells
whether an email exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import func, select

from ..authz import Role
from ..models import SignInAttempt, User, utcnow
from .errors import DomainError
from .origin import current_origin
from .passwords import hash_password, needs_rehash, verify_password
from .security_events import record_security_event
from .staff import active_roles, find_user_by_email, normalize_email

WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
ACCOUNT_FAILURE_LIMIT = 5
IP_FAILURE_LIMIT = 30
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

REFUSAL = (
    "The email or password is not right, or this account cannot sign in right now. "
    "Check them and try again later, or ask a system administrator."
)


class SignInRefused(DomainError):
    """Credentials not accepted (one message whatever the cause)."""

    status = 422
    title = "Sign-in refused"


class TooManyAttempts(DomainError):
    """Too many failures from this client address."""

    status = 429
    title = "Too many attempts"


@dataclass(frozen=True)
class Credentials:
    """A user whose password (and status and roles) passed."""

    user: User
    roles: list[Role]


@cache
def _decoy_hash() -> str:
    # Verifying against a decoy keeps an unknown email as slow as a wrong password.
    return hash_password("decoy password that matches nothing")


def _failures_from_ip(session, ip: str | None, now: datetime) -> int:
    if ip is None:
        return 0
    return session.execute(
        select(func.count())
        .select_from(SignInAttempt)
        .where(
            SignInAttempt.client_ip == ip,
            SignInAttempt.success.is_(False),
            SignInAttempt.attempted_at > now - WINDOW,
        )
    ).scalar_one()


def _account_failures(session, user: User, key: str, now: datetime) -> int:
    """Failures for the account since the later of: window start, last success, last lockout."""
    last_success = session.execute(
        select(func.max(SignInAttempt.attempted_at)).where(
            SignInAttempt.email_key == key, SignInAttempt.success.is_(True)
        )
    ).scalar_one()
    since = max(now - WINDOW, last_success or EPOCH, user.lockout_until or EPOCH)
    return session.execute(
        select(func.count())
        .select_from(SignInAttempt)
        .where(
            SignInAttempt.email_key == key,
            SignInAttempt.success.is_(False),
            SignInAttempt.attempted_at > since,
        )
    ).scalar_one()


def _attempt(session, email: str, success: bool, now: datetime) -> None:
    session.add(
        SignInAttempt(
            email=email[:320],
            email_key=normalize_email(email)[:320],
            client_ip=current_origin().ip,
            success=success,
            attempted_at=now,
        )
    )


def is_locked(user: User, now: datetime | None = None) -> bool:
    return user.lockout_until is not None and user.lockout_until > (now or utcnow())


def register_failure(
    session,
    email: str,
    user: User | None,
    *,
    reason: str,
    event_type: str = "login_failure",
    now: datetime | None = None,
) -> None:
    """Count one failed attempt; lock the account at the fifth failure in the window."""
    now = now or utcnow()
    _attempt(session, email, False, now)
    if user is None:
        return
    record_security_event(session, user_id=user.id, event_type=event_type, reason=reason, at=now)
    if is_locked(user, now):
        return
    if _account_failures(session, user, normalize_email(email), now) >= ACCOUNT_FAILURE_LIMIT:
        user.lockout_until = now + LOCKOUT
        record_security_event(
            session,
            user_id=user.id,
            event_type="lockout",
            reason=f"{ACCOUNT_FAILURE_LIMIT} failed attempts within 15 minutes",
            at=now,
        )


def check_ip_limit(session, now: datetime | None = None) -> None:
    """Refuse a client address past its failure budget."""
    now = now or utcnow()
    if _failures_from_ip(session, current_origin().ip, now) >= IP_FAILURE_LIMIT:
        raise TooManyAttempts(
            "Too many failed sign-ins from this network. Wait fifteen minutes and try again."
        )


def check_credentials(
    session, email: str, password: str, *, now: datetime | None = None
) -> Credentials:
    """The staff member these credentials sign in, or ``SignInRefused``.

    The caller must keep the transaction even when this raises: the failed attempt and a
    lockout are recorded in it.
    """
    now = now or utcnow()
    check_ip_limit(session, now)
    user = find_user_by_email(session, email)
    if user is not None and is_locked(user, now):
        verify_password(_decoy_hash(), password or "")  # as slow as any other refusal
        register_failure(session, email, user, reason="locked", now=now)
        raise SignInRefused(REFUSAL)
    if not verify_password(user.password_hash if user else _decoy_hash(), password or ""):
        register_failure(
            session, email, user, reason="wrong_password" if user else "unknown_email", now=now
        )
        raise SignInRefused(REFUSAL)
    roles = check_still_staff(session, email, user, now=now)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return Credentials(user, roles)


def check_still_staff(session, email: str, user: User, *, now: datetime | None = None):
    """The active roles of ``user``; ``SignInRefused`` when inactive or without a staff role
    (checked at the password step and again at the TOTP step)."""
    roles = active_roles(session, user.id)
    if user.status != "active" or user.deleted_at is not None or not roles:
        reason = "no_staff_role" if user.status == "active" else f"status_{user.status}"
        register_failure(session, email, user, reason=reason, now=now)
        raise SignInRefused(REFUSAL)
    return roles


def register_success(session, email: str, user: User, user_session_id: str) -> None:
    """Record a completed sign-in."""
    now = utcnow()
    _attempt(session, email, True, now)
    user.last_login_at = now
    user.lockout_until = None
    record_security_event(
        session,
        user_id=user.id,
        event_type="login_success",
        user_session_id=user_session_id,
        at=now,
    )
