"""Views of the support console."""

from flask_login import current_user

from mallconsole.core.roles import Permission
from mallconsole.services import dashboards
from mallconsole.support import bp
from mallconsole.web.home import add_home


def support_queues(session):
    """The case queues (mine, unassigned, SLA due, all), each linking to its list."""
    return dashboards.support_queues(session, actor=current_user.user)


home = add_home(bp, Permission.SUPPORT_ACCESS, support_queues)
