"""Views of the operations console."""

from mallconsole.core.roles import Permission
from mallconsole.operations import bp
from mallconsole.services import dashboards
from mallconsole.web.home import add_home

home = add_home(bp, Permission.OPERATIONS_ACCESS, dashboards.operations_queues)
