"""Views of the finance console."""

from mallconsole.console.approvals import add_approvals
from mallconsole.core.roles import Permission
from mallconsole.finance import bp
from mallconsole.services import dashboards
from mallconsole.web.home import add_home

home = add_home(bp, Permission.FINANCE_ACCESS, dashboards.finance_queues)


add_approvals(bp, Permission.APPROVALS_FINANCE)
