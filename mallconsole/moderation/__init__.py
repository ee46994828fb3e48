"""The moderation console (``/moderation/``). Content moderators: reviews and reports."""

from ..authz import Role, role_blueprint

bp = role_blueprint(Role.CONTENT_MODERATOR, __name__)

from . import reviews, views  # noqa: E402, F401  (registers the routes)
