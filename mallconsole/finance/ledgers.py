"""Seller ledgers (``/finance/ledgers``): sellers and balances; one seller's entries with the
running balance, the reconciliation check, reserves (place, release) and payouts to compose."""

from __future__ import annotations

from functools import partial

from flask import abort, redirect, request, url_for
from flask_login import current_user

from mallconsole.core import states, timezones
from mallconsole.core.errors import ValidationError
from mallconsole.core.money import format_money
from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.finance import bp
from mallconsole.finance.forms import (
    ComposeForm,
    EntryFilters,
    ReleaseForm,
    ReserveForm,
    SellerFilters,
)
from mallconsole.services.money import ledger, payouts, reserves
from mallconsole.web.authz import require
from mallconsole.web.forms import reader_zone, with_periods
from mallconsole.web.htmx import render
from mallconsole.web.lists import read_listing
from mallconsole.web.messages import notify
from mallconsole.web.refusals import on_screen, refusals, validated


def _currency(seller) -> str:
    wanted = (request.values.get("currency") or "").upper()
    known = ledger.currencies(db.session, seller.id) or ["USD"]
    if wanted and wanted not in known:
        abort(400, description=f"This seller has no ledger in {wanted}.")
    return wanted or known[0]


def _form_currency(form, seller) -> str:
    wanted = (form.currency.data or "").upper()
    known = ledger.currencies(db.session, seller.id) or ["USD"]
    if wanted not in known:
        abort(400, description="Choose one of this seller's ledger currencies.")
    return wanted


@bp.get("/ledgers")
@require(Permission.PAYOUTS_VIEW)
def ledger_list():
    """Sellers with their balances: pick one to see the ledger."""
    listing = read_listing(
        SellerFilters, sorts=ledger.SELLER_SORTS, default_sort="name", id_column=ledger.SELLER_ID
    )
    page = ledger.seller_page(
        db.session, listing.filters, listing.ordering, cursor=listing.cursor, limit=listing.limit
    )
    return render(
        "finance/ledger_list.html",
        block="listing",
        listing=listing,
        page=page,
        count=ledger.count_sellers(db.session, listing.filters),
        seller_state=lambda s: states.label(states.SELLER_MACHINE, s),
    )


def _ledger_page(seller, *, currency=None, compose_form=None, reserve_form=None, release_form=None,
                 status=200, block="listing"):  # fmt: skip
    currency = currency or _currency(seller)
    listing = read_listing(
        EntryFilters,
        sorts=ledger.ENTRY_SORTS,
        default_sort="-occurred",
        id_column=ledger.ENTRY_ID,
    )
    filters = {k: v for k, v in listing.filters.items() if k != "currency"}
    periods = with_periods(filters)
    page = ledger.entry_page(
        db.session, seller.id, currency, periods, listing.ordering,
        cursor=listing.cursor, limit=listing.limit,
    )  # fmt: skip
    compose_form = compose_form or ComposeForm(
        formdata=None, prefix="payout", data={"currency": currency}
    )
    reserve_form = reserve_form or ReserveForm(
        formdata=None, prefix="reserve", data={"currency": currency}
    )
    release_form = release_form or ReleaseForm(formdata=None, prefix="release")
    return render(
        "finance/ledger_detail.html",
        block=block if status == 200 else None,
        status=status,
        seller=seller,
        currency=currency,
        currencies=ledger.currencies(db.session, seller.id),
        listing=listing,
        page=page,
        filters=filters,
        filtered=bool(filters),
        count=ledger.count_entries(db.session, seller.id, currency, periods),
        balance=ledger.balance(db.session, seller.id, currency),
        gaps=ledger.reconcile(db.session, seller.id, currency),
        payable=payouts.payable_summary(db.session, seller.id, currency),
        delay=payouts.settlement_delay(db.session, seller.id),
        reserve_rows=reserves.seller_reserves(db.session, seller.id, currency),
        recent_payouts=payouts.seller_payouts(db.session, seller.id, limit=6),
        unpaid=payouts.unpaid_total(db.session, seller.id, currency),
        payout_status=lambda s: (states.label(payouts.MACHINE, s), payouts.STATUS_TONES[s]),
        compose_form=compose_form,
        reserve_form=reserve_form,
        release_form=release_form,
        seller_state=states.label(states.SELLER_MACHINE, seller.state),
    )


