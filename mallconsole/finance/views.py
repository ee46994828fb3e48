"""Views of the finance console."""

from ..approvals_views import add_approvals
from ..authz import Permission
from ..role_home import add_home
from ..services import dashboards
from . import bp

home = add_home(bp, Permission.FINANCE_ACCESS, dashboards.finance_queues)


add_approvals(bp, Permission.APPROVALS_FINANCE)
