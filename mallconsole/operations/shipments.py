"""Shipments in operations (``/operations/shipments``): the list with its exceptions queue, and
the shipment screen with its items, carrier events and history, where a manager records a
carrier event by hand, corrects the status, or gives a shipment not yet picked up its
carrier."""

from __future__ import annotations

from functools import partial

from flask import redirect, url_for
from flask_login import current_user

from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.operations import bp
from mallconsole.operations.forms import (
    CarrierAssignForm,
    ShipmentEventForm,
    ShipmentFilters,
    StatusCorrectionForm,
)
from mallconsole.services.fulfilment import shipments
from mallconsole.services.kit import versions
from mallconsole.web.authz import require
from mallconsole.web.forms import with_periods
from mallconsole.web.htmx import render
from mallconsole.web.messages import notify
from mallconsole.web.queues import QueueScreen, queue_screen
from mallconsole.web.refusals import refusals, validated

DETAIL = "operations.shipment_detail"

SHIPMENT_QUEUES = QueueScreen(
    template="operations/shipment_list.html",
    argument="queue",
    names=shipments.QUEUE_KEYS,
    default="all",
    unknown="There is no such shipment list. Choose Exceptions or All shipments.",
    form=ShipmentFilters,
    sorts=shipments.SHIPMENT_SORTS,
    default_sort=shipments.DEFAULT_SORTS,
    id_column=shipments.SHIPMENT_ID,
)


def _filters(listing) -> dict:
    filters = with_periods(SHIPMENT_QUEUES.given_filters(listing))
    if "store" in filters:
        filters["store"] = filters["store"].strip()
    return filters


@bp.get("/shipments")
@require(Permission.ORDERS_VIEW)
def shipment_list():
    """Shipments, or the exceptions queue (``?queue=exceptions``), with filters and pages."""
    return queue_screen(
        SHIPMENT_QUEUES,
        tabs=partial(shipments.tabs, db.session),
        rows=partial(shipments.shipment_page, db.session),
        count=partial(shipments.count_shipments, db.session),
        filters=_filters,
    )


def _detail_page(reference, *, status=200, stale=None, event=None, correction=None, assign=None):
    view = shipments.load(db.session, reference)
    version = view.shipment.version
    correction = correction or StatusCorrectionForm(formdata=None, version=version)
    return render(
        "operations/shipment_detail.html",
        status=status,
        view=view,
        stale=stale,
        event_form=event or ShipmentEventForm(formdata=None, version=version),
        correction=correction.offer(view.targets),
        assign=assign or CarrierAssignForm(formdata=None, version=version),
    )


@bp.get("/shipments/<shipment_id>")
@require(Permission.ORDERS_VIEW)
def shipment_detail(shipment_id):
    """One shipment (id or SHP- number): items, carrier events, tracking, history."""
    return _detail_page(shipment_id)


def _page_for(shipment_id, **forms):
    """The shipment screen again after a refusal: the form's errors (422), what changed since
    (409, the form at the version now), or the refusal's status."""
    return lambda refusal: _detail_page(
        shipment_id, status=refusal.status, stale=refusal.stale, **forms
    )


def _done(outcome):
    notify(outcome.message)
    number = outcome.shipment.shipment_number
    return redirect(url_for(DETAIL, shipment_id=number, _anchor="carrier-events"), code=303)


@bp.post("/shipments/<shipment_id>/events")
@require(Permission.SHIPMENTS_MANAGE)
def shipment_event_record(shipment_id):
    """Record a carrier event by hand; it moves the shipment where the machine allows."""
    form = ShipmentEventForm()
    with refusals(_page_for(shipment_id, event=form), form):
        validated(form)
        outcome = shipments.record_event(
            db.session, shipment_id, event=form.event.data, location=form.location.data,
            description=form.description.data, customer_visible=form.customer_visible.data,
            actor=current_user.user, expected_version=versions.read_version(form.version.data),
        )  # fmt: skip
    return _done(outcome)


@bp.post("/shipments/<shipment_id>/status")
@require(Permission.SHIPMENTS_MANAGE)
def shipment_status_correct(shipment_id):
    """Correct the status to a state the machine allows, with a reason."""
    form = StatusCorrectionForm()
    with refusals(_page_for(shipment_id, correction=form), form):
        validated(form)
        outcome = shipments.correct_status(
            db.session, shipment_id, target=form.status.data, reason=form.reason.data,
            actor=current_user.user, expected_version=versions.read_version(form.version.data),
        )  # fmt: skip
    return _done(outcome)


@bp.post("/shipments/<shipment_id>/carrier")
@require(Permission.SHIPMENTS_MANAGE)
def shipment_carrier_assign(shipment_id):
    """Give a shipment not yet picked up its carrier (an active one) and tracking number."""
    form = CarrierAssignForm()
    with refusals(_page_for(shipment_id, assign=form), form):
        validated(form)
        outcome = shipments.assign_carrier(
            db.session, shipment_id, carrier_id=form.carrier.data,
            tracking_number=form.tracking_number.data, actor=current_user.user,
            expected_version=versions.read_version(form.version.data),
        )  # fmt: skip
    return _done(outcome)
