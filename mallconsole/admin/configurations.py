"""Configurations: every setting per scope (global, or one seller's override) with its type,
new settings, a setting's screen (change its value, its history with revert). The finance
thresholds change only through a second admin's approval."""

from __future__ import annotations

from functools import partial

from flask import redirect, request, url_for
from flask_login import current_user

from mallconsole.admin import bp
from mallconsole.admin.forms import (
    ConfigurationFilters,
    ConfirmWhyForm,
    NewSettingForm,
    RevertForm,
    ValueForm,
)
from mallconsole.core.errors import ValidationError
from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.services.admin import configuration
from mallconsole.services.kit import versions
from mallconsole.web.authz import require
from mallconsole.web.htmx import render
from mallconsole.web.lists import read_listing
from mallconsole.web.messages import notify
from mallconsole.web.refusals import on_screen, refusals, validated
from mallconsole.web.templating import add_area_link

add_area_link(
    bp,
    "Configurations",
    "configuration_list",
    also=(
        "configuration_detail",
        "configuration_new",
        "configuration_create",
        "configuration_remove_confirm",
    ),
    position=20,
)


def _after(changed, *, done: str) -> None:
    if changed.request is not None:
        notify("Asked for approval: the new value applies when a second admin approves it.")
    else:
        notify(done)


@bp.get("/configurations")
@require(Permission.ADMIN_ACCESS)
def configuration_list():
    """Every setting with its value, type and scope; the known settings not set yet."""
    listing = read_listing(
        ConfigurationFilters,
        sorts=configuration.SORTS,
        default_sort="key",
        id_column=configuration.ROW_ID,
    )
    page = configuration.entry_page(
        db.session, listing.filters, listing.ordering, cursor=listing.cursor, limit=listing.limit
    )
    return render(
        "admin/configuration_list.html",
        block="listing",
        listing=listing,
        page=page,
        count=configuration.count_entries(db.session, listing.filters),
        unset=configuration.unset_keys(db.session),
    )


def _new_page(form, *, status=200, existing=None):
    key = (form.key.data or "").strip()
    return render(
        "admin/configuration_new.html",
        status=status,
        form=form,
        sensitive=configuration.is_sensitive(key),
        kind=configuration.kind_words(key) if key else None,
        existing=existing,
    )


@bp.get("/configurations/new")
@require(Permission.CONFIGURATIONS_MANAGE)
def configuration_new():
    """A new setting (``?key=`` fills in a known key; ``?seller=`` a seller's override)."""
    key = (request.args.get("key") or "").strip()[:200]
    data = {"key": key, "seller": (request.args.get("seller") or "").strip()[:50]}
    if key:
        data["value"] = configuration.default_words(key) or ""
    return _new_page(NewSettingForm(formdata=None, data=data))


@bp.post("/configurations/new")
@require(Permission.CONFIGURATIONS_MANAGE)
def configuration_create():
    """Set a key for everyone or for one seller; errors stay in the form (422)."""
    form = NewSettingForm()
    with refusals(partial(_new_refused, form), form):
        validated(form)
        changed = configuration.change(
            db.session,
            form.key.data,
            form.value.data,
            scope=configuration.scope_of_seller_code(db.session, form.seller.data),
            actor=current_user.user,
            justification=form.justification.data,
        )
    _after(changed, done=f"{form.key.data.strip()} is set.")
    if changed.row is not None:
        return redirect(url_for("admin.configuration_detail", row_id=changed.row.id))
    return redirect(url_for("admin.configuration_list"))


def _new_refused(form, refusal):
    """The new-setting form again, the input kept; a key already set (409) says so next to the
    key, with a link to its value."""
    if refusal.status != 409:
        return _new_page(form, status=refusal.status)
    form.form_errors = []  # said next to the key instead
    form.key.errors = [*form.key.errors, refusal.message]
    scope = configuration.scope_of_seller_code(db.session, form.seller.data)
    existing = configuration.current_row(db.session, form.key.data, scope)
    return _new_page(form, status=409, existing=existing)


def _detail_page(row_id, form, *, status=200, stale=None):
    entry = configuration.get_entry(db.session, row_id)
    return render(
        "admin/configuration_detail.html",
        status=status,
        entry=entry,
        form=form,
        stale=stale,
        history=configuration.history(db.session, entry.row),
        default=configuration.default_words(entry.row.key),
        removal_refused=configuration.removal_refused(entry.row),
    )


@bp.get("/configurations/<row_id>")
@require(Permission.ADMIN_ACCESS)
def configuration_detail(row_id):
    """One setting: its value and type, change it, its history (revert a change)."""
    entry = configuration.get_entry(db.session, row_id)
    form = ValueForm(formdata=None, data={"value": entry.row.value, "version": entry.row.version})
    return _detail_page(row_id, form)


