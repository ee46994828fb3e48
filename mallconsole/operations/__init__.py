"""The operations console (``/operations/``). Orders, returns, inventory, sellers."""

from ..authz import Role, role_blueprint

bp = role_blueprint(Role.OPERATIONS_MANAGER, __name__)

from . import views  # noqa: E402, F401  (registers the routes)
