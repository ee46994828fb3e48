"""The console's own pages: ``/`` (to the first role's home) and global search."""

from flask import Blueprint

bp = Blueprint("console", __name__)

from mallconsole.console import views  # noqa: E402, F401  (registers the routes)
