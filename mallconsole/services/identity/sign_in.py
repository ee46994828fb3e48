"""Checking credentials, with brute-force limits that hold across server processes, and the
single-use step between the password and the TOTP code.

Every attempt is a row of ``shopping_mall_sign_in_attempts``. Five failures for one account
within fifteen minutes lock it for fifteen minutes (``lockout_until``); thirty failures from
one client IP within fifteen minutes refuse further attempts from it. The refusal reads the
same for an unknown email, a wrong password, a locked, inactive or non-staff account, and
costs the same single password-hash verification, so neither its words nor its time tell
whether an email exists or what kind of account it is.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select

from mallconsole.core.errors import DomainError
from mallconsole.core.roles import Role
from mallconsole.models import MfaChallenge, SignInAttempt, User, utcnow
from mallconsole.services.identity.passwords import hash_password, needs_rehash, verify_password
from mallconsole.services.identity.security_events import record_security_event
from mallconsole.services.identity.sessions import hash_token
from mallconsole.services.identity.staff import active_roles, find_user_by_email, normalize_email
from mallconsole.services.kit.origin import current_origin

WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
ACCOUNT_FAILURE_LIMIT = 5
IP_FAILURE_LIMIT = 30
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MFA_STEP_LIFETIME = timedelta(minutes=5)

REFUSAL = (
    "The email or password is not right, or this account cannot sign in right now. "
    "Check them and try again later, or ask a system administrator."
)


class SignInRefused(DomainError):
    """Credentials not accepted (one message whatever the cause)."""

    status = 422
    title = "Sign-in refused"


class TooManyAttempts(DomainError):
    """Too many failures from this client address; ``retry_after`` says for how many seconds."""

    status = 429
    title = "Too many attempts"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Credentials:
    """A user whose password (and status and roles) passed."""

    user: User
    roles: list[Role]


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


def _seconds_until_under_limit(session, ip: str, failures: int, now: datetime) -> int:
    """When enough of the client's failures leave the window to let it try again."""
    leaving = session.execute(
        select(SignInAttempt.attempted_at)
        .where(
            SignInAttempt.client_ip == ip,
            SignInAttempt.success.is_(False),
            SignInAttempt.attempted_at > now - WINDOW,
        )
        .order_by(SignInAttempt.attempted_at)
        .offset(failures - IP_FAILURE_LIMIT)
        .limit(1)
    ).scalar()
    if leaving is None:
        return math.ceil(WINDOW.total_seconds())
    return max(1, math.ceil((leaving + WINDOW - now).total_seconds()))


def check_ip_limit(session, now: datetime | None = None) -> None:
    """Refuse a client address past its failure budget (``TooManyAttempts``)."""
    now = now or utcnow()
    ip = current_origin().ip
    failures = _failures_from_ip(session, ip, now)
    if failures >= IP_FAILURE_LIMIT:
        raise TooManyAttempts(
            "Too many failed sign-ins from this network. Wait a few minutes and try again.",
            retry_after=_seconds_until_under_limit(session, ip, failures, now),
        )


def refusal_reason(user: User | None, roles, now: datetime) -> str | None:
    """Why ``user`` (holding ``roles``) may not sign in now, or None when they may."""
    if user is None:
        return "unknown_email"
    if is_locked(user, now):
        return "locked"
    if user.status != "active":
        return f"status_{user.status}"
    if user.deleted_at is not None:
        return "deleted"
    if not roles:
        return "no_staff_role"
    return None


def check_credentials(
    session, email: str, password: str, *, now: datetime | None = None
) -> Credentials:
    """The staff member these credentials sign in, or ``SignInRefused``.

    Exactly one password-hash verification on every path: the account's own hash only when
    the account could sign in, the decoy otherwise. The caller must keep the transaction even
    when this raises: the failed attempt and a lockout are recorded in it.
    """
    now = now or utcnow()
    check_ip_limit(session, now)
    user = find_user_by_email(session, email)
    roles = active_roles(session, user.id) if user is not None else []
    reason = refusal_reason(user, roles, now)
    matches = verify_password(user.password_hash if reason is None else None, password or "")
    if reason is None and not matches:
        reason = "wrong_password"
    if reason is not None:
        register_failure(session, email, user, reason=reason, now=now)
        raise SignInRefused(REFUSAL)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return Credentials(user, roles)


def check_still_staff(session, email: str, user: User, *, now: datetime | None = None):
    """The active roles of ``user``; ``SignInRefused`` when locked, inactive or without a
    staff role (checked again at the TOTP step)."""
    now = now or utcnow()
    roles = active_roles(session, user.id)
    reason = refusal_reason(user, roles, now)
    if reason is not None:
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


# --- the step between the password and the code ---------------------------------------------


def begin_mfa_step(
    session, user: User, email: str, next_path: str | None, *, now: datetime | None = None
) -> str:
    """Keep ``user``'s accepted password step for ``MFA_STEP_LIFETIME``; the token for the
    browser's session cookie (shown only here). Any earlier step of the user is void."""
    now = now or utcnow()
    end_mfa_steps(session, user.id)
    token = secrets.token_urlsafe(32)
    session.add(
        MfaChallenge(
            shopping_mall_user_id=user.id,
            token_hash=hash_token(token),
            email=email[:320],
            next_path=next_path,
            expires_at=now + MFA_STEP_LIFETIME,
        )
    )
    return token


def pending_mfa_step(
    session, token: str | None, *, now: datetime | None = None
) -> MfaChallenge | None:
    """The unexpired step the browser's ``token`` holds, or None."""
    if not token:
        return None
    step = session.execute(
        select(MfaChallenge).where(MfaChallenge.token_hash == hash_token(token))
    ).scalar_one_or_none()
    if step is None or step.expires_at <= (now or utcnow()):
        return None
    return step


def step_user(session, step: MfaChallenge) -> User | None:
    """The account whose password was accepted in ``step``."""
    return session.get(User, step.shopping_mall_user_id)


def complete_mfa_step(session, step: MfaChallenge) -> bool:
    """Use ``step`` up: True for the one request that removes it (the first accepted code),
    False when another request already did."""
    removed = session.execute(
        delete(MfaChallenge)
        .where(MfaChallenge.id == step.id)
        .execution_options(synchronize_session=False)
    )
    session.expunge(step)
    return removed.rowcount == 1


def end_mfa_step(session, token: str | None) -> None:
    """Void the step the browser's ``token`` holds (a new password step, signing out)."""
    if token:
        session.execute(
            delete(MfaChallenge)
            .where(MfaChallenge.token_hash == hash_token(token))
            .execution_options(synchronize_session="fetch")
        )


def end_mfa_steps(session, user_id: str) -> None:
    """Void every pending step of the user."""
    session.execute(
        delete(MfaChallenge)
        .where(MfaChallenge.shopping_mall_user_id == user_id)
        .execution_options(synchronize_session="fetch")
    )
