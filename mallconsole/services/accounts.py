"""A staff member's own account: password and display time zone."""

from __future__ import annotations

from ..models import utcnow
from . import audit
from .errors import ValidationError
from .passwords import hash_password, verify_password
from .security_events import record_security_event
from .sessions import end_other_sessions
from .staff import check_new_password
from .timezones import is_known_zone


def change_password(
    session, user, *, current: str, new: str, confirm: str, keep_session_id: str | None
) -> int:
    """Set a new password; ends the user's other sessions and returns how many."""
    if not verify_password(user.password_hash, current or ""):
        raise ValidationError(
            "The current password is not right.",
            field_errors={"current_password": ["The current password is not right."]},
        )
    check_new_password(new, field="new_password")
    if new != confirm:
        raise ValidationError(
            "The new password and its confirmation differ.",
            field_errors={"confirm_password": ["Does not match the new password."]},
        )
    if verify_password(user.password_hash, new):
        raise ValidationError(
            "The new password is the current one.",
            field_errors={"new_password": ["Choose a password different from the current one."]},
        )
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    record_security_event(
        session, user_id=user.id, event_type="password_changed", user_session_id=keep_session_id
    )
    return end_other_sessions(
        session, user, keep_session_id=keep_session_id, reason="password changed"
    )


def set_time_zone(session, user, zone: str, *, actor) -> None:
    """Show times to ``user`` in the IANA ``zone`` (audited)."""
    zone = (zone or "").strip()
    if not is_known_zone(zone):
        raise ValidationError(
            f"{zone!r} is not a known time zone.",
            field_errors={"time_zone": ["Choose a time zone from the list."]},
        )
    before = user.time_zone or "UTC"
    if before == zone:
        return
    user.time_zone = zone
    audit.record(
        session,
        actor=actor,
        entity_table="shopping_mall_users",
        entity_id=user.id,
        action="time_zone_changed",
        summary=f"Display time zone set to {zone}",
        before={"time_zone": before},
        after={"time_zone": zone},
    )
