"""One transaction per request: services only flush; the request commits once on success.

A response under 400 commits; anything else rolls back, unless the view asked to keep its
changes (a refused sign-in still records the failed attempt and a lockout).
"""

from __future__ import annotations

from flask import g

from .extensions import db


def keep_changes_on_refusal() -> None:
    """Commit this request's changes even though it answers with an error status."""
    g.keep_changes = True


# Per-request values kept on ``g``. ``g`` belongs to the app context, which outlives a request
# when one was already pushed (tests, scripts driving a client): each request starts clean.
# (Flask-Login caches the user in ``_login_user``, Flask-WTF the signed token in ``csrf_token``.)
REQUEST_STATE = ("keep_changes", "correlation_id", "_login_user", "csrf_token")


def install(app) -> None:
    @app.before_request
    def start_clean():
        for name in REQUEST_STATE:
            g.pop(name, None)

    @app.after_request
    def commit_or_roll_back(response):
        if response.status_code < 400 or g.get("keep_changes"):
            db.session.commit()
        else:
            db.session.rollback()
        return response
