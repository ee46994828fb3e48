"""Orders in operations (``/operations/orders``): the order screen, with operations' actions."""

from __future__ import annotations

from flask_login import current_user

from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.operations import bp
from mallconsole.services.customers import order_view
from mallconsole.web.authz import require
from mallconsole.web.htmx import render
from mallconsole.web.templating import screen_url

# The operations screen of each kind of request an order lists (when the console has it).
REQUEST_SCREENS = {
    "cancellation": ("operations.cancellation_detail", "cancellation_id"),
    "return": ("operations.return_detail", "return_id"),
}


def request_url(row) -> str | None:
    """The operations screen of a cancellation or return the order lists, where there is one."""
    screen = REQUEST_SCREENS.get(row.kind)
    return screen_url(screen[0], **{screen[1]: row.record_id}) if screen else None


def shipment_url(row) -> str | None:
    return screen_url("operations.shipment_detail", shipment_id=row.shipment.id)


@bp.get("/orders/<order_id>")
@require(Permission.ORDERS_VIEW)
def order_detail(order_id):
    """One order (id or ORD- number): items, history, payments, shipments, requests."""
    view = order_view.load(db.session, order_id)
    return render(
        "operations/order_detail.html",
        view=view,
        actions=[],
        customer_url=None,
        case_url=lambda case: (
            screen_url("support.case_detail", case_id=case.id)
            if Permission.CASES_VIEW in current_user.permissions
            else None
        ),
        request_url=request_url,
        shipment_url=shipment_url,
    )
