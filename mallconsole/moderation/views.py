"""Views of the moderation console."""

from ..authz import Permission
from ..role_home import add_home
from ..services import dashboards, moderation_metrics
from . import bp

home = add_home(
    bp,
    Permission.MODERATION_ACCESS,
    dashboards.moderation_queues,
    metrics=moderation_metrics.signed_in_metrics,
)
