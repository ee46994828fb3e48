"""Views of the support console."""

from flask_login import current_user

from ..authz import Permission
from ..role_home import add_home
from ..services import dashboards
from . import bp


def support_queues(session):
    """The case queues (mine, unassigned, SLA due, all), each linking to its list."""
    return dashboards.support_queues(session, actor=current_user)


home = add_home(bp, Permission.SUPPORT_ACCESS, support_queues)
