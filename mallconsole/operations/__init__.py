"""The operations console (``/operations/``). Orders, cancellations, returns, shipments and
carriers; inventory and sellers."""

from mallconsole.core.roles import Role
from mallconsole.web.authz import role_blueprint

bp = role_blueprint(Role.OPERATIONS_MANAGER, __name__)

from mallconsole.operations import (  # noqa: E402, F401  (the modules register the routes)
    orders,
    views,
)
