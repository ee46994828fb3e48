"""Raising cancellation, return and refund requests on a customer's behalf, from an order
(and, with ``case=``, from the support case that asked for it). Every rule lives in
``services/aftersales/customer_requests.py``; these views read the forms and show the outcome."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_login import current_user

from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.services.aftersales import customer_requests as requests_service
from mallconsole.support import bp
from mallconsole.support.forms import RequestForm
from mallconsole.web.authz import require
from mallconsole.web.htmx import render
from mallconsole.web.messages import notify
from mallconsole.web.refusals import refusals, validated
from mallconsole.web.security import forget_oversized

CASE_SCREEN = "support.case_detail"
ORDER_SCREEN = "support.order_detail"


def _page(kind, order, form, *, status=200, line_errors=None):
    """The form of ``kind`` for ``order`` with what the order allows now."""
    session = db.session
    case = requests_service.find_case(session, form.case.data)
    context = {
        "kind": kind,
        "order": order,
        "form": form,
        "case": case,
        "case_url": url_for(CASE_SCREEN, case_id=case.id) if case else None,
        "order_url": url_for(ORDER_SCREEN, order_id=order.id),
        "endpoint": f"support.request_{kind.key}",
        "values": request.form if request.method == "POST" else {},
        "line_errors": line_errors or {},
        "raised": requests_service.for_order(session, order.id),
        "service": requests_service,
    }
    if kind is requests_service.CANCELLATION:
        context["refusal"] = requests_service.cancellation_refusal(session, order)
    elif kind is requests_service.RETURN:
        context["lines"] = requests_service.return_lines(session, order)
    else:
        context["room"] = requests_service.refund_room(session, order)
    return render("support/requests/request_form.html", status=status, **context)


def _done_url(order, case_id: str | None) -> str:
    """Where a raised request sends the agent: the case it was raised from, else the order."""
    if case_id:
        return url_for(CASE_SCREEN, case_id=case_id)
    return url_for(ORDER_SCREEN, order_id=order.id)


def _blank_form(kind, order):
    """The form for ``order``, raised from the case ``?case=`` names (422 when that case is not
    about this order)."""
    form = RequestForm(kind, formdata=None, data={"case": request.args.get("case", "")})
    with refusals(lambda refusal: _page(kind, order, form, status=refusal.status), form):
        if form.case.data:
            requests_service.case_for_order(db.session, form.case.data, order)
    return _page(kind, order, form)


def _raise_from_form(kind, order_id, raise_it):
    """GET shows the form; POST raises the request (422/409 keep the input) and redirects."""
    order = requests_service.find_order(db.session, order_id)
    if request.method == "GET":
        return _blank_form(kind, order)
    form = RequestForm(kind)

    def page(refusal):
        forget_oversized(form)
        errors = refusal.error.field_errors  # a line's errors show beside the line
        return _page(kind, order, form, status=refusal.status, line_errors=errors)

    with refusals(page, form):
        validated(form)
        raised = raise_it(
            db.session,
            order.id,
            reason_code=form.reason_code.data,
            note=form.note.data,
            actor=current_user.user,
            case_id=form.case.data or None,
        )
    number = getattr(raised, kind.number_column)
    notify(f"{kind.label} {number} raised for order {order.order_number}.")
    return redirect(_done_url(order, raised.shopping_mall_support_case_id), code=303)


@bp.route(
    "/orders/<order_id>/cancellation/new", methods=["GET", "POST"], endpoint="request_cancellation"
)
@require(Permission.REQUESTS_RAISE)
def request_cancellation(order_id):
    """Ask operations to cancel an order nothing of which has shipped."""
    return _raise_from_form(
        requests_service.CANCELLATION, order_id, requests_service.raise_cancellation
    )


@bp.route("/orders/<order_id>/return/new", methods=["GET", "POST"], endpoint="request_return")
@require(Permission.REQUESTS_RAISE)
def request_return(order_id):
    """Ask operations to take delivered units back (an RMA)."""

    def raise_it(session, order_id, **fields):
        items = {
            name.removeprefix("quantity_"): value
            for name, value in request.form.items()
            if name.startswith("quantity_")
        }
        return requests_service.raise_return(session, order_id, items, **fields)

    return _raise_from_form(requests_service.RETURN, order_id, raise_it)


@bp.route("/orders/<order_id>/refund/new", methods=["GET", "POST"], endpoint="request_refund")
@require(Permission.REQUESTS_RAISE)
def request_refund(order_id):
    """Ask finance to refund amounts of an order's lines (or of the whole order)."""

    def raise_it(session, order_id, **fields):
        lines = [
            (None if name == "amount_order" else name.removeprefix("amount_"), value)
            for name, value in request.form.items()
            if name.startswith("amount_")
        ]
        return requests_service.raise_refund(session, order_id, lines, **fields)

    return _raise_from_form(requests_service.REFUND, order_id, raise_it)
