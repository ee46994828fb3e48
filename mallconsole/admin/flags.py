"""Feature flags: the list (search, derived state, inline toggle), a flag's screen (edit,
evaluate, history with revert) and the form for a new flag."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from zoneinfo import ZoneInfo

from flask import redirect, request, url_for
from flask_login import current_user

from mallconsole.admin import bp
from mallconsole.admin.forms import ConfirmForm, ConfirmWhyForm, FlagFilters, FlagForm, NewFlagForm
from mallconsole.core.errors import ValidationError
from mallconsole.core.locale import current_reader
from mallconsole.core.roles import Permission
from mallconsole.core.timezones import to_zone
from mallconsole.extensions import db
from mallconsole.models import utcnow
from mallconsole.services.admin import flags
from mallconsole.services.kit import versions
from mallconsole.web.authz import require
from mallconsole.web.htmx import is_htmx, render
from mallconsole.web.lists import read_listing
from mallconsole.web.messages import notify
from mallconsole.web.refusals import FormInvalid, on_screen, refusals
from mallconsole.web.templating import add_area_link

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"

add_area_link(
    bp,
    "Feature flags",
    "flag_list",
    also=(
        "flag_detail",
        "flag_new",
        "flag_create",
        "flag_update",
        "flag_toggle_confirm",
        "flag_archive_confirm",
        "flag_restore_confirm",
    ),
    position=10,
)


def _zone():
    return current_reader().zone


def _local(moment):
    return to_zone(moment, _zone()).strftime(LOCAL_FORMAT) if moment else ""


def _to_utc(form, name) -> datetime | None:
    text = (form[name].data or "").strip()
    if not text:
        return None
    try:
        local = datetime.strptime(text, LOCAL_FORMAT)
    except ValueError:
        form[name].errors = [*form[name].errors, "Give a date and time, like 2026-12-24 09:00."]
        return None
    if not flags.FIRST_YEAR <= local.year <= flags.LAST_YEAR:  # any zone can move these
        form[name].errors = [*form[name].errors, flags.DATE_RANGE]
        return None
    try:
        zone = ZoneInfo(_zone() or "UTC")
    except (KeyError, ValueError):
        zone = UTC
    return local.replace(tzinfo=zone).astimezone(UTC)


def _form_values(form) -> dict | None:
    """The flag's values from the form, or None when a date cannot be read."""
    values = {
        "name": form.name.data,
        "description": form.description.data,
        "enabled": form.enabled.data,
        "rollout_percentage": (form.rollout_percentage.data or "").strip() or None,
        "segment": form.segment.data,
        "sensitive": form.sensitive.data,
        "starts_at": _to_utc(form, "starts_at"),
        "ends_at": _to_utc(form, "ends_at"),
    }
    if form.starts_at.errors or form.ends_at.errors:
        return None
    return values


def _every_error(form, values) -> None:
    """Add the service's word on each field the form itself let pass, so that one answer names
    every wrong field (a missing code and a missing name together)."""
    if values is None:
        return
    try:
        flags.clean(values)
    except ValidationError as error:  # not an answer: the form is refused already, this adds why
        for name, messages in error.field_errors.items():
            if name in form and not form[name].errors:
                form[name].errors = [*form[name].errors, *messages]


def _checked_values(form) -> dict:
    """The flag's values from a form that validates; otherwise the form is refused (422), every
    wrong field named."""
    valid = form.validate_on_submit()
    values = _form_values(form)
    if not valid or values is None:
        _every_error(form, values)
        raise FormInvalid("Check the form.")
    return values


def _form_of(flag) -> FlagForm:
    data = flags.values_of(flag)
    data["starts_at"], data["ends_at"] = _local(flag.starts_at), _local(flag.ends_at)
    data["rollout_percentage"] = "" if flag.rollout_percentage is None else flag.rollout_percentage
    data["version"] = flag.version
    return FlagForm(formdata=None, data=data)


# --- the list --------------------------------------------------------------------------------


@bp.get("/flags")
@require(Permission.ADMIN_ACCESS)
def flag_list():
    """Every flag with its state now; search, filter by state, switch on or off in place."""
    listing = read_listing(
        FlagFilters, sorts=flags.FLAG_SORTS, default_sort="code", id_column=flags.FLAG_ID
    )
    page = flags.flag_page(
        db.session, listing.filters, listing.ordering, cursor=listing.cursor, limit=listing.limit
    )
    return render(
        "admin/flag_list.html",
        block="listing",
        listing=listing,
        page=page,
        count=flags.count_flags(db.session, listing.filters),
    )


def _row(code, *, status=200, confirm=None):
    row = flags.flag_row(db.session, code)
    return render("admin/flag_row.html", status=status, row=row, confirm=confirm)


def _confirm_page(code, form, *, event=None, status=200):
    """The page asking why a sensitive flag's toggle (or revert, with ``event``) is needed."""
    row = flags.flag_row(db.session, code)
    return render("admin/flag_confirm.html", status=status, row=row, form=form, event=event)


