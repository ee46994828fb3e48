"""The approvals inbox of a role's area (``/finance/approvals``, ``/admin/approvals``).

``add_approvals(bp, permission)`` registers, under the blueprint's prefix: the requests
waiting for the signed-in person's decision (those of ``permission``'s kinds), the requests
they made, one request's page, the navigation badge (polled with ``X-Background: 1``), and
the decide / withdraw / carry-out actions (htmx swaps the request's row in place). Every
rule lives in ``services/approvals.py``; these views only read forms and show results.
"""

from __future__ import annotations

import json
from functools import partial

from flask import abort, redirect, request, url_for
from flask_login import current_user

from mallconsole.console.forms import DecisionForm, approval_filters
from mallconsole.core.errors import Conflict, ValidationError
from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.services import approvals
from mallconsole.services.kit import audit, versions
from mallconsole.web.authz import require
from mallconsole.web.htmx import fragment_of, is_htmx, render
from mallconsole.web.lists import read_listing
from mallconsole.web.messages import notify
from mallconsole.web.refusals import refusals, validated
from mallconsole.web.templating import add_area_link

# What each area decides (the filter's choices).
AREA_KINDS = {
    Permission.APPROVALS_FINANCE: ("approve_refund", "wallet_adjustment", "approve_payout"),
    Permission.APPROVALS_ADMIN: (
        "change_configuration",
        "change_flag",
        "approve_policy_version",
        "grant_role",
        "suspend_seller",
        "purge_customer_data",
    ),
}
BACKGROUND_EVENT = "approvals-changed"
TABS = ("waiting", "mine")


def add_approvals(bp, permission: Permission) -> None:
    """Register the approvals inbox of ``bp``'s area for requests of ``permission``."""
    area = bp.name
    waiting_filters, mine_filters = approval_filters(AREA_KINDS[permission])
    add_area_link(
        bp, "Approvals", "approvals", also=("approvals_mine", "approval_detail"), position=90
    )

    def context(**more):
        return {"area": area, "decision_form": _form, **more}

    def show(tab, filters, sorts, default_sort):
        listing = read_listing(
            filters, sorts=sorts, default_sort=default_sort, id_column=approvals.ACTION_ID
        )
        args = (db.session, tab, current_user.id, permission, listing.filters)
        page = approvals.list_page(
            *args, listing.ordering, cursor=listing.cursor, limit=listing.limit
        )
        return render(
            "approvals/inbox.html",
            block="listing",
            **context(tab=tab, listing=listing, page=page, count=approvals.list_count(*args)),
        )

    @bp.get("/approvals", endpoint="approvals")
    @require(permission)
    def inbox():
        """Requests waiting for my decision, soonest to expire first."""
        return show("waiting", waiting_filters, approvals.INBOX_SORTS, "expires")

    @bp.get("/approvals/mine", endpoint="approvals_mine")
    @require(permission)
    def mine():
        """The requests I made, newest first, in every state."""
        return show("mine", mine_filters, approvals.MINE_SORTS, "-requested")

    @bp.get("/approvals/badge", endpoint="approvals_badge")
    @require(permission)
    def badge():
        """The navigation badge: how many requests wait for me (polled in the background)."""
        waiting = approvals.badge_count(db.session, current_user.id, permission)
        return render("approvals/_badge.html", **context(waiting=waiting))

    @bp.get("/approvals/<action_id>", endpoint="approval_detail")
    @require(permission)
    def detail(action_id):
        """One request: the change, who asked and why, the decisions, its history."""
        row = _visible_row(action_id, permission)
        history = audit.history(db.session, approvals.TABLE, row.action.id)
        return render("approvals/detail.html", **context(row=row, form=_form(row), history=history))

    @bp.get("/approvals/<action_id>/row", endpoint="approval_row")
    @require(permission)
    @fragment_of(f"{area}.approval_detail")
    def row(action_id):
        """The request's row of the inbox, its change and decision shown (``expanded=1``) or
        not (htmx's row expand)."""
        tab = request.args.get("tab", "waiting")
        expanded = request.args.get("expanded", "1")
        if tab not in TABS or expanded not in ("0", "1"):
            abort(400, description="That is not a row of the approvals inbox.")
        found = _visible_row(action_id, permission)
        return render(
            "approvals/_row.html",
            **context(row=found, form=_form(found), tab=tab, expanded=expanded == "1"),
        )

    @bp.post("/approvals/<action_id>/decide", endpoint="approval_decide")
    @require(permission)
    def decide(action_id):
        """Approve or reject; htmx gets the request's row back, in its new state."""
        row = _visible_row(action_id, permission)
        form = DecisionForm()
        with refusals(partial(_refused, action_id, form), form):
            validated(form)
            revision = versions.read_version(form.revision.data)  # 422 without it
            outcome = approvals.decide(
                db.session, row.action.id, form.decision.data, form.reason.data,
                actor=current_user.user, revision=revision,
            )  # fmt: skip
        notify(outcome.message)
        return _done(action_id)

    @bp.post("/approvals/<action_id>/withdraw", endpoint="approval_withdraw")
    @require(permission)
    def withdraw(action_id):
        """The requester takes a pending request back."""
        approvals.withdraw(db.session, action_id, actor=current_user.user)
        notify("Request withdrawn. Nobody can approve it now.")
        return _done(action_id)

    @bp.post("/approvals/<action_id>/execute", endpoint="approval_execute")
    @require(permission)
    def execute(action_id):
        """Carry out an approved request that was not carried out yet."""
        row = _visible_row(action_id, permission)
        outcome = approvals.execute(db.session, row.action.id, actor=current_user.user)
        notify(
            f"Carried out. {outcome.message}" if outcome.executed_now else outcome.message,
            "success" if outcome.executed_now else "info",
        )
        return _done(action_id)

    def _answer(row, form, *, status=200, problem=None):
        if is_htmx():
            tab = request.form.get("back") if request.form.get("back") in TABS else "waiting"
            response = render(
                "approvals/_row.html",
                status=status,
                **context(row=row, form=form, error=problem, tab=tab),
            )
            response.headers["HX-Trigger"] = json.dumps({BACKGROUND_EVENT: None})
            return response
        if problem:
            raise Conflict(problem)
        history = audit.history(db.session, approvals.TABLE, row.action.id)
        return render(
            "approvals/detail.html",
            status=status,
            **context(row=row, form=form, history=history),
        )

    def _refused(action_id, form, refusal):
        """The request's row as it is: the form with its errors (422), or why it cannot be
        decided now (409). Any other refusal is the error page's to say."""
        fresh = approvals.action_row(db.session, action_id)
        if isinstance(refusal.error, ValidationError):
            return _answer(fresh, form, status=422)
        if isinstance(refusal.error, Conflict):
            return _answer(fresh, _form(fresh), status=409, problem=refusal.message)
        raise refusal.error

    def _done(action_id):
        if is_htmx():
            row = approvals.current_row(db.session, action_id)
            return _answer(row, _form(row))
        back = request.form.get("back")
        if back == "mine":
            return redirect(url_for(f"{area}.approvals_mine"))
        if back == "detail":
            return redirect(url_for(f"{area}.approval_detail", action_id=action_id))
        return redirect(url_for(f"{area}.approvals"))


def _form(row) -> DecisionForm:
    return DecisionForm(formdata=None, data={"revision": row.action.revision})


def _visible_row(action_id, permission):
    """The request if this person may see it here: theirs, or one of this area's kinds."""
    row = approvals.visible_row(
        db.session, action_id, viewer_id=current_user.id, permission=permission
    )
    if row is None:
        abort(404, description="That approval request does not exist.")
    return row