@bp.post("/configurations/<row_id>")
@require(Permission.CONFIGURATIONS_MANAGE)
def configuration_update(row_id):
    """Save a new value (409 with what changed when stale; a sensitive key asks for approval)."""
    row = configuration.get_entry(db.session, row_id).row
    form = ValueForm()
    page = partial(_value_refused, row_id, form)
    with refusals(on_screen(page, ValidationError, versions.StaleRecord), form):
        validated(form)
        changed = configuration.change(
            db.session,
            row.key,
            form.value.data,
            scope=row.scope,
            expected_version=versions.read_version(form.version.data),
            actor=current_user.user,
            justification=form.justification.data,
        )
    _after(changed, done=f"{row.key} is now {form.value.data.strip()}.")
    return redirect(url_for("admin.configuration_detail", row_id=row_id))


def _value_refused(row_id, form, refusal):
    """The setting's screen with the value form's errors (422), or what changed since (409)."""
    return _detail_page(row_id, form, status=refusal.status, stale=refusal.stale)


@bp.post("/configurations/<row_id>/revert")
@require(Permission.CONFIGURATIONS_MANAGE)
def configuration_revert(row_id):
    """Put the setting back to its value before one change of its history."""
    entry = configuration.get_entry(db.session, row_id)
    form = RevertForm()
    with refusals(on_screen(partial(_revert_refused, entry), ValidationError)):
        changed = configuration.revert(
            db.session,
            row_id,
            form.event.data or "",
            expected_version=versions.read_version(form.version.data),
            actor=current_user.user,
            justification=form.justification.data,
        )
    _after(changed, done=f"{entry.row.key} is back to {entry.row.value}.")
    return redirect(url_for("admin.configuration_detail", row_id=row_id))


def _revert_refused(entry, refusal):
    """The setting's screen as it is, saying why the revert was refused (422)."""
    error = refusal.error
    form = ValueForm(formdata=None, data={"value": entry.row.value, "version": entry.row.version})
    form.form_errors = [f"Revert: {m}" for ms in error.field_errors.values() for m in ms]
    form.form_errors = form.form_errors or [error.message]
    return _detail_page(entry.row.id, form, status=422)


def _remove_page(entry, form, *, status=200, stale=None):
    return render(
        "admin/configuration_remove.html",
        status=status,
        entry=entry,
        form=form,
        stale=stale,
        after=configuration.inherited_words(
            entry, configuration.inherited(db.session, entry.row.key, entry.row.scope)
        ),
    )


@bp.get("/configurations/<row_id>/remove")
@require(Permission.CONFIGURATIONS_MANAGE)
def configuration_remove_confirm(row_id):
    """Before removing a value: what applies once it is gone."""
    entry = configuration.get_entry(db.session, row_id)
    refused = configuration.removal_refused(entry.row)
    if refused:
        notify(refused)
        return redirect(url_for("admin.configuration_detail", row_id=row_id))
    return _remove_page(entry, ConfirmWhyForm(formdata=None, data={"version": entry.row.version}))


@bp.post("/configurations/<row_id>/remove")
@require(Permission.CONFIGURATIONS_MANAGE)
def configuration_remove(row_id):
    """Remove a seller's override or an unknown key (409 when stale or when the mall needs the
    value; a sensitive key asks for approval)."""
    entry = configuration.get_entry(db.session, row_id)
    form = ConfirmWhyForm()
    if not form.validate_why(needed=entry.sensitive):
        return _remove_page(entry, form, status=422)
    with refusals(on_screen(partial(_removal_refused, row_id, form), versions.StaleRecord), form):
        changed = configuration.remove(
            db.session,
            row_id,
            expected_version=versions.read_version(form.version.data),
            actor=current_user.user,
            justification=form.reason,
        )
    if changed.request is not None:
        notify("Asked for approval: the value is removed when a second admin approves it.")
        return redirect(url_for("admin.configuration_detail", row_id=row_id))
    return _removed(entry)


def _removal_refused(row_id, form, refusal):
    """The removal asked again, with what changed since (409): confirming again removes the
    value on purpose."""
    entry = configuration.get_entry(db.session, row_id)
    return _remove_page(entry, form, status=409, stale=refusal.stale)


def _removed(entry):
    """Say what applies now, and show it: the global value, or the list."""
    key, scope = entry.row.key, entry.row.scope
    notify(configuration.inherited_words(entry, configuration.inherited(db.session, key, scope)))
    global_row = configuration.global_row(db.session, key) if scope else None
    if global_row is not None:
        return redirect(url_for("admin.configuration_detail", row_id=global_row.id))
    return redirect(url_for("admin.configuration_list"))
