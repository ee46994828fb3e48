"""Who is asking: the staff member behind the session cookie, loaded once per request."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, request, session
from flask_login import AnonymousUserMixin

from mallconsole.core.roles import permissions_of
from mallconsole.extensions import db, login_manager
from mallconsole.models import User
from mallconsole.services.identity.sessions import touch_session
from mallconsole.services.identity.staff import signed_in_staff

# The key of the session token in Flask's signed cookie.
SESSION_TOKEN_KEY = "session_token"


class StaffPrincipal:
    """A signed-in staff member: the user, their session row, roles and permissions."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user: User, session_row, roles):
        self.user = user
        self.session_row = session_row
        self.roles = tuple(roles)
        self.permissions = permissions_of(self.roles)

    def get_id(self) -> str:
        return self.user.id

    @property
    def id(self) -> str:
        return self.user.id

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def name(self) -> str | None:
        return self.user.name

    @property
    def time_zone(self) -> str:
        return self.user.time_zone or "UTC"

    @property
    def home_endpoint(self) -> str:
        return self.roles[0].home_endpoint


class Anonymous(AnonymousUserMixin):
    roles: tuple = ()
    permissions: frozenset = frozenset()
    time_zone = "UTC"


def idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def absolute_limit() -> timedelta:
    return timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])


@login_manager.request_loader
def load_principal(_request):
    """The live session of the cookie's token; foreground requests extend its idle time."""
    found = signed_in_staff(db.session, session.get(SESSION_TOKEN_KEY), idle=idle_limit())
    if found is None:
        return None
    row, user, roles = found
    if request.headers.get("X-Background") != "1":
        touch_session(row)
    return StaffPrincipal(user, row, roles)


def configure(app) -> None:
    login_manager.init_app(app)
    login_manager.anonymous_user = Anonymous
    # The server row is the session; Flask-Login's cookie-fingerprint protection is not used.
    login_manager.session_protection = None
