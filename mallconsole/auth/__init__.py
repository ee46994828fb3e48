"""Sign-in, sign-out and the staff member's own account page (``/login``, ``/account``)."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from mallconsole.auth import views  # noqa: E402, F401  (registers the routes)
