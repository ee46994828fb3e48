"""Views of the support console."""

from ..authz import Permission
from ..role_home import add_home
from ..services import dashboards
from . import bp

home = add_home(bp, Permission.SUPPORT_ACCESS, dashboards.support_queues)
