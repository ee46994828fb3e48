"""Cancellations in operations (``/operations/cancellations``): the queue by the work each
request needs, and one request's screen with its next move (approve, reject, execute)."""

from __future__ import annotations

from functools import partial

from flask import redirect, url_for
from flask_login import current_user

from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.operations import bp
from mallconsole.operations.forms import (
    CancellationFilters,
    CancellationRejectForm,
    CancellationStepForm,
)
from mallconsole.services.kit import versions
from mallconsole.services.orders import cancellations
from mallconsole.web.authz import require
from mallconsole.web.forms import with_periods
from mallconsole.web.htmx import render
from mallconsole.web.messages import notify
from mallconsole.web.queues import QueueScreen, queue_screen
from mallconsole.web.refusals import refusals, validated
from mallconsole.web.templating import screen_url

DETAIL = "operations.cancellation_detail"
TEMPLATE = "operations/cancellation_detail.html"
CANCELLATION_QUEUES = QueueScreen(
    template="operations/cancellation_list.html",
    argument="queue",
    names=cancellations.TAB_KEYS,
    default="pending",
    unknown="There is no such queue. Choose one of the cancellation tabs.",
    form=CancellationFilters,
    sorts=cancellations.CANCELLATION_SORTS,
    default_sort={tab: cancellations.default_sort(tab) for tab in cancellations.TAB_KEYS},
    id_column=cancellations.CANCELLATION_ID,
)


def _filters(listing) -> dict:
    filters = with_periods({k: v for k, v in listing.filters.items() if k != "queue"})
    if "store" in filters:
        filters["store"] = filters["store"].strip()
    return filters


@bp.get("/cancellations")
@require(Permission.ORDERS_VIEW)
def cancellation_list():
    """Cancellation requests to decide and to execute, with filters, sort and pages."""
    return queue_screen(
        CANCELLATION_QUEUES,
        tabs=partial(cancellations.tabs, db.session),
        rows=partial(cancellations.cancellation_page, db.session),
        count=partial(cancellations.count_cancellations, db.session),
        filters=_filters,
    )


def _page(cancellation_id, *, status=200, stale=None, **forms):
    view = cancellations.load(db.session, cancellation_id)
    version = view.request.version
    return render(
        TEMPLATE, status=status, view=view, stale=stale,
        step=forms.get("step") or CancellationStepForm(formdata=None, version=version),
        reject=forms.get("reject") or CancellationRejectForm(formdata=None, version=version),
        order_url=screen_url("operations.order_detail", order_id=view.order.order.order_number),
    )  # fmt: skip


@bp.get("/cancellations/<cancellation_id>")
@require(Permission.ORDERS_VIEW)
def cancellation_detail(cancellation_id):
    """One cancellation request (id or CAN- number), with its next move."""
    return _page(cancellation_id)


def _act(cancellation_id, form, key, act):
    def page(refusal):
        return _page(cancellation_id, status=refusal.status, stale=refusal.stale, **{key: form})

    with refusals(page, form):
        validated(form)
        moved = act(versions.read_version(form.version.data))
    notify(moved.message)
    number = moved.request.cancellation_request_number
    return redirect(url_for(DETAIL, cancellation_id=number), code=303)


@bp.post("/cancellations/<cancellation_id>/approve")
@require(Permission.CANCELLATIONS_DECIDE)
def cancellation_approve(cancellation_id):
    """Approve while nothing of the order has shipped."""
    return _act(cancellation_id, CancellationStepForm(), "step", lambda version: (
        cancellations.approve(db.session, cancellation_id, actor=current_user.user,
                              expected_version=version)))  # fmt: skip


@bp.post("/cancellations/<cancellation_id>/execute")
@require(Permission.CANCELLATIONS_DECIDE)
def cancellation_execute(cancellation_id):
    """Cancel the order, release its stock and raise its refund."""
    return _act(cancellation_id, CancellationStepForm(), "step", lambda version: (
        cancellations.execute(db.session, cancellation_id, actor=current_user.user,
                              expected_version=version)))  # fmt: skip


@bp.post("/cancellations/<cancellation_id>/reject")
@require(Permission.CANCELLATIONS_DECIDE)
def cancellation_reject(cancellation_id):
    """Reject with a reason."""
    form = CancellationRejectForm()
    return _act(cancellation_id, form, "reject", lambda version: cancellations.reject(
        db.session, cancellation_id, reason=form.reason.data, actor=current_user.user,
        expected_version=version))  # fmt: skip
