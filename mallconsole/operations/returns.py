"""Returns (RMA) in operations (``/operations/returns…``): the queue, the return screen, and its
moves: decide each line, record the parcel, receive it, inspect each item, close. Every rule
lives in ``services/orders/returns.py``; these views read the forms and show the outcome."""

from __future__ import annotations

import json
from functools import partial

from flask import redirect, request, url_for
from flask_login import current_user

from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.operations import bp
from mallconsole.operations.forms import (
    InspectionForm,
    ReturnCloseForm,
    ReturnDecisionForm,
    ReturnFilters,
    ReturnRejectForm,
    ReturnShipmentForm,
    ReturnStepForm,
)
from mallconsole.services.aftersales.refund_decisions import plain_amount
from mallconsole.services.kit import versions
from mallconsole.services.orders import returns
from mallconsole.web.authz import require
from mallconsole.web.forms import with_periods
from mallconsole.web.htmx import is_htmx, render
from mallconsole.web.messages import notify
from mallconsole.web.queues import QueueScreen, queue_screen
from mallconsole.web.refusals import refusals, validated
from mallconsole.web.security import forget_oversized
from mallconsole.web.templating import screen_url

DETAIL = "operations.return_detail"
TEMPLATE = "operations/return_detail.html"
REJECT = "reject"  # the reject form's prefix: its reason is not the decision form's

# --- the queue -----------------------------------------------------------------------------------


def _filters(listing) -> dict:
    filters = with_periods({k: v for k, v in listing.filters.items() if k != "queue"})
    if "store" in filters:
        filters["store"] = filters["store"].strip()
    return filters


RETURN_QUEUES = QueueScreen(
    template="operations/return_list.html",
    argument="queue",
    names=returns.TAB_KEYS,
    default="pending",
    unknown="There is no such queue. Choose one of the return tabs.",
    form=ReturnFilters,
    sorts=returns.RETURN_SORTS,
    default_sort={tab: returns.default_sort(tab) for tab in returns.TAB_KEYS},
    id_column=returns.RETURN_ID,
)


@bp.get("/returns")
@require(Permission.RETURNS_VIEW)
def return_list():
    """Returns by the work they need, with filters, sort and pages."""
    return queue_screen(
        RETURN_QUEUES,
        tabs=partial(returns.tabs, db.session),
        rows=partial(returns.return_page, db.session),
        count=partial(returns.count_returns, db.session),
        filters=_filters,
        reasons=returns.reason_choices(),
    )


# --- the return screen ---------------------------------------------------------------------------


def _inspection_forms(view, given=None) -> dict:
    """One inspection form per approved line, filled with what it holds (``given``: the form
    the manager just sent, kept as typed)."""
    forms = {}
    for line in view.approved_lines:
        item, prefix = line.item, returns.inspection_prefix(line.item.id)
        if given is not None and given[0] == item.id:
            forms[item.id] = given[1]
            continue
        amount = item.refundable_amount if item.inspection_status == "passed" else None
        forms[item.id] = InspectionForm(
            formdata=None, prefix=prefix, version=view.request.version,
            condition=item.received_condition or "", note=item.inspection_note,
            outcome=item.inspection_status if line.inspected else None,
            refundable_amount=plain_amount(amount or line.can_refund, view.currency),
        )  # fmt: skip
    return forms


def _page(return_id, *, status=200, block=None, stale=None, line_errors=None, inspecting=None,
          **forms):  # fmt: skip
    view = returns.load(db.session, return_id)
    version = view.request.version
    shipment = forms.get("shipment") or ReturnShipmentForm(formdata=None, version=version)
    shipment.carrier.choices = [("", "Choose…")] + [(c.id, c.name) for c in view.carriers]
    blank = {
        name: cls(formdata=None, version=version)
        for name, cls in (
            ("decide", ReturnDecisionForm),
            ("receive", ReturnStepForm),
            ("close", ReturnCloseForm),
        )
    }
    blank["reject"] = ReturnRejectForm(formdata=None, version=version, prefix=REJECT)
    return render(
        TEMPLATE, block, status=status, view=view, stale=stale,
        **{**blank, **forms, "shipment": shipment}, line_errors=line_errors or {},
        values=request.form if request.method == "POST" else {},
        inspections=_inspection_forms(view, inspecting), order_url=screen_url(
            "operations.order_detail", order_id=view.order.order_number),
    )  # fmt: skip


