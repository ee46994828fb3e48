"""Security headers on every response, and MFA enrollment first where the config demands it."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_login import current_user

from .htmx import is_htmx

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


def install(app) -> None:
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

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
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
        return response
