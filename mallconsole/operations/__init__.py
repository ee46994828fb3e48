"""The operations console (``/operations/``). Orders, cancellations, returns, shipments and
carriers; inventory and sellers."""

from mallconsole.core.roles import Permission, Role
from mallconsole.web.authz import role_blueprint

bp = role_blueprint(Role.OPERATIONS_MANAGER, __name__)

from mallconsole.operations import (  # noqa: E402, F401  (the modules register the routes)
    cancellations,
    carriers,
    orders,
    returns,
    shipments,
    views,
)
from mallconsole.web.templating import add_area_link  # noqa: E402

add_area_link(bp, "Orders", "order_list", Permission.ORDERS_VIEW, also=("order_detail",),
              position=10)  # fmt: skip
add_area_link(bp, "Cancellations", "cancellation_list", Permission.ORDERS_VIEW,
              also=("cancellation_detail",), position=20)  # fmt: skip
add_area_link(bp, "Returns", "return_list", Permission.RETURNS_VIEW, also=("return_detail",),
              position=30)  # fmt: skip
add_area_link(bp, "Shipments", "shipment_list", Permission.ORDERS_VIEW,
              also=("shipment_detail",), position=40)  # fmt: skip
add_area_link(bp, "Carriers", "carrier_list", Permission.OPERATIONS_ACCESS,
              also=("carrier_detail", "carrier_new"), position=50)  # fmt: skip
