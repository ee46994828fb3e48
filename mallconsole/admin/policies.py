"""Policies and their versions (``/admin/policies``): the list, a policy with its versions and
what was in force on a day, drafting and editing a version, comparing two, submitting one for
a second admin's approval. Rules live in ``services/admin/policies.py``."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SearchField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from mallconsole.admin import bp
from mallconsole.core import states
from mallconsole.core.errors import Conflict, ValidationError
from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.models import Policy, utcnow
from mallconsole.services import approvals
from mallconsole.services.admin import policies
from mallconsole.services.kit import audit, versions
from mallconsole.web.authz import require
from mallconsole.web.forms import apply_errors
from mallconsole.web.htmx import render
from mallconsole.web.lists import ListFilters, read_listing
from mallconsole.web.messages import notify
from mallconsole.web.security import forget_oversized
from mallconsole.web.templating import add_area_link

add_area_link(
    bp,
    "Policies",
    "policy_list",
    also=(
        "policy_detail",
        "policy_version_new",
        "policy_version_detail",
        "policy_compare",
        "policy_new",
        "policy_edit",
    ),
    position=30,
)


class PolicyFilters(ListFilters):
    """Search and filters of the policies list."""

    q = SearchField("Search", validators=[Length(max=policies.SEARCH_MAX)],
                    render_kw={"placeholder": "Title or code"})  # fmt: skip
    category = SelectField("Category", choices={}, default="")
    status = SelectField(
        "Status",
        choices={"": "Any status", **states.POLICY_STATUS_LABELS},
        default="",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = {
            "": "Every category",
            **{c: c.replace("_", " ").capitalize() for c in policies.categories(db.session)},
        }


# Made before the other fields so it comes first on the new-policy form (and its errors).
_POLICY_CODE = StringField(
    "Code",
    validators=[Length(max=80)],
    description="How other services refer to it: lower case, like seller_fees. "
    "It cannot change later.",
)


class PolicyForm(FlaskForm):
    """A policy's title, category and description (the terms live in its versions)."""

    title = StringField("Title", validators=[Length(max=policies.TITLE_MAX)])
    category = StringField(
        "Category",
        validators=[Length(max=50)],
        description="Choose one of the existing categories, or type a new one.",
        render_kw={"list": "policy-categories", "autocomplete": "off"},
    )
    description = TextAreaField(
        "Description",
        validators=[Length(max=policies.DESCRIPTION_MAX)],
        description="What the policy covers, for staff. Optional.",
        render_kw={"rows": 3},
    )
    version = HiddenField()


class NewPolicyForm(PolicyForm):
    code = _POLICY_CODE


class VersionForm(FlaskForm):
    """A draft version: its label, window (whole days, UTC), change notes and terms."""

    label = StringField("Version label", validators=[Length(max=policies.LABEL_MAX)],
                        description="How staff and customers refer to it, e.g. 4.0.")  # fmt: skip
    effective_from = StringField(
        "First day in force",
        render_kw={"type": "date"},
        description="From 00:00 UTC that day. Tomorrow at the earliest.",
    )
    effective_to = StringField(
        "Stops being in force on",
        render_kw={"type": "date"},
        description="Leave empty for open-ended: the next approved version will end it.",
    )
    change_notes = TextAreaField("Change notes", validators=[Length(max=policies.NOTES_MAX)],
                                 description="What changed and why, for the approver.",
                                 render_kw={"rows": 3})  # fmt: skip
    content = TextAreaField(
        "Terms",
        render_kw={"rows": 16, "class": "policy-terms-input"},
        description="The full text of the policy as customers will read it.",
    )
    version = HiddenField()


class SubmitForm(FlaskForm):
    """Ask a second admin to approve a draft."""

    justification = TextAreaField("Why should it come into force?",
                                  validators=[Length(max=approvals.JUSTIFICATION_MAX)],
                                  render_kw={"rows": 3})  # fmt: skip


class InForceForm(FlaskForm):
    """The day to look up (a GET form: no CSRF)."""

    class Meta:
        csrf = False

    at = DateField("Day", validators=[Optional()])


def _draft_from(form: VersionForm) -> policies.DraftInput:
    return policies.check_draft(
        label=form.label.data,
        effective_from=form.effective_from.data,
        effective_to=form.effective_to.data,
        change_notes=form.change_notes.data,
        content=form.content.data,
    )


@bp.get("/policies")
@require(Permission.ADMIN_ACCESS)
def policy_list():
    """Every policy: its category, status, the version in force today and a draft waiting."""
    listing = read_listing(
        PolicyFilters,
        sorts=policies.POLICY_SORTS,
        default_sort="title",
        id_column=policies.POLICY_ID,
    )
    page = policies.policy_page(
        db.session, listing.filters, listing.ordering, cursor=listing.cursor, limit=listing.limit
    )
    return render(
        "admin/policy_list.html",
        block="listing",
        listing=listing,
        page=page,
        count=policies.count_policies(db.session, listing.filters),
    )


