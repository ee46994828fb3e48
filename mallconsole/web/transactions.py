"""One transaction per request: services only flush; the request commits once on success.

A response under 400 commits; anything else rolls back, unless the view asked to keep its
changes (a refused sign-in still records the failed attempt and a lockout). A commit the
database refuses (a unique constraint hit by a concurrent request) answers 409, not 500.
Messages for the person acting (``messages.notify``) reach the response only after the commit.
"""

from __future__ import annotations

from flask import g
from sqlalchemy.exc import IntegrityError

from mallconsole.extensions import db
from mallconsole.services.kit import after_commit
from mallconsole.web import messages

# Per-request values kept on ``g``. ``g`` belongs to the app context, which outlives a request
# when one was already pushed (tests, scripts driving a client): each request starts clean.
# (Flask-Login caches the user in ``_login_user``, Flask-WTF the signed token in ``csrf_token``.)
REQUEST_STATE = (
    "keep_changes",
    "correlation_id",
    "_login_user",
    "csrf_token",
    "pending_messages",
    "messages_rendered",
)


def keep_changes_on_refusal() -> None:
    """Commit this request's changes even though it answers with an error status."""
    g.keep_changes = True


def install_request_state(app) -> None:
    """Register first: every request starts without the previous one's state."""

    @app.before_request
    def start_clean():
        for name in REQUEST_STATE:
            g.pop(name, None)


def install_commit(app) -> None:
    """Register last: after-request hooks run in reverse order, so the commit runs first and
    the others (security headers) also apply to a response it replaces."""

    @app.after_request
    def commit_or_roll_back(response):
        if response.status_code >= 400 and not g.get("keep_changes"):
            db.session.rollback()
            messages.discard()
            return response
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            messages.discard()
            app.logger.warning("commit refused by a constraint", exc_info=True)
            from mallconsole.web.errors import error_response

            return app.make_response(error_response(409))
        after_commit.dispatch_ready(db.session)
        if response.status_code >= 400:
            messages.discard()  # kept changes of a refusal (a failed sign-in): no success news
            return response
        return messages.deliver(response)
