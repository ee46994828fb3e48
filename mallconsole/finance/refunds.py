"""Refund requests (``/finance/refunds…``): the queue, the request screen, decisions and
execution."""

from __future__ import annotations

import json
from functools import partial

from flask import redirect, request, url_for
from flask_login import current_user

from mallconsole.console.forms import DecisionForm
from mallconsole.core import states
from mallconsole.core.errors import Conflict
from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.finance import bp
from mallconsole.finance.forms import (
    AmountForm,
    ApproveForm,
    ExecuteForm,
    RefundFilters,
    RejectForm,
)
from mallconsole.services.aftersales import refund_decisions, refund_execution, refund_queue
from mallconsole.services.kit import versions
from mallconsole.web.authz import require
from mallconsole.web.forms import filter_amounts
from mallconsole.web.htmx import is_htmx, render
from mallconsole.web.messages import notify
from mallconsole.web.queues import QueueScreen, queue_screen
from mallconsole.web.refusals import refusals, validated
from mallconsole.web.templating import add_area_link

DETAIL = "finance.refund_detail"
# --- the queue -----------------------------------------------------------------------------------


def _filters(listing) -> dict:
    filters = filter_amounts({k: v for k, v in listing.filters.items() if k != "tab"})
    if "store" in filters:
        filters["store"] = filters["store"].strip()
    return filters


REFUND_TABS = QueueScreen(
    template="finance/refund_list.html",
    argument="tab",
    names=refund_queue.TAB_KEYS,
    default="pending",
    unknown="There is no such tab. Choose one of the refund states.",
    form=RefundFilters,
    sorts=refund_queue.REFUND_SORTS,
    default_sort={tab: refund_queue.default_sort(tab) for tab in refund_queue.TAB_KEYS},
    id_column=refund_queue.REFUND_ID,
)


@bp.get("/refunds")
@require(Permission.REFUNDS_VIEW)
def refund_list():
    """Refund requests by state, with filters, sort and pages."""
    return queue_screen(
        REFUND_TABS,
        tabs=partial(refund_queue.tabs, db.session),
        rows=partial(refund_queue.refund_page, db.session),
        count=partial(refund_queue.count_requests, db.session),
        filters=_filters,
    )


# --- the request screen --------------------------------------------------------------------------


def _detail_page(refund_id, *, status=200, approve=None, reject=None, amount=None, execute=None,
                 stale=None, second=None, problem=None, block=None):  # fmt: skip
    view = refund_queue.load(db.session, refund_id)
    waiting = view.waiting_action
    if second is None or (problem and waiting is not None):
        # a conflict shows the approval as it is now: deciding again decides that revision
        second = DecisionForm(
            formdata=None, data={"revision": waiting.revision if waiting else None,
                                 "reason": second.reason.data if second else None},
        )  # fmt: skip
    version = view.request.version
    currency = view.request.currency
    approve = approve or ApproveForm(
        formdata=None,
        amount=refund_decisions.plain_amount(view.request.total_requested_amount, currency),
        version=version,
    )
    if approve.version.data in (None, ""):
        approve.version.data = version
    proposed = view.proposed
    return render(
        "finance/refund_detail.html",
        block,
        status=status,
        view=view,
        approve=approve,
        reject=reject or RejectForm(formdata=None, version=version),
        amount_form=amount
        or AmountForm(
            formdata=None, amount=refund_decisions.plain_amount(proposed, currency), version=version
        ),
        execute=execute or ExecuteForm(formdata=None),
        second=second,
        problem=problem,
        stale=stale,
        states=states,
        money=refund_decisions.money_text,
    )


@bp.get("/refunds/<refund_id>")
@require(Permission.REFUNDS_VIEW)
def refund_detail(refund_id):
    """One refund request, with everything needed to decide it (id or RR number)."""
    return _detail_page(refund_id)


def _decided(refund_id, message):
    notify(message)
    found = refund_decisions.find_request(db.session, refund_id)
    return redirect(url_for(DETAIL, refund_id=found.refund_request_number), code=303)