def _policy_values(form) -> dict:
    return {
        "title": form.title.data,
        "category": form.category.data,
        "description": form.description.data,
    }


def _policy_form_page(form, *, policy=None, status=200, stale=None):
    return render(
        "admin/policy_form.html",
        status=status,
        form=form,
        policy=policy,
        stale=stale,
        categories=[(c, policies.category_words(c)) for c in policies.categories(db.session)],
    )


@bp.route("/policies/new", methods=["GET", "POST"])
@require(Permission.POLICIES_MANAGE)
def policy_new():
    """A new policy (not yet in force); its terms come with its first version."""
    form = NewPolicyForm()
    if request.method == "GET":
        return _policy_form_page(form)
    if not form.validate_on_submit():
        forget_oversized(form)
        return _policy_form_page(form, status=422)
    try:
        policy = policies.create_policy(
            db.session, _policy_values(form), code=form.code.data, actor=current_user.user
        )
    except ValidationError as error:
        db.session.rollback()
        forget_oversized(form)
        apply_errors(form, error)
        return _policy_form_page(form, status=422)
    notify(f"The policy {policy.title} is created. Write its first version.")
    return redirect(url_for("admin.policy_detail", code=policy.code))


@bp.route("/policies/<code>/edit", methods=["GET", "POST"])
@require(Permission.POLICIES_MANAGE)
def policy_edit(code):
    """Change a policy's title, category and description (409 with what changed when stale)."""
    policy = policies.get_policy(db.session, code)
    if request.method == "GET":
        data = {
            "title": policy.title,
            "category": policies.category_words(policy.category),
            "description": policy.description,
            "version": policy.version,
        }
        return _policy_form_page(PolicyForm(formdata=None, data=data), policy=policy)
    form = PolicyForm()
    if not form.validate_on_submit():
        forget_oversized(form)
        return _policy_form_page(form, policy=policy, status=422)
    try:
        event = policies.edit_policy(
            db.session,
            code,
            _policy_values(form),
            expected_version=versions.read_version(form.version.data),
            actor=current_user.user,
        )
    except versions.StaleRecord as stale:
        db.session.rollback()
        form.version.data = stale.current_version  # saving again applies the input on purpose
        return _policy_form_page(form, policy=policy, status=409, stale=stale)
    except ValidationError as error:
        db.session.rollback()
        forget_oversized(form)
        apply_errors(form, error)
        return _policy_form_page(form, policy=policy, status=422)
    notify("The policy is saved." if event is not None else "Nothing changed.")
    return redirect(url_for("admin.policy_detail", code=code))


def _in_force_lookup(policy):
    """The day asked for (``?at=``) and the version in force then; 400 on a garbled day."""
    form = InForceForm(request.args)
    if not form.validate():
        abort(400, description="Write the day as a date, e.g. 2026-06-30.")
    day = form.at.data
    if day is None:
        return form, None, None
    return form, day, policies.in_force(db.session, policy.id, day)


@bp.get("/policies/<code>")
@require(Permission.ADMIN_ACCESS)
def policy_detail(code):
    """A policy: the version in force now, every version, what was in force on a day."""
    policy = policies.get_policy(db.session, code)
    rows = policies.policy_versions(db.session, policy.id)
    lookup_form, day, then = _in_force_lookup(policy)
    current = next((r for r in rows if r.state == "in_force"), None)
    return render(
        "admin/policy_detail.html",
        block="in_force" if request.args.get("part") == "in_force" else None,
        policy=policy,
        rows=rows,
        current=current,
        lookup_form=lookup_form,
        asked=day,
        then=then,
        today=utcnow().date(),
        status_label=states.POLICY_STATUS_LABELS.get(policy.status, policy.status),
        history=policies.policy_history(db.session, policy, [r.version.id for r in rows]),
    )


def _new_page(policy, form, *, status=200):
    return render("admin/policy_version_new.html", status=status, policy=policy, form=form)


