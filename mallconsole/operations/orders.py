"""Orders in operations (``/operations/orders``): the list with its tabs and filters, the exact
order-number look-up, and the order screen with operations' actions (hold, review, release)."""

from __future__ import annotations

from functools import partial

from flask import redirect, request, url_for
from flask_login import current_user

from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.operations import bp
from mallconsole.operations.forms import OrderFilters, OrderStatusForm
from mallconsole.services.customers import order_status as status
from mallconsole.services.customers import order_view
from mallconsole.services.kit import versions
from mallconsole.services.orders import order_list as orders
from mallconsole.web.authz import require
from mallconsole.web.forms import filter_amounts, with_periods
from mallconsole.web.htmx import go_to, render
from mallconsole.web.messages import notify
from mallconsole.web.queues import QueueScreen, queue_screen
from mallconsole.web.refusals import refusals, validated
from mallconsole.web.templating import screen_url

DETAIL = "operations.order_detail"
# The operations screen of each kind of request an order lists (when the console has it).
REQUEST_SCREENS = {
    "cancellation": ("operations.cancellation_detail", "cancellation_id"),
    "return": ("operations.return_detail", "return_id"),
}

ORDER_TABS = QueueScreen(
    template="operations/order_list.html",
    argument="queue",
    names=orders.TAB_KEYS,
    default="all",
    unknown="There is no such list of orders. Choose one of the tabs.",
    form=OrderFilters,
    sorts=orders.ORDER_SORTS,
    default_sort={tab: orders.default_sort(tab) for tab in orders.TAB_KEYS},
    id_column=orders.ORDER_ID,
)


def _filters(listing) -> dict:
    given = {k: v for k, v in listing.filters.items() if k not in ("queue", "q")}
    return filter_amounts(with_periods(given))


@bp.get("/orders")
@require(Permission.ORDERS_VIEW)
def order_list():
    """Orders by tab, with filters, sort and pages; a whole order number opens that order."""
    found = orders.find_number(db.session, request.args.get("q"))
    if found is not None:
        return go_to(url_for(DETAIL, order_id=found))
    return queue_screen(
        ORDER_TABS,
        tabs=partial(orders.tabs, db.session),
        rows=partial(orders.order_page, db.session),
        count=partial(orders.count_orders, db.session),
        filters=_filters,
        more=lambda tab: {"looked_up": (request.args.get("q") or "").strip()},
    )


def request_url(row) -> str | None:
    """The operations screen of a cancellation or return the order lists, where there is one."""
    screen = REQUEST_SCREENS.get(row.kind)
    return screen_url(screen[0], **{screen[1]: row.record_id}) if screen else None


def shipment_url(row) -> str | None:
    return screen_url("operations.shipment_detail", shipment_id=row.shipment.id)


def _detail_page(order_id, *, status_code=200, form=None, stale=None):
    view = order_view.load(db.session, order_id)
    order = view.order
    if form is None:
        form = OrderStatusForm(formdata=None, version=order.version)
    return render(
        "operations/order_detail.html", status=status_code, view=view, form=form,
        stale=stale, moves=status.actions_for(db.session, order), actions=[],
        customer_url=None,
        case_url=lambda case: screen_url("support.case_detail", case_id=case.id)
        if Permission.CASES_VIEW in current_user.permissions else None,
        request_url=request_url, shipment_url=shipment_url,
    )  # fmt: skip


@bp.get("/orders/<order_id>")
@require(Permission.ORDERS_VIEW)
def order_detail(order_id):
    """One order (id or ORD- number): items, history, payments, shipments, requests."""
    return _detail_page(order_id)


@bp.post("/orders/<order_id>/status")
@require(Permission.ORDERS_MANAGE)
def order_status(order_id):
    """Put the order on hold or under review, or release it (field ``move``), with a reason."""
    form, move = OrderStatusForm(), request.form.get("move", "")

    def page(refusal):
        return _detail_page(order_id, status_code=refusal.status, form=form, stale=refusal.stale)

    with refusals(page, form):
        validated(form)
        version = versions.read_version(form.version.data)
        act = dict(reason=form.reason.data, actor=current_user.user, expected_version=version)
        if move == "release":
            moved = status.release(db.session, order_id, **act)
        else:
            moved = status.interrupt(db.session, order_id, move, **act)
    notify(moved.message)
    return redirect(url_for(DETAIL, order_id=moved.order.order_number), code=303)
