"""Views of the moderation console."""

from flask_login import current_user

from mallconsole.core.locale import current_reader
from mallconsole.core.roles import Permission
from mallconsole.moderation import bp
from mallconsole.services import dashboards
from mallconsole.services.moderation import moderation_metrics
from mallconsole.web.home import add_home


def moderator_metrics(session):
    """The home's numbers for the signed-in moderator, days in their time zone."""
    return moderation_metrics.moderation_metrics(
        session, moderator_id=current_user.id, zone=current_reader().zone
    )


home = add_home(
    bp, Permission.MODERATION_ACCESS, dashboards.moderation_queues, metrics=moderator_metrics
)
