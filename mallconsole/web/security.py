"""Security headers on every response, MFA enrollment first where the config demands it,
trusted host names only, and request bodies capped per view."""

from __future__ import annotations

import hmac
from collections.abc import Callable

from flask import Request, abort, current_app, redirect, request, url_for
from flask.globals import request_ctx
from flask_login import current_user
from werkzeug.exceptions import SecurityError
from wtforms.validators import Length

from mallconsole.web.htmx import is_htmx

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
    ]
)
HSTS_VALUE = "max-age=63072000; includeSubDomains"

# What a staff member without MFA may still reach when MFA_REQUIRED is on.
MFA_ENROLLMENT_ENDPOINTS = frozenset({"auth.mfa_enroll", "auth.logout", "static", "health.healthz"})

# Body limits a view names with ``body_limit`` (config keys; MAX_CONTENT_LENGTH is the default).
SMALL_FORM = "SMALL_FORM_MAX_CONTENT_LENGTH"  # sign-in, search: about 64 KB
UPLOAD = "UPLOAD_MAX_CONTENT_LENGTH"  # attachment uploads: about 11 MB

UNTRUSTED_HOST = "This console does not answer to that address."
# A 429 that does not say when to come back says this (seconds).
DEFAULT_RETRY_AFTER = 60


def body_limit(limit: int | str) -> Callable:
    """Decorate a view: its request body may hold at most ``limit`` bytes (or the number in the
    config key ``limit`` names, e.g. ``"UPLOAD_MAX_CONTENT_LENGTH"``). A larger body is refused
    with 413 before it is read; views without one get ``MAX_CONTENT_LENGTH``."""

    def decorator(view):
        view.max_content_length = limit
        return view

    return decorator


class ConsoleRequest(Request):
    """A request whose body limit is its view's ``body_limit`` (known once the URL is matched,
    before any hook reads the form, CSRF protection included)."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is not None:
            return self._max_content_length
        view = current_app.view_functions.get(self.endpoint) if self.endpoint else None
        limit = getattr(view, "max_content_length", None)
        if isinstance(limit, str):
            return current_app.config[limit]
        if limit is not None:
            return limit
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def forget_oversized(form) -> None:
    """Blank the fields of a refused ``form`` whose value is longer than their ``Length``
    allows, so the page that shows the errors does not send the oversized value back."""
    for field in form:
        limits = [v.max for v in field.validators if isinstance(v, Length) and v.max >= 0]
        if limits and isinstance(field.data, str) and len(field.data) > min(limits):
            field.data = ""
            field.raw_data = []


def bearer_token_accepted(config_key: str) -> bool:
    """Whether the request carries ``Authorization: Bearer <token>`` with one of the tokens the
    config lists under ``config_key``; compared with every one in constant time, so the
    answer's timing says nothing about which."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    given = token.strip().encode()
    accepted = current_app.config.get(config_key) or []
    return any([hmac.compare_digest(given, t.encode()) for t in accepted])


def refuse_untrusted_host():
    """``before_request``, first of all: 400 for a ``Host`` outside ``TRUSTED_HOSTS``.

    Flask refuses such a request while matching its URL, so it has no URL adapter; the error
    page is built with one bound to no host at all (its links are paths)."""
    if isinstance(request.routing_exception, SecurityError):
        request_ctx.url_adapter = current_app.url_map.bind(
            "", script_name=request.root_path or "/", url_scheme=request.scheme
        )
        abort(400, description=UNTRUSTED_HOST)


NULL_CHARACTER = (
    "What was sent contains a null character, which cannot be stored. Remove it and try again."
)


def refuse_null_characters():
    """``before_request``: 400 for a query or form value holding NUL, which no text column of
    PostgreSQL can store (and no person types). ``next`` is left to the redirect rule, which
    sends any value it does not trust to the console's home."""
    for values in (request.args, request.form):
        if any(
            "\x00" in value for key, listed in values.lists() if key != "next" for value in listed
        ):
            abort(400, description=NULL_CHARACTER)


def refuse_control_characters_in_paths():
    """``before_request``: 404 for a path holding NUL or another control character. No record
    has such an id or number (and PostgreSQL text cannot even hold NUL): nothing is there."""
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in request.path):
        abort(404)


def install(app) -> None:
    app.request_class = ConsoleRequest
    # Before every other hook (CSRF protection reads the form, the role guard builds URLs).
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_untrusted_host)
    app.before_request_funcs[None].insert(1, refuse_control_characters_in_paths)
    app.before_request_funcs[None].insert(2, refuse_null_characters)

    @app.before_request
    def send_to_mfa_enrollment():
        if not app.config.get("MFA_REQUIRED") or request.endpoint in MFA_ENROLLMENT_ENDPOINTS:
            return None
        if not current_user.is_authenticated or current_user.user.mfa_enabled:
            return None
        target = url_for("auth.mfa_enroll")
        if is_htmx():
            return "", 204, {"HX-Redirect": target}
        return redirect(target)

    # Images of reviews and products come from the mall's media host(s) as well.
    media = " ".join(app.config.get("MEDIA_ORIGINS") or ())
    policy = CONTENT_SECURITY_POLICY.replace(
        "img-src 'self' data:", f"img-src 'self' data: {media}".rstrip()
    )

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers["Content-Security-Policy"] = policy
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if app.config.get("HSTS"):
            headers["Strict-Transport-Security"] = HSTS_VALUE
        if request.endpoint != "static":
            # Console pages hold personal and financial data: never keep them in caches.
            headers.setdefault("Cache-Control", "no-store")
        if response.mimetype == "text/html":
            response.vary.add("HX-Request")
        if response.status_code == 429:
            headers.setdefault("Retry-After", str(DEFAULT_RETRY_AFTER))
        return response
