"""Chargebacks (``/finance/chargebacks``): the list by response deadline, one chargeback's screen
with its evidence notes, ledger entries and decisions; and payout accounts to verify
(``/finance/payout-accounts``)."""

from __future__ import annotations

from functools import partial

from flask import redirect, request, url_for
from flask_login import current_user

from mallconsole.core import states
from mallconsole.core.errors import ValidationError
from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.finance import bp
from mallconsole.finance.forms import AccountFilters, ChargebackFilters
from mallconsole.models import utcnow
from mallconsole.services.kit import audit, versions
from mallconsole.services.money import chargebacks, ledger, payout_accounts, reserves
from mallconsole.web.authz import require
from mallconsole.web.htmx import render
from mallconsole.web.lists import read_listing
from mallconsole.web.messages import notify
from mallconsole.web.refusals import on_screen, refusals


@bp.get("/chargebacks")
@require(Permission.PAYOUTS_VIEW)
def chargeback_list():
    """Chargebacks, most urgent first: those waiting for evidence by deadline, then the rest."""
    listing = read_listing(
        ChargebackFilters,
        sorts=chargebacks.CHARGEBACK_SORTS,
        default_sort="urgency",
        id_column=chargebacks.CHARGEBACK_ID,
    )
    page = chargebacks.chargeback_page(
        db.session, listing.filters, listing.ordering, cursor=listing.cursor, limit=listing.limit
    )
    return render(
        "finance/chargeback_list.html",
        block="listing",
        listing=listing,
        page=page,
        count=chargebacks.count_chargebacks(db.session, listing.filters),
        filtered=bool(listing.filters),
        now=utcnow(),
    )


def _chargeback_page(chargeback, *, status=200, stale=None, errors=None, note=""):
    seller = ledger.get_seller(db.session, chargeback.shopping_mall_seller_id)
    now = utcnow()
    return render(
        "finance/chargeback_detail.html",
        status=status,
        chargeback=chargeback,
        row=chargebacks.ChargebackRow(chargeback, seller.display_name),
        seller=seller,
        order=chargebacks.order_of(db.session, chargeback),
        entries=chargebacks.entries_of(db.session, chargeback.id),
        debited=chargebacks.debited(db.session, chargeback),
        targets=states.allowed_targets(chargebacks.MACHINE, chargeback.status),
        deadline_passed=chargeback.respond_by is not None and chargeback.respond_by <= now,
        reserve_rows=[
            r
            for r in reserves.seller_reserves(db.session, seller.id, chargeback.currency)
            if r.remaining > 0
        ],
        history=audit.history(db.session, chargebacks.TABLE, chargeback.id),
        entry_label=ledger.entry_label,
        stale=stale,
        errors=errors or {},
        note=note,
    )


@bp.get("/chargebacks/<chargeback_id>")
@require(Permission.PAYOUTS_VIEW)
def chargeback_detail(chargeback_id):
    """One chargeback: deadline, evidence notes, ledger effect, decisions, history."""
    return _chargeback_page(chargebacks.get_chargeback(db.session, chargeback_id))


def _decide(chargeback_id, change, done):
    """Call ``change(chargeback, version, note)``; refused, the chargeback's screen with what
    changed since (409) or why (422), the note kept."""
    chargeback = chargebacks.get_chargeback(db.session, chargeback_id)
    note = request.form.get("note") or ""
    page = partial(_refused, chargeback_id, note)
    with refusals(on_screen(page, ValidationError, versions.StaleRecord)):
        change(chargeback, versions.read_version(request.form.get("version")), note)
    notify(done)
    return redirect(url_for("finance.chargeback_detail", chargeback_id=chargeback.id), code=303)


def _refused(chargeback_id, note, refusal):
    found = chargebacks.get_chargeback(db.session, chargeback_id)
    if refusal.stale is not None:
        return _chargeback_page(found, status=409, stale=refusal.stale, note=note)
    error = refusal.error
    messages = [m for ms in (error.field_errors or {}).values() for m in ms] or [error.message]
    return _chargeback_page(found, status=422, errors={"form": messages}, note=note)


def _step(chargeback_id, step, done, **extra):
    def change(c, version, note):
        step(
            db.session, c.id, expected_version=version, note=note, actor=current_user.user, **extra
        )

    return _decide(chargeback_id, change, done)


@bp.post("/chargebacks/<chargeback_id>/notes")
@require(Permission.CHARGEBACKS_MANAGE)
def chargeback_note(chargeback_id):
    """Add an evidence note."""
    return _step(chargeback_id, chargebacks.add_note, "Note added.")


@bp.post("/chargebacks/<chargeback_id>/review")
@require(Permission.CHARGEBACKS_MANAGE)
def chargeback_review(chargeback_id):
    """Evidence sent to the provider: under review."""
    return _step(
        chargeback_id,
        chargebacks.start_review,
        "Evidence recorded; the chargeback is under review.",
    )


@bp.post("/chargebacks/<chargeback_id>/won")
@require(Permission.CHARGEBACKS_MANAGE)
def chargeback_won(chargeback_id):
    """The provider decided for the seller: the debit is given back."""
    return _step(
        chargeback_id,
        chargebacks.mark_won,
        "Chargeback won; the seller's ledger was credited back.",
    )


@bp.post("/chargebacks/<chargeback_id>/lost")
@require(Permission.CHARGEBACKS_MANAGE)
def chargeback_lost(chargeback_id):
    """The provider decided for the customer (or the deadline passed): the seller bears it."""
    return _step(
        chargeback_id, chargebacks.mark_lost, "Chargeback lost; the seller's ledger carries it.",
        reserve_id=request.form.get("reserve") or None,
    )  # fmt: skip


# --- payout accounts --------------------------------------------------------------------------


@bp.get("/payout-accounts")
@require(Permission.PAYOUTS_VIEW)
def payout_account_list():
    """Sellers' payout accounts; unverified ones first, to verify or reject."""
    listing = read_listing(
        AccountFilters,
        sorts=payout_accounts.ACCOUNT_SORTS,
        default_sort="created",
        id_column=payout_accounts.ACCOUNT_ID,
    )
    page = payout_accounts.account_page(
        db.session, listing.filters, listing.ordering, cursor=listing.cursor, limit=listing.limit
    )
    return render(
        "finance/payout_account_list.html",
        block="listing",
        listing=listing,
        page=page,
        count=payout_accounts.count_accounts(db.session, listing.filters),
        labels_of=payout_accounts.STATUS_LABELS,
        tones_of=payout_accounts.STATUS_TONES,
    )


@bp.post("/payout-accounts/<account_id>/<decision>")
@require(Permission.PAYOUTS_MANAGE)
def payout_account_decide(account_id, decision):
    """Verify or reject an unverified payout account."""
    account = payout_accounts.decide(
        db.session, account_id, decision, reason=request.form.get("reason"), actor=current_user.user
    )
    words = "verified" if account.status == "verified" else "rejected"
    notify(f"{account.bank_name or 'Bank'} {account.account_number_masked}: {words}.")
    return redirect(url_for("finance.payout_account_list"), code=303)
