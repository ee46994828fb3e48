"""Views of the admin console."""

from ..authz import Permission
from ..role_home import add_home
from ..services import dashboards
from . import bp

home = add_home(
    bp,
    Permission.ADMIN_ACCESS,
    dashboards.admin_queues,
    recent_events=dashboards.recent_audit_events,
)