@bp.get("/returns/<return_id>")
@require(Permission.RETURNS_VIEW)
def return_detail(return_id):
    """One return (id or RMA code), with the move its state asks for next."""
    return _page(return_id)


def _act(return_id, form, key, act):
    """Read ``form``, call ``act(version)``; on a refusal the screen again with the form's
    errors (422), the stale-write notice (409) or the refusal's status; then the return."""

    def page(refusal):
        forget_oversized(form)
        errors = refusal.error.field_errors
        return _page(return_id, status=refusal.status, stale=refusal.stale,
                     line_errors=errors, **{key: form})  # fmt: skip

    with refusals(page, form):
        validated(form)
        moved = act(versions.read_version(form.version.data))
    notify(moved.message)
    return redirect(url_for(DETAIL, return_id=moved.request.rma_code), code=303)


def _line_values(prefix: str) -> dict:
    return {k.removeprefix(prefix): v for k, v in request.form.items() if k.startswith(prefix)}


@bp.post("/returns/<return_id>/decide")
@require(Permission.RETURNS_DECIDE)
def return_decide(return_id):
    """Approve the units of each line given (0 refuses a line), with a reason for any refused."""
    form = ReturnDecisionForm()
    return _act(return_id, form, "decide", lambda version: returns.decide(
        db.session, return_id, _line_values("approve_"), reason=form.reason.data,
        actor=current_user.user, expected_version=version,
    ))  # fmt: skip


@bp.post("/returns/<return_id>/reject")
@require(Permission.RETURNS_DECIDE)
def return_reject(return_id):
    """Refuse every unit, with the reason the customer is told."""
    form = ReturnRejectForm(prefix=REJECT)
    return _act(return_id, form, "reject", lambda version: returns.reject(
        db.session, return_id, reason=form.reason.data, actor=current_user.user,
        expected_version=version,
    ))  # fmt: skip


@bp.post("/returns/<return_id>/shipment")
@require(Permission.RETURNS_DECIDE)
def return_shipment(return_id):
    """The customer sent the parcel: its carrier and tracking number."""
    form = ReturnShipmentForm()
    return _act(return_id, form, "shipment", lambda version: returns.record_shipment(
        db.session, return_id, carrier_id=form.carrier.data or None,
        tracking_number=form.tracking_number.data, actor=current_user.user,
        expected_version=version,
    ))  # fmt: skip


@bp.post("/returns/<return_id>/receive")
@require(Permission.RETURNS_DECIDE)
def return_receive(return_id):
    """The parcel is at the returns desk: its items wait for inspection."""
    form = ReturnStepForm()
    return _act(return_id, form, "receive", lambda version: returns.mark_received(
        db.session, return_id, actor=current_user.user, expected_version=version,
    ))  # fmt: skip


@bp.post("/returns/<return_id>/items/<item_id>/inspect")
@require(Permission.RETURNS_DECIDE)
def return_inspect(return_id, item_id):
    """Inspect one item; htmx reloads the screen in place, a refusal shows in its form."""
    form = InspectionForm(prefix=returns.inspection_prefix(item_id))

    def page(refusal):
        return _page(return_id, status=refusal.status, stale=refusal.stale, block="inspection",
                     inspecting=(item_id, form))  # fmt: skip

    with refusals(page, form):
        validated(form)
        moved = returns.inspect(
            db.session, return_id, item_id, condition=form.condition.data,
            outcome=form.outcome.data, note=form.note.data,
            refundable=form.refundable_amount.data, actor=current_user.user,
            expected_version=versions.read_version(form.version.data),
        )  # fmt: skip
    return _done(moved)


def _done(moved):
    """After a move: the return screen (htmx: reloaded in place, where the person was)."""
    notify(moved.message)
    screen = url_for(DETAIL, return_id=moved.request.rma_code)
    if not is_htmx():
        return redirect(screen, code=303)
    target = {"path": screen, "target": "#main", "select": "#main", "swap": "outerHTML"}
    return "", 204, {"HX-Location": json.dumps(target)}


@bp.post("/returns/<return_id>/close")
@require(Permission.RETURNS_DECIDE)
def return_close(return_id):
    """Close: one refund request for what passed, the rest back in stock (or, never sent back,
    nothing)."""
    form = ReturnCloseForm()
    return _act(return_id, form, "close", lambda version: returns.close(
        db.session, return_id, locations=request.form.getlist("location"),
        actor=current_user.user, expected_version=version,
    ))  # fmt: skip
