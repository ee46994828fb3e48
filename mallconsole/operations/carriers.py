"""Carriers (``/operations/carriers``): the list, a new carrier, and a carrier's screen where it
is edited, deactivated or reactivated (its history kept), or deleted when entered by
mistake."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_login import current_user

from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.operations import bp
from mallconsole.operations.forms import CarrierFilters, CarrierForm, CarrierStateForm
from mallconsole.services.fulfilment import carriers
from mallconsole.services.kit import versions
from mallconsole.web.authz import require
from mallconsole.web.htmx import render
from mallconsole.web.lists import read_listing
from mallconsole.web.messages import notify
from mallconsole.web.refusals import refusals, validated

DETAIL = "operations.carrier_detail"


@bp.get("/carriers")
@require(Permission.OPERATIONS_ACCESS)
def carrier_list():
    """The carriers, active and inactive, by name."""
    listing = read_listing(
        CarrierFilters, sorts=carriers.CARRIER_SORTS, default_sort="name",
        id_column=carriers.CARRIER_ID,
    )  # fmt: skip
    page = carriers.carrier_page(
        db.session, listing.filters, listing.ordering, cursor=listing.cursor, limit=listing.limit
    )
    return render(
        "operations/carrier_list.html", block="listing", listing=listing, page=page,
        count=carriers.count_carriers(db.session, listing.filters),
        filtered=bool(listing.filters), tracking_site=carriers.tracking_site,
    )  # fmt: skip


def _new_page(form, *, status=200):
    return render("operations/carrier_new.html", status=status, form=form)


@bp.route("/carriers/new", methods=["GET", "POST"])
@require(Permission.CARRIERS_MANAGE)
def carrier_new():
    """Add a carrier: it takes new shipments at once."""
    form = CarrierForm()
    if request.method == "GET":
        return _new_page(form)
    with refusals(lambda refusal: _new_page(form, status=refusal.status), form):
        validated(form)
        carrier = carriers.create_carrier(
            db.session, code=form.code.data, name=form.name.data,
            template=form.tracking_url_template.data, phone=form.phone.data,
            actor=current_user.user,
        )  # fmt: skip
    notify(f"{carrier.name} added: it takes new shipments.")
    return redirect(url_for(DETAIL, carrier_id=carrier.id), code=303)


def _detail_page(carrier_id, *, status=200, stale=None, edit=None, state=None):
    view = carriers.load(db.session, carrier_id)
    c = view.carrier
    edit = edit or CarrierForm(
        formdata=None, name=c.name, code=c.code, tracking_url_template=c.tracking_url_template,
        phone=c.phone, version=c.version,
    )  # fmt: skip
    state = state or CarrierStateForm(formdata=None, version=c.version)
    return render(
        "operations/carrier_detail.html", status=status, view=view, edit=edit, state=state,
        stale=stale, example_number=carriers.EXAMPLE_TRACKING_NUMBER,
    )  # fmt: skip


@bp.get("/carriers/<carrier_id>")
@require(Permission.OPERATIONS_ACCESS)
def carrier_detail(carrier_id):
    """One carrier: its fields, its shipments counted, an example tracking link, history."""
    return _detail_page(carrier_id)


def _page_for(carrier_id, **forms):
    return lambda refusal: _detail_page(
        carrier_id, status=refusal.status, stale=refusal.stale, **forms
    )


@bp.post("/carriers/<carrier_id>")
@require(Permission.CARRIERS_MANAGE)
def carrier_update(carrier_id):
    """Save a carrier's fields; refused (409, with what changed) when changed meanwhile."""
    form = CarrierForm()
    with refusals(_page_for(carrier_id, edit=form), form):
        validated(form)
        carrier = carriers.edit_carrier(
            db.session, carrier_id, code=form.code.data, name=form.name.data,
            template=form.tracking_url_template.data, phone=form.phone.data,
            expected_version=versions.read_version(form.version.data), actor=current_user.user,
        )  # fmt: skip
    notify(f"{carrier.name} saved.")
    return redirect(url_for(DETAIL, carrier_id=carrier.id), code=303)


def _change_state(carrier_id, change):
    form = CarrierStateForm()
    with refusals(_page_for(carrier_id, state=form), form):
        validated(form)
        changed = change(form.reason.data, versions.read_version(form.version.data))
    notify(changed.message)
    if changed.carrier.deleted_at is not None:
        return redirect(url_for("operations.carrier_list"), code=303)
    return redirect(url_for(DETAIL, carrier_id=changed.carrier.id), code=303)


@bp.post("/carriers/<carrier_id>/deactivate")
@require(Permission.CARRIERS_MANAGE)
def carrier_deactivate(carrier_id):
    """Deactivate a carrier (why): no new shipments; its shipments keep it."""
    return _change_state(carrier_id, lambda reason, version: carriers.set_active(
        db.session, carrier_id, False, reason=reason, expected_version=version,
        actor=current_user.user,
    ))  # fmt: skip


@bp.post("/carriers/<carrier_id>/reactivate")
@require(Permission.CARRIERS_MANAGE)
def carrier_reactivate(carrier_id):
    """Let a deactivated carrier take new shipments again."""
    return _change_state(carrier_id, lambda reason, version: carriers.set_active(
        db.session, carrier_id, True, reason=reason, expected_version=version,
        actor=current_user.user,
    ))  # fmt: skip


@bp.post("/carriers/<carrier_id>/delete")
@require(Permission.CARRIERS_MANAGE)
def carrier_delete(carrier_id):
    """Delete a carrier entered by mistake (one no shipment names)."""
    return _change_state(carrier_id, lambda reason, version: carriers.delete_carrier(
        db.session, carrier_id, reason=reason, expected_version=version,
        actor=current_user.user,
    ))  # fmt: skip