@bp.route("/policies/<code>/versions/new", methods=["GET", "POST"])
@require(Permission.POLICIES_MANAGE)
def policy_version_new(code):
    """Write a draft version, starting from the terms in force (or the latest version)."""
    policy = policies.get_policy(db.session, code)
    form = VersionForm()
    if request.method == "GET":
        rows = policies.policy_versions(db.session, policy.id)
        base = next((r for r in rows if r.state == "in_force"), rows[0] if rows else None)
        if base is not None:
            form.content.data = base.version.content
        return _new_page(policy, form)
    if not form.validate_on_submit():
        forget_oversized(form)
        return _new_page(policy, form, status=422)
    try:
        version = policies.create_draft(
            db.session, policy, _draft_from(form), actor=current_user.user
        )
    except ValidationError as error:
        db.session.rollback()
        forget_oversized(form)
        apply_errors(form, error)
        return _new_page(policy, form, status=422)
    notify(f"Draft {version.version} saved. Submit it for approval when it is ready.")
    return redirect(url_for("admin.policy_version_detail", version_id=version.id))


def _version_page(version, *, form=None, submit_form=None, status=200, stale=None):
    row = policies.version_row(db.session, version)
    policy = db.session.get(Policy, version.shopping_mall_policy_id)
    if form is None:
        form = VersionForm(formdata=None, data={
            "label": version.version,
            "effective_from": version.effective_from.date().isoformat(),
            "effective_to": version.effective_to.date().isoformat() if version.effective_to else "",
            "change_notes": version.change_notes,
            "content": version.content,
            "version": version.row_version,
        })  # fmt: skip
    if submit_form is None:
        submit_form = SubmitForm(formdata=None, data={"justification": version.change_notes})
    last = policies.last_request(db.session, version.id)
    in_force_now = policies.in_force(db.session, policy.id, utcnow())
    return render(
        "admin/policy_version_detail.html",
        status=status,
        policy=policy,
        row=row,
        form=form,
        submit_form=submit_form,
        stale=stale,
        last_request=last,
        last_request_label=approvals.ActionRow(last, None).status_label if last else None,
        in_force_now=in_force_now,
        may_edit=row.is_draft and version.author_user_id in (None, current_user.id),
        history=audit.history(db.session, policies.VERSIONS, version.id),
    )


@bp.get("/policies/versions/<version_id>")
@require(Permission.ADMIN_ACCESS)
def policy_version_detail(version_id):
    """One version: its window, state, terms, approval and history; its author edits and
    submits a draft here."""
    return _version_page(policies.get_version(db.session, version_id))


@bp.post("/policies/versions/<version_id>")
@require(Permission.POLICIES_MANAGE)
def policy_version_update(version_id):
    """Save a draft; a stale copy is refused (409) with what changed, keeping the input."""
    version = policies.get_version(db.session, version_id)
    form = VersionForm()
    if not form.validate_on_submit():
        forget_oversized(form)
        return _version_page(version, form=form, status=422)
    try:
        expected = versions.read_version(form.version.data)
        policies.edit_draft(
            db.session, version_id, _draft_from(form), expected_version=expected,
            actor=current_user.user,
        )  # fmt: skip
    except versions.StaleRecord as stale:
        db.session.rollback()
        form.version.data = stale.current_version  # saving again applies the input on purpose
        return _version_page(version, form=form, status=409, stale=stale)
    except ValidationError as error:
        db.session.rollback()
        forget_oversized(form)
        apply_errors(form, error)
        return _version_page(version, form=form, status=422)
    notify(f"Draft {version.version} saved.")
    return redirect(url_for("admin.policy_version_detail", version_id=version_id))


@bp.post("/policies/versions/<version_id>/submit")
@require(Permission.POLICIES_MANAGE)
def policy_version_submit(version_id):
    """Ask a second admin to approve this draft (maker-checker)."""
    version = policies.get_version(db.session, version_id)
    form = SubmitForm()
    if not form.validate_on_submit():
        return _version_page(version, submit_form=form, status=422)
    try:
        policies.submit(db.session, version_id, form.justification.data, actor=current_user.user)
    except (ValidationError, Conflict) as error:
        # Shown on the form (an overlapping window, a first day gone by), the input kept.
        db.session.rollback()
        apply_errors(form, error)
        return _version_page(version, submit_form=form, status=error.status)
    notify(f"Version {version.version} is waiting for another admin's approval.")
    return redirect(url_for("admin.policy_version_detail", version_id=version_id))


@bp.get("/policies/<code>/compare")
@require(Permission.ADMIN_ACCESS)
def policy_compare(code):
    """Two versions side by side: the changed fields and a line diff of the terms."""
    policy = policies.get_policy(db.session, code)
    rows = policies.policy_versions(db.session, policy.id)
    ids = {r.version.id for r in rows}
    left, right = request.args.get("from", ""), request.args.get("to", "")
    if not left and not right and len(rows) >= 2:
        left, right = rows[1].version.id, rows[0].version.id
    if left not in ids or right not in ids:
        abort(400, description="Choose two versions of this policy to compare.")
    return render(
        "admin/policy_compare.html",
        policy=policy,
        rows=rows,
        comparison=policies.compare(db.session, left, right),
    )
