"""The support console (``/support/``). Support agents: customer cases."""

from ..authz import Role, role_blueprint

bp = role_blueprint(Role.SUPPORT_AGENT, __name__)

from . import queues, views  # noqa: E402, F401  (register the routes)