@bp.get("/ledgers/<seller_id>")
@require(Permission.PAYOUTS_VIEW)
def ledger_detail(seller_id):
    """One seller's ledger in one currency: entries with the running balance, reconciliation."""
    return _ledger_page(ledger.get_seller(db.session, seller_id))


def _day_start(day):
    """The first moment of ``day`` in the reader's zone."""
    return timezones.day_start(day, reader_zone()) if day else None


@bp.post("/ledgers/<seller_id>/payouts")
@require(Permission.PAYOUTS_MANAGE)
def ledger_compose_payout(seller_id):
    """Compose a payout for this seller from their payable entries."""
    seller = ledger.get_seller(db.session, seller_id)
    form = ComposeForm(prefix="payout")
    currency = _form_currency(form, seller)
    page = partial(_form_refused, seller, currency, "compose_form", form)
    with refusals(page, form):
        validated(form)
        start, end = timezones.day_range(
            form.period_start.data, form.period_end.data, reader_zone()
        )
        payout = payouts.compose_payout(
            db.session, seller.id, currency, actor=current_user.user,
            period_start=start, period_end=end, note=form.note.data,
        )  # fmt: skip
    notify(_composed_words(payout))
    return redirect(url_for("finance.payout_detail", payout_id=payout.id), code=303)


def _form_refused(seller, currency, name, form, refusal):
    """The ledger page again with the refused form (``name``) showing why."""
    return _ledger_page(seller, currency=currency, status=refusal.status, **{name: form})


def _composed_words(payout) -> str:
    net = format_money(payout.net_amount, payout.currency, code=True)
    words = f"{payout.payout_number} composed: {net} net."
    if payouts.open_approval(db.session, payout) is not None:
        words += (
            " It is over the approval threshold: another finance manager approves it in the inbox."
        )
    return words


@bp.post("/ledgers/<seller_id>/reserves")
@require(Permission.RESERVES_MANAGE)
def reserve_place(seller_id):
    """Place a case hold or a rolling reserve on this seller."""
    seller = ledger.get_seller(db.session, seller_id)
    form = ReserveForm(prefix="reserve")
    currency = _form_currency(form, seller)
    page = partial(_form_refused, seller, currency, "reserve_form", form)
    with refusals(on_screen(page, ValidationError), form):
        validated(form)
        reserves.place_reserve(
            db.session, seller_id=seller.id, currency=currency,
            reserve_type=form.reserve_type.data,
            amount=reserves.parse_amount(form.amount.data, currency, required=False),
            percent=reserves.parse_percent(form.percent.data),
            reason=form.reason.data, policy_reference=form.policy_reference.data,
            release_at=_day_start(form.release_at.data), actor=current_user.user,
        )  # fmt: skip
    notify(f"{reserves.TYPE_LABELS[form.reserve_type.data]} placed on {seller.display_name}.")
    return redirect(url_for("finance.ledger_detail", seller_id=seller.id, currency=currency),
                    code=303)  # fmt: skip


@bp.post("/reserves/<reserve_id>/release")
@require(Permission.RESERVES_MANAGE)
def reserve_release(reserve_id):
    """Give back all or part of what a reserve holds."""
    reserve = reserves.get_reserve(db.session, reserve_id)
    seller = ledger.get_seller(db.session, reserve.shopping_mall_seller_id)
    form = ReleaseForm(prefix="release")
    page = partial(_form_refused, seller, reserve.currency, "release_form", form)
    with refusals(on_screen(page, ValidationError), form):
        validated(form)
        amount = reserves.parse_amount(form.amount.data, reserve.currency, required=False)
        entry = reserves.release_reserve(
            db.session, reserve.id, amount=amount, reason=form.reason.data, actor=current_user.user
        )
    released = format_money(entry.amount, entry.currency, code=True)
    notify(f"Released {released} to {seller.display_name}'s balance.")
    return redirect(
        url_for("finance.ledger_detail", seller_id=seller.id, currency=reserve.currency), code=303
    )
