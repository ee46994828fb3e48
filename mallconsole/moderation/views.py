"""Views of the moderation console."""

from mallconsole.core.roles import Permission
from mallconsole.moderation import bp
from mallconsole.services import dashboards
from mallconsole.services.moderation import moderation_metrics
from mallconsole.web.home import add_home

home = add_home(
    bp,
    Permission.MODERATION_ACCESS,
    dashboards.moderation_queues,
    metrics=moderation_metrics.signed_in_metrics,
)
