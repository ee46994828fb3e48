"""``require(permission)`` guards a view; each role blueprint guards its whole prefix.

Every view declares the permission it needs with ``@require(...)`` (a test walks ``app.url_map``
for it) and each role blueprint also guards its prefix in ``before_request``. The roles and
permissions themselves are ``mallconsole.core.roles``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from flask import Blueprint, abort, make_response, redirect, request, url_for
from flask_login import current_user

from mallconsole.core.roles import ROLE_BLUEPRINTS, Permission, Role
from mallconsole.web.htmx import is_htmx


def login_url(next_url: str | None = None) -> str:
    """The sign-in page, coming back to ``next_url`` afterwards."""
    base = url_for("auth.login")
    return f"{base}?{urlencode({'next': next_url})}" if next_url else base


def anonymous_response():
    """Anonymous: a redirect to the sign-in page (401 + ``HX-Redirect`` for htmx)."""
    target = login_url(request.full_path.rstrip("?") if request.method == "GET" else None)
    if is_htmx():
        response = make_response("", 401)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def refusal(permission: Permission | None = None, role: Role | None = None):
    """``None`` when the current user may go on, else the response that stops the request."""
    if not current_user.is_authenticated:
        return anonymous_response()
    if role is not None and role not in current_user.roles:
        abort(403)
    if permission is not None and permission not in current_user.permissions:
        abort(403)
    return None


def require(permission: Permission) -> Callable:
    """Decorate a view: only signed-in staff holding ``permission`` get through."""

    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            stopped = refusal(permission)
            if stopped is not None:
                return stopped
            return view(*args, **kwargs)

        guarded.required_permission = permission
        return guarded

    return decorator


def public(view):
    """Mark a view that anyone may reach (sign-in pages); the url_map test lists them."""
    view.public = True
    return view


def role_guard(role: Role) -> Callable:
    """A ``before_request`` hook refusing the whole blueprint to staff without ``role``."""

    def guard():
        return refusal(role=role)

    return guard


def role_blueprint(role: Role, import_name: str):
    """The blueprint of ``role``'s console at ``/<name>/``, guarded as a whole."""
    name = ROLE_BLUEPRINTS[role]
    blueprint = Blueprint(name, import_name, url_prefix=f"/{name}")
    # Every route of the prefix refuses staff without the role, whatever its own permission.
    blueprint.before_request(role_guard(role))
    return blueprint


def guard_unmatched_role_paths():
    """``before_request`` for the whole app: an unknown path under a role's prefix answers as
    its blueprint would (login or 403), not a 404 that tells outsiders what exists."""
    if request.url_rule is not None:
        return None
    for role, name in ROLE_BLUEPRINTS.items():
        if request.path.startswith(f"/{name}/"):
            return refusal(role=role)
    return None
