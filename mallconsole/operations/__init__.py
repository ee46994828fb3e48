"""The operations console (``/operations/``). Orders, returns, inventory, sellers."""

from mallconsole.core.roles import Role
from mallconsole.web.authz import role_blueprint

bp = role_blueprint(Role.OPERATIONS_MANAGER, __name__)

from mallconsole.operations import views  # noqa: E402, F401  (registers the routes)
