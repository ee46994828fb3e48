"""Payouts (``/finance/payouts``): the list, a batch composition for every eligible seller, and
one payout's screen with its items and its lifecycle (send, paid, failed, canceled)."""

from __future__ import annotations

from functools import partial

from flask import redirect, request, url_for
from flask_login import current_user

from mallconsole.core import states
from mallconsole.core.errors import ValidationError
from mallconsole.core.money import CURRENCIES
from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.finance import bp
from mallconsole.finance.forms import PayoutFilters
from mallconsole.services import approvals
from mallconsole.services.kit import audit, versions
from mallconsole.services.money import ledger, payouts
from mallconsole.web.authz import require
from mallconsole.web.forms import with_periods
from mallconsole.web.htmx import render
from mallconsole.web.lists import read_listing
from mallconsole.web.messages import notify
from mallconsole.web.refusals import on_screen, refusals


@bp.get("/payouts")
@require(Permission.PAYOUTS_VIEW)
def payout_list():
    """Payouts by state, seller, currency and date, newest first."""
    listing = read_listing(
        PayoutFilters, sorts=payouts.PAYOUT_SORTS, default_sort="-created",
        id_column=payouts.PAYOUT_ID,
    )  # fmt: skip
    filters = with_periods(listing.filters)
    page = payouts.payout_page(
        db.session, filters, listing.ordering, cursor=listing.cursor, limit=listing.limit
    )
    return render(
        "finance/payout_list.html", block="listing", listing=listing, page=page,
        filtered=bool(filters), count=payouts.count_payouts(db.session, filters),
        counts=payouts.counts_by_state(db.session), currencies=CURRENCIES,
        # over the threshold: which of these wait for a second finance manager
        waiting=payouts.waiting_for_approval(db.session, [row.payout.id for row in page.rows]),
    )  # fmt: skip


@bp.post("/payouts/batch")
@require(Permission.PAYOUTS_MANAGE)
def payout_batch():
    """Compose a payout for every seller with payable entries in one currency."""
    currency = (request.form.get("currency") or "").upper()
    if currency not in CURRENCIES:
        raise ValidationError("Choose a currency for the batch.")
    result = payouts.compose_all(db.session, currency, actor=current_user.user)
    words = f"{len(result.composed)} payouts composed in {currency}."
    if result.skipped:
        shown = "; ".join(f"{name}: {why}" for name, why in result.skipped[:5])
        more = len(result.skipped) - 5
        words += f" {len(result.skipped)} sellers left out — {shown}"
        words += f" (and {more} more)." if more > 0 else ""
    notify(words, "info" if result.skipped else "success")
    return redirect(url_for("finance.payout_list", status="scheduled", currency=currency), code=303)


def _payout_page(payout, *, status=200, stale=None, errors=None):
    seller = ledger.get_seller(db.session, payout.shopping_mall_seller_id)
    items = payouts.payout_items(db.session, payout.id)
    approval = payouts.open_approval(db.session, payout)
    return render(
        "finance/payout_detail.html",
        status=status,
        payout=payout,
        seller=seller,
        account=payouts.paid_to_account(db.session, payout),
        items=items,
        given_back=payouts.given_back_entries(db.session, payout),
        sums_hold=payouts.payout_sums_hold(payout, items),
        approval=approval,
        approval_row=approvals.action_row(db.session, approval.id) if approval else None,
        needs_approval=payouts.needs_approval(db.session, payout),
        status_label=states.label(payouts.MACHINE, payout.status),
        status_tone=payouts.STATUS_TONES[payout.status],
        targets=states.allowed_targets(payouts.MACHINE, payout.status),
        history=audit.history(db.session, payouts.TABLE, payout.id),
        entry_label=ledger.entry_label,
        stale=stale,
        errors=errors or {},
    )


@bp.get("/payouts/<payout_id>")
@require(Permission.PAYOUTS_VIEW)
def payout_detail(payout_id):
    """One payout: amounts, account, items (or what it gave back), approval, history."""
    return _payout_page(payouts.get_payout(db.session, payout_id))


def _act(payout_id, change):
    """``change(payout, version)``'s answer; refused, the payout's screen with what changed since
    (409) or the reason asked for (422)."""
    payout = payouts.get_payout(db.session, payout_id)
    page = partial(_refused, payout_id)
    with refusals(on_screen(page, ValidationError, versions.StaleRecord)):
        return change(payout, versions.read_version(request.form.get("version")))


def _refused(payout_id, refusal):
    payout = payouts.get_payout(db.session, payout_id)
    if refusal.stale is not None:
        return _payout_page(payout, status=409, stale=refusal.stale)
    error = refusal.error
    return _payout_page(
        payout, status=422, errors={"reason": error.field_errors.get("reason") or [error.message]}
    )


def _back(payout):
    return redirect(url_for("finance.payout_detail", payout_id=payout.id), code=303)


@bp.post("/payouts/<payout_id>/start")
@require(Permission.PAYOUTS_MANAGE)
def payout_start(payout_id):
    """Send a scheduled payout to the bank (over the threshold: ask for approval)."""

    def change(payout, version):
        started = payouts.start_processing(
            db.session, payout.id, expected_version=version, actor=current_user.user
        )
        if started.approval is not None:
            notify(
                f"{payout.payout_number} is over the approval threshold: another finance manager "
                "approves it in the inbox, then it is sent."
            )
        else:
            notify(f"{payout.payout_number} sent for processing.")
        return _back(payout)

    return _act(payout_id, change)


def _ending(payout_id, end, words):
    """Mark paid (``end`` without a reason) or end with the reason given (failed, canceled)."""

    def change(payout, version):
        reason = {} if end is payouts.mark_paid else {"reason": request.form.get("reason")}
        end(db.session, payout.id, expected_version=version, actor=current_user.user, **reason)
        notify(f"{payout.payout_number} {words}")
        return _back(payout)

    return _act(payout_id, change)


@bp.post("/payouts/<payout_id>/paid")
@require(Permission.PAYOUTS_MANAGE)
def payout_paid(payout_id):
    """The bank confirmed the transfer."""
    return _ending(payout_id, payouts.mark_paid, "marked paid.")


@bp.post("/payouts/<payout_id>/failed")
@require(Permission.PAYOUTS_MANAGE)
def payout_failed(payout_id):
    """The bank refused the transfer: the entries become payable again."""
    return _ending(payout_id, payouts.mark_failed, "failed; its entries are payable again.")


@bp.post("/payouts/<payout_id>/cancel")
@require(Permission.PAYOUTS_MANAGE)
def payout_cancel(payout_id):
    """Withdraw a scheduled payout: the entries become payable again."""
    return _ending(payout_id, payouts.cancel_payout, "canceled; its entries are payable again.")
