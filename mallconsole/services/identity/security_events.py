"""Security events of staff identities (``shopping_mall_user_security_events``).

Sign-in, sign-out, lockout, MFA and session events go here rather than to the audit trail.
"""

from __future__ import annotations

from datetime import datetime

from mallconsole.models import UserSecurityEvent, utcnow
from mallconsole.services.kit.origin import current_origin

EVENT_TYPES = frozenset(
    {
        "login_success",
        "login_failure",
        "lockout",
        "logout",
        "mfa_enrolled",
        "mfa_disabled",
        "mfa_challenge_failed",
        "session_revoked",
        "password_changed",
    }
)


def record_security_event(
    session,
    *,
    user_id: str,
    event_type: str,
    user_session_id: str | None = None,
    reason: str | None = None,
    at: datetime | None = None,
) -> UserSecurityEvent:
    """Append one security event for ``user_id`` from the current origin."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown security event type {event_type!r}")
    origin = current_origin()
    event = UserSecurityEvent(
        shopping_mall_user_id=user_id,
        shopping_mall_user_session_id=user_session_id,
        event_type=event_type,
        reason=reason,
        ip=origin.ip,
        user_agent=origin.user_agent,
        occurred_at=at or utcnow(),
    )
    session.add(event)
    return event
