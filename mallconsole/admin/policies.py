"""Policies and their versions (``/admin/policies``): the list, a policy with its versions and
what was in force on a day, drafting and editing a version, comparing two, submitting one for
a second admin's approval. Rules live in ``services/admin/policies.py``."""

from __future__ import annotations

from functools import partial

from flask import abort, redirect, request, url_for
from flask_login import current_user

from mallconsole.admin import bp
from mallconsole.admin.forms import (
    InForceForm,
    NewPolicyForm,
    PolicyFilters,
    PolicyForm,
    SubmitForm,
    VersionForm,
)
from mallconsole.core import states
from mallconsole.core.errors import ValidationError
from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.models import utcnow
from mallconsole.services import approvals
from mallconsole.services.admin import policies
from mallconsole.services.kit import audit, versions
from mallconsole.web.authz import require
from mallconsole.web.htmx import render
from mallconsole.web.lists import read_listing
from mallconsole.web.messages import notify
from mallconsole.web.refusals import on_screen, refusals, validated
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
    with refusals(on_screen(partial(_policy_refused, form, None), ValidationError), form):
        validated(form)
        policy = policies.create_policy(
            db.session, _policy_values(form), code=form.code.data, actor=current_user.user
        )
    notify(f"The policy {policy.title} is created. Write its first version.")
    return redirect(url_for("admin.policy_detail", code=policy.code))


@bp.route("/policies/<code>/edit", methods=["GET", "POST"])
@require(Permission.POLICIES_MANAGE)
def policy_edit(code):
    """Change a policy's title, category and description (409 with what changed when stale)."""
    policy = policies.get_policy(db.session, code)
    if request.method == "GET":
        return _policy_form_page(_edit_form(policy), policy=policy)
    form = PolicyForm()
    page = partial(_policy_refused, form, policy)
    with refusals(on_screen(page, ValidationError, versions.StaleRecord), form):
        validated(form)
        event = policies.edit_policy(
            db.session,
            code,
            _policy_values(form),
            expected_version=versions.read_version(form.version.data),
            actor=current_user.user,
        )
    notify("The policy is saved." if event is not None else "Nothing changed.")
    return redirect(url_for("admin.policy_detail", code=code))


def _edit_form(policy) -> PolicyForm:
    """The policy's form filled in as it is now."""
    data = {
        "title": policy.title,
        "category": policies.category_words(policy.category),
        "description": policy.description,
        "version": policy.version,
    }
    return PolicyForm(formdata=None, data=data)


def _policy_refused(form, policy, refusal):
    """The policy's form again, the input kept (an oversized value not sent back): its errors
    (422), or what changed since (409), saving again applying the input on purpose."""
    forget_oversized(form)
    return _policy_form_page(form, policy=policy, status=refusal.status, stale=refusal.stale)


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
    if request.method == "GET":
        return _new_page(policy, _first_draft_form(policy))
    form = VersionForm()
    with refusals(on_screen(partial(_draft_refused, policy, form), ValidationError), form):
        validated(form)
        version = policies.create_draft(
            db.session, policy, _draft_from(form), actor=current_user.user
        )
    notify(f"Draft {version.version} saved. Submit it for approval when it is ready.")
    return redirect(url_for("admin.policy_version_detail", version_id=version.id))


def _first_draft_form(policy) -> VersionForm:
    """A draft's form holding the terms in force (or those of the latest version)."""
    form = VersionForm()
    rows = policies.policy_versions(db.session, policy.id)
    base = next((r for r in rows if r.state == "in_force"), rows[0] if rows else None)
    if base is not None:
        form.content.data = base.version.content
    return form


def _draft_refused(policy, form, refusal):
    """The new draft's form again, its errors in place (422), an oversized value not sent back."""
    forget_oversized(form)
    return _new_page(policy, form, status=422)


def _version_page(version, *, form=None, submit_form=None, status=200, stale=None):
    row = policies.version_row(db.session, version)
    policy = policies.policy_of(db.session, version)
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
    page = partial(_version_refused, version, form)
    with refusals(on_screen(page, ValidationError, versions.StaleRecord), form):
        validated(form)
        expected = versions.read_version(form.version.data)
        policies.edit_draft(
            db.session, version_id, _draft_from(form), expected_version=expected,
            actor=current_user.user,
        )  # fmt: skip
    notify(f"Draft {version.version} saved.")
    return redirect(url_for("admin.policy_version_detail", version_id=version_id))


def _version_refused(version, form, refusal):
    """The version's screen with the draft's errors (422, an oversized value not sent back), or
    what changed since (409), saving again applying the input on purpose."""
    forget_oversized(form)
    return _version_page(version, form=form, status=refusal.status, stale=refusal.stale)


@bp.post("/policies/versions/<version_id>/submit")
@require(Permission.POLICIES_MANAGE)
def policy_version_submit(version_id):
    """Ask a second admin to approve this draft (maker-checker)."""
    version = policies.get_version(db.session, version_id)
    form = SubmitForm()
    # Shown on the form (an overlapping window, a first day gone by), the input kept.
    with refusals(partial(_submit_refused, version, form), form):
        validated(form)
        policies.submit(db.session, version_id, form.justification.data, actor=current_user.user)
    notify(f"Version {version.version} is waiting for another admin's approval.")
    return redirect(url_for("admin.policy_version_detail", version_id=version_id))


def _submit_refused(version, form, refusal):
    """The version's screen with the refused submission on its form (422 or 409)."""
    return _version_page(version, submit_form=form, status=refusal.status)


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
