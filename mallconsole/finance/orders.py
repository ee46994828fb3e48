"""The read-only order screen of finance (``/finance/orders/<id>``): the order as every area
reads it (the shared template and read service), with no request to raise from it."""

from __future__ import annotations

from flask_login import current_user

from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.finance import bp
from mallconsole.services.customers import order_view
from mallconsole.web.authz import require
from mallconsole.web.htmx import render
from mallconsole.web.templating import screen_url


@bp.get("/orders/<order_id>")
@require(Permission.ORDERS_VIEW)
def order_detail(order_id):
    """One order, read-only (id or ORD- number): items, history, payments, shipments, requests."""
    view = order_view.load(db.session, order_id)
    return render(
        "finance/order_detail.html",
        view=view,
        actions=[],
        customer_url=None,
        case_url=lambda case: (
            screen_url("support.case_detail", case_id=case.id)
            if Permission.CASES_VIEW in current_user.permissions
            else None
        ),
    )
