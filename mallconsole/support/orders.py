"""The read-only order screen of support (``/support/orders/<id>``), with the links to raise a
cancellation, return or refund request on the customer's behalf."""

from __future__ import annotations

import re

from flask import abort, request
from flask_login import current_user

from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.services.customers import order_view
from mallconsole.support import bp
from mallconsole.web.authz import require
from mallconsole.web.htmx import render
from mallconsole.web.templating import screen_url

# The support case the order was opened from (``?case=``): an id or a CAS- number.
CASE_REFERENCE = re.compile(r"^[0-9A-Za-z-]{1,64}$")
REQUEST_ACTIONS = (
    ("support.request_cancellation", "Request cancellation"),
    ("support.request_return", "Request return"),
    ("support.request_refund", "Request refund"),
)


def _case_reference() -> str | None:
    case = request.args.get("case") or None
    if case is not None and not CASE_REFERENCE.fullmatch(case):
        abort(400, description="The case this order was opened from is not a case id or number.")
    return case


def request_actions(order, case: str | None) -> list[tuple[str, str]]:
    """(label, address) of each request that can be raised from the order, once installed."""
    extra = {"case": case} if case else {}
    found = []
    for endpoint, label in REQUEST_ACTIONS:
        url = screen_url(endpoint, order_id=order.id, **extra)
        if url:
            found.append((label, url))
    return found


@bp.get("/orders/<order_id>")
@require(Permission.ORDERS_VIEW)
def order_detail(order_id):
    """One order, read-only: items, history, payments, shipments, requests and cases."""
    case = _case_reference()
    view = order_view.load(db.session, order_id)
    return render(
        "support/orders/detail.html",
        view=view,
        case=case,
        actions=request_actions(view.order, case)
        if Permission.REQUESTS_RAISE in current_user.permissions
        else [],
        customer_url=screen_url("support.customer_detail", customer_id=view.customer.id)
        if view.customer
        else None,
        case_url=lambda c: screen_url("support.case_detail", case_id=c.id),
    )
