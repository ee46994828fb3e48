"""Staff and customer users."""

from __future__ import annotations

from functools import cache

from flask import current_app

from mallconsole.core.roles import Role
from mallconsole.models import Customer, User, utcnow
from mallconsole.services.identity.passwords import hash_password, hasher
from mallconsole.services.identity.secretbox import encrypt_secret
from mallconsole.services.identity.staff import grant_role

from .records import build

DEFAULT_PASSWORD = "correct horse battery staple"
DEMO_MFA_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
DEMO_PASSWORD = "demo-console-pass"  # docs/contract.md demo accounts


def _hash(password: str) -> str:
    return _hash_with(password, hasher())


@cache
def _hash_with(password: str, _hasher) -> str:
    # One hash per password and hasher per test process is enough.
    return hash_password(password)


def make_staff(
    session,
    email: str,
    roles=(Role.SUPPORT_AGENT,),
    *,
    password: str = DEFAULT_PASSWORD,
    mfa_secret: str | None = None,
    status: str = "active",
    time_zone: str | None = None,
    name: str | None = None,
) -> User:
    """A staff user holding ``roles`` (optionally TOTP-enrolled with ``mfa_secret``)."""
    user = User(
        email=email.lower(),
        password_hash=_hash(password),
        email_verified=True,
        mfa_enabled=mfa_secret is not None,
        mfa_method="totp" if mfa_secret else None,
        mfa_secret_encrypted=encrypt_secret(current_app.config, mfa_secret) if mfa_secret else None,
        status=status,
        time_zone=time_zone,
        name=name,
        password_changed_at=utcnow(),
    )
    session.add(user)
    session.flush()  # role rows need the id
    for role in roles:
        grant_role(session, user, Role(role))
    session.flush()
    return user


def make_customer(session, email: str, **values) -> User:
    """A customer (a user with an active customer role row)."""
    user = build(session, User, email=email, status="active", **values)
    build(session, Customer, shopping_mall_user_id=user.id, assigned_at=utcnow())
    return user
