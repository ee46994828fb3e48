"""Staff identities: look-up by email, active roles, creation of staff accounts."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import exists, func, literal, select, union_all

from mallconsole.core.errors import Conflict, ValidationError
from mallconsole.core.roles import Role
from mallconsole.models import (
    ContentModerator,
    FinanceManager,
    OperationsManager,
    SupportAgent,
    SystemAdmin,
    User,
    UserSession,
    utcnow,
)
from mallconsole.services.identity.passwords import hash_password
from mallconsole.services.identity.sessions import hash_token, is_live
from mallconsole.services.kit import audit

ROLE_MODELS = {
    Role.SUPPORT_AGENT: SupportAgent,
    Role.OPERATIONS_MANAGER: OperationsManager,
    Role.FINANCE_MANAGER: FinanceManager,
    Role.CONTENT_MODERATOR: ContentModerator,
    Role.SYSTEM_ADMIN: SystemAdmin,
}

PASSWORD_MIN = 12
PASSWORD_MAX = 256
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(email: str) -> str:
    """Emails compare trimmed and lower-cased."""
    return (email or "").strip().lower()


def email_equals(session, column, key: str):
    """``column`` equals the normalized ``key``, through an index on either database.

    PostgreSQL has an index on ``lower(email) COLLATE "C"`` (migration 0002); on SQLite the
    console stores staff emails lower-cased, so the plain unique index answers.
    """
    if session.get_bind().dialect.name == "postgresql":
        return func.lower(column).collate("C") == key
    return column == key


def find_user_by_email(session, email: str) -> User | None:
    """The user with this email (any case), or None."""
    key = normalize_email(email)
    if not key:
        return None
    return session.execute(
        select(User).where(email_equals(session, User.email, key), User.deleted_at.is_(None))
    ).scalar_one_or_none()


def active_roles(session, user_id: str) -> list[Role]:
    """The staff roles ``user_id`` holds now, in navigation order."""
    selects = [
        select(literal(role.value).label("role")).where(
            model.shopping_mall_user_id == user_id, model.revoked_at.is_(None)
        )
        for role, model in ROLE_MODELS.items()
    ]
    held = set(session.execute(union_all(*selects)).scalars())
    return [role for role in Role if role.value in held]


def signed_in_staff(
    session, token: str | None, *, idle: timedelta, now: datetime | None = None
) -> tuple[UserSession, User, list[Role]] | None:
    """The live sign-in session of ``token``, its staff member and their active roles, read in
    one statement (every request starts with it); None when the session is not live, the
    account is gone or not active, or it holds no staff role any more."""
    if not token:
        return None
    now = now or utcnow()
    held = [
        exists()
        .where(model.shopping_mall_user_id == User.id, model.revoked_at.is_(None))
        .label(role.value)
        for role, model in ROLE_MODELS.items()
    ]
    found = session.execute(
        select(UserSession, User, *held)
        .join(User, User.id == UserSession.shopping_mall_user_id)
        .where(UserSession.refresh_token_hash == hash_token(token))
    ).one_or_none()
    if found is None:
        return None
    row, user, *flags = found
    if not is_live(row, idle=idle, now=now):
        return None
    if user.status != "active" or user.deleted_at is not None:
        return None
    holds = {role for role, flag in zip(ROLE_MODELS, flags, strict=True) if flag}
    roles = [role for role in Role if role in holds]
    return (row, user, roles) if roles else None


def check_new_password(password: str, *, field: str = "password") -> None:
    """Refuse a password the console would not accept."""
    if len(password or "") < PASSWORD_MIN:
        raise ValidationError(
            f"The password needs at least {PASSWORD_MIN} characters.",
            field_errors={field: [f"At least {PASSWORD_MIN} characters."]},
        )
    if len(password) > PASSWORD_MAX:
        raise ValidationError(
            f"The password may have at most {PASSWORD_MAX} characters.",
            field_errors={field: [f"At most {PASSWORD_MAX} characters."]},
        )


def grant_role(session, user: User, role: Role, *, actor=None, reason: str | None = None):
    """Give ``user`` the staff ``role`` (an active role-assignment row)."""
    model = ROLE_MODELS[role]
    existing = session.execute(
        select(model).where(model.shopping_mall_user_id == user.id)
    ).scalar_one_or_none()
    now = utcnow()
    if existing is not None and existing.revoked_at is None:
        raise Conflict(f"{user.email} already holds the role {role.value}.")
    if existing is None:
        existing = model(
            shopping_mall_user_id=user.id,
            granted_by_user_id=actor.id if actor is not None else None,
            assigned_at=now,
            reason=reason,
        )
        session.add(existing)
    else:
        existing.revoked_at = None
        existing.assigned_at = now
        existing.granted_by_user_id = actor.id if actor is not None else None
        existing.reason = reason
    return existing


def create_staff(
    session,
    *,
    email: str,
    password: str,
    roles: list[Role],
    actor=None,
    name: str | None = None,
) -> User:
    """A new active staff account holding ``roles`` (audited)."""
    key = normalize_email(email)
    if not EMAIL_PATTERN.match(key):
        raise ValidationError(f"{email!r} is not an email address.")
    if not roles:
        raise ValidationError("A staff account needs at least one role.")
    check_new_password(password)
    if find_user_by_email(session, key) is not None:
        raise Conflict(f"An account with the email {key} already exists.")
    now = utcnow()
    user = User(
        email=key,
        password_hash=hash_password(password),
        email_verified=True,
        verified_at=now,
        mfa_enabled=False,
        status="active",
        name=name,
        password_changed_at=now,
    )
    session.add(user)
    session.flush()  # the role rows and the audit event need the user's id
    for role in dict.fromkeys(roles):
        grant_role(session, user, role, actor=actor, reason="staff account created")
    audit.record(
        session,
        actor=actor,
        entity_table="shopping_mall_users",
        entity_id=user.id,
        action="staff_created",
        summary=f"Staff account {key} created",
        after={"email": key, "status": "active", "roles": [r.value for r in roles]},
    )
    return user
