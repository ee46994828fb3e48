"""Configurations: every setting per scope (global, or one seller's override) with its type,
new settings, a setting's screen (change its value, its history with revert). The finance
thresholds change only through a second admin's approval."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from mallconsole.admin import bp
from mallconsole.admin.forms import ConfirmWhyForm
from mallconsole.core.errors import Conflict, ValidationError
from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.models import Seller
from mallconsole.services.admin import configuration
from mallconsole.services.kit import versions
from mallconsole.web.authz import require
from mallconsole.web.forms import apply_errors
from mallconsole.web.htmx import render
from mallconsole.web.lists import ListFilters, read_listing
from mallconsole.web.messages import notify
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


class ConfigurationFilters(ListFilters):
    q = StringField("Search", validators=[Length(max=100)], render_kw={"type": "search"})
    scope = SelectField(
        "Applies to",
        choices={"": "Everyone and sellers", "global": "Everyone (global)", "sellers": "Sellers"},
        default="",
    )


class ValueForm(FlaskForm):
    """A new value for a setting; the justification is for a sensitive key's approver."""

    value = TextAreaField(
        "Value", validators=[Length(max=configuration.VALUE_MAX)], render_kw={"rows": 2}
    )
    justification = TextAreaField(
        "Why (for the approver)",
        validators=[Length(max=2000)],
        description="This setting changes only when a second admin approves.",
    )
    version = HiddenField()


class NewSettingForm(ValueForm):
    key = StringField(
        "Key",
        validators=[Length(max=200)],
        description="A known key (see the list) is checked against its type; "
        "any other key is kept as text.",
    )
    seller = StringField(
        "Seller code",
        validators=[Length(max=50)],
        description="Empty: for everyone. A seller code (like S00001): only for that "
        "seller, overriding the global value.",
    )


class RevertForm(FlaskForm):
    event = HiddenField()
    version = HiddenField()
    justification = TextAreaField("Why (for the approver)", validators=[Length(max=2000)])


def _scope_of(seller_code: str) -> str | None:
    """``seller:<id>`` for a seller code (422 with a message when there is no such seller)."""
    code = (seller_code or "").strip()
    if not code:
        return None
    seller_id = db.session.scalar(
        select(Seller.id).where(Seller.seller_code == code, Seller.deleted_at.is_(None))
    )
    if seller_id is None:
        message = f"There is no seller with the code {code}."
        raise ValidationError(message, field_errors={"seller": [message]})
    return f"seller:{seller_id}"


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
    if not form.validate_on_submit():
        return _new_page(form, status=422)
    scope = None
    try:
        scope = _scope_of(form.seller.data)
        changed = configuration.change(
            db.session,
            form.key.data,
            form.value.data,
            scope=scope,
            actor=current_user.user,
            justification=form.justification.data,
        )
    except ValidationError as error:
        db.session.rollback()
        apply_errors(form, error)
        return _new_page(form, status=422)
    except Conflict as error:  # already set: the form keeps the input and links the value
        db.session.rollback()
        form.key.errors = [*form.key.errors, error.message]
        existing = configuration.current_row(db.session, form.key.data, scope)
        return _new_page(form, status=409, existing=existing)
    _after(changed, done=f"{form.key.data.strip()} is set.")
    if changed.row is not None:
        return redirect(url_for("admin.configuration_detail", row_id=changed.row.id))
    return redirect(url_for("admin.configuration_list"))


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
    if not form.validate_on_submit():
        return _detail_page(row_id, form, status=422)
    try:
        changed = configuration.change(
            db.session,
            row.key,
            form.value.data,
            scope=row.scope,
            expected_version=versions.read_version(form.version.data),
            actor=current_user.user,
            justification=form.justification.data,
        )
    except versions.StaleRecord as stale:
        db.session.rollback()
        form.version.data = stale.current_version
        return _detail_page(row_id, form, status=409, stale=stale)
    except ValidationError as error:
        db.session.rollback()
        apply_errors(form, error)
        return _detail_page(row_id, form, status=422)
    _after(changed, done=f"{row.key} is now {form.value.data.strip()}.")
    return redirect(url_for("admin.configuration_detail", row_id=row_id))


@bp.post("/configurations/<row_id>/revert")
@require(Permission.CONFIGURATIONS_MANAGE)
def configuration_revert(row_id):
    """Put the setting back to its value before one change of its history."""
    entry = configuration.get_entry(db.session, row_id)
    form = RevertForm()
    try:
        changed = configuration.revert(
            db.session,
            row_id,
            form.event.data or "",
            expected_version=versions.read_version(form.version.data),
            actor=current_user.user,
            justification=form.justification.data,
        )
    except ValidationError as error:
        db.session.rollback()
        value_form = ValueForm(
            formdata=None, data={"value": entry.row.value, "version": entry.row.version}
        )
        value_form.form_errors = [f"Revert: {m}" for ms in error.field_errors.values() for m in ms]
        value_form.form_errors = value_form.form_errors or [error.message]
        return _detail_page(row_id, value_form, status=422)
    _after(changed, done=f"{entry.row.key} is back to {entry.row.value}.")
    return redirect(url_for("admin.configuration_detail", row_id=row_id))


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
    try:
        changed = configuration.remove(
            db.session,
            row_id,
            expected_version=versions.read_version(form.version.data),
            actor=current_user.user,
            justification=form.reason,
        )
    except versions.StaleRecord as stale:
        db.session.rollback()
        form.version.data = stale.current_version  # confirming again removes it on purpose
        return _remove_page(configuration.get_entry(db.session, row_id), form, status=409,
                            stale=stale)  # fmt: skip
    if changed.request is not None:
        notify("Asked for approval: the value is removed when a second admin approves it.")
        return redirect(url_for("admin.configuration_detail", row_id=row_id))
    key, scope = entry.row.key, entry.row.scope
    notify(configuration.inherited_words(entry, configuration.inherited(db.session, key, scope)))
    global_row = configuration.global_row(db.session, key) if scope else None
    if global_row is not None:
        return redirect(url_for("admin.configuration_detail", row_id=global_row.id))
    return redirect(url_for("admin.configuration_list"))
