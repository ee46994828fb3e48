"""The admin console (``/admin/``). System admins: approvals, staff, flags, policies."""

from ..authz import Role, role_blueprint

bp = role_blueprint(Role.SYSTEM_ADMIN, __name__)

from . import views  # noqa: E402, F401  (registers the routes)
