"""The operations console (``/operations/``). Orders, cancellations, returns, shipments and
carriers; inventory and sellers."""

from mallconsole.core.roles import Role
from mallconsole.web.authz import role_blueprint

bp = role_blueprint(Role.OPERATIONS_MANAGER, __name__)

from mallconsole.core.roles import Permission  # noqa: E402
from mallconsole.operations import (  # noqa: E402, F401  (the modules register the routes)
    orders,
    views,
)
from mallconsole.web.templating import add_area_link  # noqa: E402

add_area_link(bp, "Orders", "order_list", Permission.ORDERS_VIEW, also=("order_detail",),
              position=10)  # fmt: skip