def _decided_meanwhile(refund_id, stale):
    """A stale decision whose request moved on has no form left to save again: say so."""
    if stale is None or not any(change.field == "status" for change in stale.changes):
        return stale
    found = refund_decisions.find_request(db.session, refund_id)
    return versions.StaleRecord(
        f"Someone else decided {found.refund_request_number} after you opened it: it is "
        f"{refund_queue.status_label(found.status).lower()} now, so your decision was not saved. "
        "What changed is below.",
        current_version=stale.current_version,
        changes=stale.changes,
    )


def _decide(refund_id, form_class, key, decide):
    """Read ``form_class``, call ``decide(form, version)``; on a refusal the screen again with
    the form's errors (422), the stale-write notice (409) or the refusal's status."""
    form = form_class()

    def page(refusal):
        stale = _decided_meanwhile(refund_id, refusal.stale)
        return _detail_page(refund_id, status=refusal.status, stale=stale, **{key: form})

    with refusals(page, form):
        validated(form)
        decision = decide(form, versions.read_version(form.version.data))
    return _decided(refund_id, decision.message)


@bp.post("/refunds/<refund_id>/approve")
@require(Permission.REFUNDS_DECIDE)
def refund_approve(refund_id):
    """Approve (the lines ticked, the amount given); over the threshold, the first approval."""

    def approve(form, version):
        return refund_decisions.approve(
            db.session, refund_id, amount=form.amount.data, note=form.note.data,
            approved_line_ids=request.form.getlist("line"), actor=current_user.user,
            expected_version=version,
        )  # fmt: skip

    return _decide(refund_id, ApproveForm, "approve", approve)


@bp.post("/refunds/<refund_id>/reject")
@require(Permission.REFUNDS_DECIDE)
def refund_reject(refund_id):
    """Reject with a reason."""
    return _decide(refund_id, RejectForm, "reject", lambda form, version: refund_decisions.reject(
        db.session, refund_id, reason=form.reason.data, actor=current_user.user,
        expected_version=version,
    ))  # fmt: skip


@bp.post("/refunds/<refund_id>/amount")
@require(Permission.REFUNDS_DECIDE)
def refund_amount(refund_id):
    """The first approver changes the amount waiting for the second approval."""
    return _decide(refund_id, AmountForm, "amount", lambda form, version: (
        refund_decisions.change_amount(db.session, refund_id, amount=form.amount.data,
                                       actor=current_user.user, expected_version=version)
    ))  # fmt: skip


@bp.post("/refunds/<refund_id>/second-approval")
@require(Permission.REFUNDS_DECIDE)
def refund_second_approval(refund_id):
    """Give the second approval here, or reject the refund, on the approval's revision seen;
    htmx reloads the screen in place."""
    form = DecisionForm()

    def page(refusal):
        problem = refusal.message if isinstance(refusal.error, Conflict) else None
        return _detail_page(refund_id, status=refusal.status, second=form, problem=problem,
                            block="second_approval")  # fmt: skip

    with refusals(page, form):
        validated(form)
        decision = refund_decisions.second_approval(
            db.session, refund_id, form.decision.data, form.reason.data,
            actor=current_user.user, revision=versions.read_version(form.revision.data),
        )  # fmt: skip
    if not is_htmx():
        return _decided(refund_id, decision.message)
    notify(decision.message)
    screen = url_for(DETAIL, refund_id=decision.request.refund_request_number)
    target = {"path": screen, "target": "#main", "select": "#main", "swap": "outerHTML"}
    return "", 204, {"HX-Location": json.dumps(target)}


@bp.post("/refunds/<refund_id>/execute")
@require(Permission.REFUNDS_EXECUTE)
def refund_execute(refund_id):
    """Move the approved money once; a repeat changes nothing and says so."""
    form = ExecuteForm()
    if not form.validate_on_submit() and "csrf_token" in form.errors:
        return _detail_page(refund_id, status=400, execute=form)
    page = partial(_detail_page, refund_id, execute=form)
    with refusals(lambda refusal: page(status=refusal.status), form):
        outcome = refund_execution.execute(
            db.session,
            refund_id,
            destination=request.form.get("destination") or "payment",
            actor=current_user.user,
        )
    notify(outcome.message, "success" if outcome.created else "info")
    return redirect(url_for(DETAIL, refund_id=outcome.request.refund_request_number), code=303)


add_area_link(bp, "Refunds", "refund_list", also=("refund_detail",), position=10)
