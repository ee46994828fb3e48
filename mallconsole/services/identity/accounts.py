"""A staff member's own account: password, display time zone and locale."""

from __future__ import annotations

from mallconsole.core.errors import ValidationError
from mallconsole.core.locale import is_supported_locale
from mallconsole.core.timezones import is_known_zone
from mallconsole.models import utcnow
from mallconsole.services.identity.passwords import hash_password, verify_password
from mallconsole.services.identity.security_events import record_security_event
from mallconsole.services.identity.sessions import end_other_sessions
from mallconsole.services.identity.staff import check_new_password
from mallconsole.services.kit import audit


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


def _set_display_setting(session, user, field: str, before, after, *, summary: str, actor):
    """Store one of the user's display settings, audited when it changes."""
    if before == after:
        return
    setattr(user, field, after)
    audit.record(
        session,
        actor=actor,
        entity_table="shopping_mall_users",
        entity_id=user.id,
        action=f"{field}_changed",
        summary=summary,
        before={field: before},
        after={field: after},
    )


def set_time_zone(session, user, zone: str, *, actor) -> None:
    """Show times to ``user`` in the IANA ``zone`` (audited)."""
    zone = (zone or "").strip()
    if not is_known_zone(zone):
        raise ValidationError(
            f"{zone!r} is not a known time zone.",
            field_errors={"time_zone": ["Choose a time zone from the list."]},
        )
    _set_display_setting(
        session,
        user,
        "time_zone",
        user.time_zone or "UTC",
        zone,
        summary=f"Display time zone set to {zone}",
        actor=actor,
    )


def set_locale(session, user, locale: str | None, *, actor) -> None:
    """Show money, numbers and dates to ``user`` in ``locale`` (None: as the browser asks)."""
    locale = (locale or "").strip() or None
    if locale is not None and not is_supported_locale(locale):
        raise ValidationError(
            f"{locale!r} is not a language the console offers.",
            field_errors={"locale": ["Choose a language from the list."]},
        )
    _set_display_setting(
        session,
        user,
        "locale",
        user.locale,
        locale,
        summary=f"Display locale set to {locale or 'the browser language'}",
        actor=actor,
    )
