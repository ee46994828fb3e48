"""Every error answers with a page in the console layout (or JSON for ``/api/``), never a trace."""

from __future__ import annotations

from datetime import datetime

from flask import jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import http_date

from mallconsole.core.errors import DomainError
from mallconsole.extensions import db
from mallconsole.web.htmx import is_htmx

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Check what you sent and try again."),
    401: ("Please sign in", "Your session has ended. Sign in to continue."),
    403: ("Not allowed", "Your roles do not allow this page or action."),
    404: ("Not found", "There is nothing at this address. It may have been moved or removed."),
    405: ("Not allowed here", "This address does not accept that kind of request."),
    409: ("Conflict", "Someone else changed this record first. Reload it and try again."),
    413: ("Too large", "The upload is larger than the console accepts."),
    422: ("Please check the form", "Some values are not valid."),
    429: ("Too many requests", "Please wait a moment and try again."),
    500: ("Something went wrong", "The console hit an unexpected error. Nothing was saved."),
    503: ("Unavailable", "The console cannot reach its database right now."),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(status: int, message: str | None = None, title: str | None = None):
    """A page (or JSON document) for ``status`` with a human message."""
    default_title, default_message = MESSAGES.get(status, MESSAGES[500])
    title = title or default_title
    message = message or default_message
    if _wants_json():
        return jsonify(error=title, message=message), status
    if is_htmx():
        # An error raised past the view is not the fragment its target expects: show it in the
        # message area (409/422 swap there; app.js puts the others there too).
        body = render_template("errors/_message.html", status=status, title=title, message=message)
        headers = {"HX-Retarget": "#messages", "HX-Reswap": "innerHTML", "Vary": "HX-Request"}
        return body, status, headers
    return render_template("errors/error.html", status=status, title=title, message=message), status


def _with_retry_after(answer, exc: Exception):
    """``answer`` saying when to try again, when ``exc`` knows (a 429's ``retry_after``)."""
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is None:
        return answer
    response = make_response(answer)
    if isinstance(retry_after, datetime):
        response.headers["Retry-After"] = http_date(retry_after)
    else:
        response.headers["Retry-After"] = str(int(retry_after))
    return response


def register(app) -> None:
    """Install the handlers on ``app``."""

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        return _with_retry_after(error_response(exc.status, exc.message, exc.title), exc)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code and exc.code >= 400:
            db.session.rollback()
        message = exc.description if exc.code not in (404, 500) else None
        if exc.code == 400 and "CSRF" in (exc.description or ""):
            message = "The form expired or was not sent from the console. Reload and try again."
        return _with_retry_after(error_response(exc.code or 500, message), exc)

    @app.errorhandler(InternalServerError)
    def internal_error(exc: InternalServerError):
        db.session.rollback()
        original = getattr(exc, "original_exception", None)
        if original is not None:
            app.logger.exception("unhandled error", exc_info=original)
        return error_response(500)
