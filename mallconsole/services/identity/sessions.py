"""Server-side sign-in sessions (``shopping_mall_user_sessions``).

The browser's cookie holds a random token; the row holds its SHA-256 (``refresh_token_hash``).
A session ends when revoked, after ``idle`` without a foreground request, or ``absolute`` after
it began (``expires_at``). Each sign-in makes a new token, so a token planted before sign-in is
worthless afterwards.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from mallconsole.core.errors import NotFound
from mallconsole.models import UserSession, utcnow
from mallconsole.services.identity.security_events import record_security_event
from mallconsole.services.kit.origin import current_origin

# Touches closer together than this are not written: the idle clock has minute precision.
TOUCH_GRANULARITY = timedelta(seconds=60)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    session, user, *, absolute: timedelta, now: datetime | None = None
) -> tuple[UserSession, str]:
    """A new session row for ``user`` and the token for the cookie (shown only here)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    origin = current_origin()
    row = UserSession(
        shopping_mall_user_id=user.id,
        refresh_token_hash=hash_token(token),
        user_agent=origin.user_agent,
        ip=origin.ip,
        expires_at=now + absolute,
        last_accessed_at=now,
    )
    session.add(row)
    session.flush()  # the sign-in security event refers to the session id
    return row, token


def is_live(row: UserSession, *, idle: timedelta, now: datetime) -> bool:
    """Not revoked, not past its absolute end, not idle too long."""
    if row.revoked_at is not None or row.expires_at <= now:
        return False
    last = row.last_accessed_at or row.created_at
    return now - last <= idle


def resolve_session(
    session, token: str | None, *, idle: timedelta, now: datetime | None = None
) -> UserSession | None:
    """The live session of ``token``, or None."""
    if not token:
        return None
    now = now or utcnow()
    row = session.execute(
        select(UserSession).where(UserSession.refresh_token_hash == hash_token(token))
    ).scalar_one_or_none()
    if row is None or not is_live(row, idle=idle, now=now):
        return None
    return row


def touch_session(row: UserSession, *, now: datetime | None = None) -> None:
    """Record foreground activity (extends the idle time; not audited)."""
    now = now or utcnow()
    if row.last_accessed_at is None or now - row.last_accessed_at >= TOUCH_GRANULARITY:
        row.last_accessed_at = now


def active_sessions(
    session, user_id: str, *, idle: timedelta, now: datetime | None = None
) -> list[UserSession]:
    """The user's sessions that still work, most recently used first."""
    now = now or utcnow()
    rows = session.execute(
        select(UserSession)
        .where(
            UserSession.shopping_mall_user_id == user_id,
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > now,
        )
        .order_by(UserSession.last_accessed_at.desc())
    ).scalars()
    return [row for row in rows if is_live(row, idle=idle, now=now)]


def end_session(session, row: UserSession, *, event_type: str = "logout", reason=None) -> None:
    """Revoke ``row`` (sign-out or ended from the account page)."""
    if row.revoked_at is not None:
        return
    row.revoked_at = utcnow()
    record_security_event(
        session,
        user_id=row.shopping_mall_user_id,
        event_type=event_type,
        user_session_id=row.id,
        reason=reason,
    )


def end_own_session(session, user, session_id: str) -> UserSession:
    """Revoke one of ``user``'s own sessions by id (404 for anyone else's)."""
    row = session.get(UserSession, session_id)
    if row is None or row.shopping_mall_user_id != user.id:
        raise NotFound("There is no such session of yours.")
    end_session(session, row, event_type="session_revoked", reason="ended by the user")
    return row


def end_other_sessions(session, user, *, keep_session_id: str | None, reason: str) -> int:
    """Revoke every live session of ``user`` except ``keep_session_id``; how many."""
    rows = session.execute(
        select(UserSession).where(
            UserSession.shopping_mall_user_id == user.id,
            UserSession.revoked_at.is_(None),
            UserSession.id != (keep_session_id or ""),
        )
    ).scalars()
    count = 0
    for row in rows:
        end_session(session, row, event_type="session_revoked", reason=reason)
        count += 1
    return count