def _after_change(changed, code, *, done: str):
    if changed.request is not None:
        notify("Asked for approval: the change takes effect when a second admin approves it.")
    elif changed.nothing:
        notify("Nothing changed.")
    else:
        notify(done)


@bp.get("/flags/<code>/row")
@require(Permission.ADMIN_ACCESS)
def flag_row(code):
    """One row of the list (after a canceled confirmation)."""
    if not is_htmx():
        return redirect(url_for("admin.flag_list", q=code))
    return _row(code)


@bp.get("/flags/<code>/toggle")
@require(Permission.FLAGS_MANAGE)
def flag_toggle_confirm(code):
    """A sensitive flag's toggle: say why before it goes to a second admin."""
    row = flags.flag_row(db.session, code)
    form = ConfirmForm(formdata=None, data={"version": row.flag.version})
    if is_htmx():
        return _row(code, confirm=form)
    return _confirm_page(code, form)


@bp.post("/flags/<code>/toggle")
@require(Permission.FLAGS_MANAGE)
def flag_toggle(code):
    """Switch a flag on or off; a sensitive one asks for approval (with a justification)."""
    flag = flags.get_flag(db.session, code)
    form = ConfirmForm()
    if flag.sensitive and not form.validate_on_submit():
        return _confirm_again(code, form)
    changed = flags.toggle(
        db.session,
        code,
        expected_version=versions.read_version(form.version.data),
        actor=current_user.user,
        justification=form.justification.data,
    )
    db.session.flush()
    _after_change(changed, code, done=f"{flag.name} is switched {'on' if flag.enabled else 'off'}.")
    if is_htmx():
        return _toggled_row(code, changed)
    return redirect(url_for("admin.flag_list"))


def _confirm_again(code, form):
    """A sensitive flag's toggle without a reason: asked again (422), in its row for htmx."""
    if is_htmx():
        return _row(code, status=422, confirm=form)
    return _confirm_page(code, form, status=422)


def _toggled_row(code, changed):
    """The flag's row as it is now; the list (or the approvals badge) hears of it."""
    response = _row(code)
    response.headers["HX-Trigger"] = "approvals-changed" if changed.request else "flags-changed"
    return response


# --- new flag --------------------------------------------------------------------------------


@bp.get("/flags/new")
@require(Permission.FLAGS_MANAGE)
def flag_new():
    form = NewFlagForm(formdata=None, data={"enabled": False, "rollout_percentage": ""})
    return render("admin/flag_new.html", form=form)


@bp.post("/flags/new")
@require(Permission.FLAGS_MANAGE)
def flag_create():
    """Create a flag; the form comes back with its errors in place (422)."""
    form = NewFlagForm()
    with refusals(on_screen(partial(_new_refused, form), ValidationError), form):
        values = _checked_values(form)
        flag = flags.create(db.session, values, actor=current_user.user, code=form.code.data)
    notify(f"The flag {flag.code} is created.")
    return redirect(url_for("admin.flag_detail", code=flag.code))


def _new_refused(form, refusal):
    """The new flag's form again, its errors in place (422)."""
    return render("admin/flag_new.html", status=422, form=form)


# --- one flag --------------------------------------------------------------------------------


def _flag_page(code, form, *, status=200, stale=None, block=None, **evaluate):
    row = flags.flag_row(db.session, code, archived=True)
    return render(
        "admin/flag_detail.html",
        block=block,
        status=status,
        row=row,
        form=form,
        stale=stale,
        history=flags.history(db.session, row.flag),
        confirm=ConfirmForm(formdata=None, data={"version": row.flag.version}),
        **{"evaluation": None, "subject": "", "attributes": "", "problems": [], **evaluate},
    )


@bp.get("/flags/<code>")
@require(Permission.ADMIN_ACCESS)
def flag_detail(code):
    """One flag: its settings (edit them), evaluate it for a subject, its history (revert)."""
    flag = flags.find_flag(db.session, code)
    if flag.code != code:
        return redirect(url_for("admin.flag_detail", code=flag.code))
    return _flag_page(code, _form_of(flag))


@bp.post("/flags/<code>")
@require(Permission.FLAGS_MANAGE)
def flag_update(code):
    """Save a flag's settings (refused, 409 with what changed, when stale); a sensitive flag's
    change is asked for, not made."""
    flags.get_flag(db.session, code)
    form = FlagForm()
    page = partial(_settings_refused, code, form)
    with refusals(on_screen(page, ValidationError, versions.StaleRecord), form):
        changed = flags.change(
            db.session,
            code,
            _checked_values(form),
            expected_version=versions.read_version(form.version.data),
            actor=current_user.user,
            justification=form.justification.data,
        )
    _after_change(changed, code, done="The flag is saved.")
    return redirect(url_for("admin.flag_detail", code=code))


def _settings_refused(code, form, refusal):
    """The flag's screen with the settings form's errors (422), or what changed since (409)."""
    return _flag_page(code, form, status=refusal.status, stale=refusal.stale)


