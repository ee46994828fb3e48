"""Views of the operations console."""

from ..authz import Permission
from ..role_home import add_home
from ..services import dashboards
from . import bp

home = add_home(bp, Permission.OPERATIONS_ACCESS, dashboards.operations_queues)
