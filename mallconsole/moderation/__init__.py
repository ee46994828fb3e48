"""The moderation console (``/moderation/``). Content moderators: reviews and reports."""

from mallconsole.core.roles import Role
from mallconsole.web.authz import role_blueprint

bp = role_blueprint(Role.CONTENT_MODERATOR, __name__)

from mallconsole.moderation import reviews, views  # noqa: E402, F401  (registers the routes)