@bp.get("/flags/<code>/evaluate")
@require(Permission.ADMIN_ACCESS)
def flag_evaluate(code):
    """The evaluate panel: is the flag on for this subject with these attributes, now?"""
    flag = flags.get_any_flag(db.session, code)  # an archived flag answers "off", as in the API
    subject = (request.args.get("subject") or "").strip()[:200]
    text = request.args.get("attributes") or ""
    attributes, problems = flags.parse_attributes(text)
    evaluation = None if problems else flags.evaluate(flag, subject, attributes, utcnow())
    return _flag_page(
        code,
        _form_of(flag),
        block="evaluate",
        status=422 if problems else 200,
        evaluation=evaluation,
        problems=problems,
        subject=subject,
        attributes=text,
    )


@bp.post("/flags/<code>/revert")
@require(Permission.FLAGS_MANAGE)
def flag_revert(code):
    """Put the flag back as it was before one change of its history (every field)."""
    flag = flags.get_flag(db.session, code)
    form = ConfirmForm()
    if flag.sensitive and not form.validate_on_submit():
        return _confirm_page(code, form, event=form.event.data, status=422)
    changed = flags.revert(
        db.session,
        code,
        form.event.data or "",
        expected_version=versions.read_version(form.version.data),
        actor=current_user.user,
        justification=form.justification.data,
    )
    _after_change(changed, code, done="The flag is back as it was before that change.")
    return redirect(url_for("admin.flag_detail", code=code))


@bp.get("/flags/<code>/revert")
@require(Permission.FLAGS_MANAGE)
def flag_revert_confirm(code):
    """A sensitive flag's revert: say why before it goes to a second admin."""
    row = flags.flag_row(db.session, code)
    event = request.args.get("event") or ""
    flags.state_before(db.session, row.flag, event)  # 404 for a change not in its history
    form = ConfirmForm(formdata=None, data={"version": row.flag.version, "event": event})
    return _confirm_page(code, form, event=event)


# --- archive and restore ---------------------------------------------------------------------


def _archive_page(code, form, *, restoring, status=200, stale=None):
    row = flags.flag_row(db.session, code, archived=True)
    return render(
        "admin/flag_archive.html",
        status=status,
        row=row,
        form=form,
        restoring=restoring,
        stale=stale,
    )


def _archive_confirm(code, *, restoring):
    row = flags.flag_row(db.session, code, archived=True)
    if (row.flag.deleted_at is not None) != restoring:
        notify(f"{row.flag.name} is already {'in use' if restoring else 'archived'}.")
        return redirect(url_for("admin.flag_detail", code=code))
    form = ConfirmWhyForm(formdata=None, data={"version": row.flag.version})
    return _archive_page(code, form, restoring=restoring)


def _archive_or_restore(code, *, restoring):
    flag = flags.get_any_flag(db.session, code)
    form = ConfirmWhyForm()
    if not form.validate_why(needed=flag.sensitive):
        return _archive_page(code, form, restoring=restoring, status=422)
    change = flags.restore if restoring else flags.archive
    page = partial(_archive_refused, code, form, restoring=restoring)
    with refusals(on_screen(page, versions.StaleRecord), form):
        changed = change(
            db.session,
            code,
            expected_version=versions.read_version(form.version.data),
            actor=current_user.user,
            justification=form.reason,
        )
    if changed.request is not None:
        notify("Asked for approval: it takes effect when a second admin approves it.")
    elif restoring:
        notify(f"{flag.name} is restored, with the settings it had before.")
    else:
        notify(f"{flag.name} is archived: it is off for everyone.")
    return redirect(url_for("admin.flag_detail", code=code))


def _archive_refused(code, form, refusal, *, restoring):
    """Asked again with what changed since (409): confirming again applies it on purpose."""
    return _archive_page(code, form, restoring=restoring, status=409, stale=refusal.stale)


@bp.get("/flags/<code>/archive")
@require(Permission.FLAGS_MANAGE)
def flag_archive_confirm(code):
    """Before archiving a flag: what it means, and why (for a sensitive flag's approver)."""
    return _archive_confirm(code, restoring=False)


@bp.post("/flags/<code>/archive")
@require(Permission.FLAGS_MANAGE)
def flag_archive(code):
    """Archive a flag: off for everyone, out of the list (409 when stale; a sensitive flag
    asks for approval)."""
    return _archive_or_restore(code, restoring=False)


@bp.get("/flags/<code>/restore")
@require(Permission.FLAGS_MANAGE)
def flag_restore_confirm(code):
    """Before restoring an archived flag: with which settings it comes back."""
    return _archive_confirm(code, restoring=True)


@bp.post("/flags/<code>/restore")
@require(Permission.FLAGS_MANAGE)
def flag_restore(code):
    """Bring an archived flag back as it was (409 when stale; a sensitive flag asks for
    approval)."""
    return _archive_or_restore(code, restoring=True)
