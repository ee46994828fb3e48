"""Store credit (``/finance/wallets``): look a customer up, see their wallets (one per currency),
a wallet's records with the running balance, and adjust it (goodwill credit or correction)."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from functools import partial

from flask import abort, redirect, request, url_for
from flask_login import current_user

from mallconsole.core.errors import ValidationError
from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.finance import bp
from mallconsole.finance.forms import AdjustmentForm, RecordFilters
from mallconsole.services import approvals
from mallconsole.services.customers.customer_view import mask_email
from mallconsole.services.customers.search import search_groups
from mallconsole.services.money import wallet_adjustments
from mallconsole.web.authz import require
from mallconsole.web.htmx import render
from mallconsole.web.lists import read_listing
from mallconsole.web.messages import notify
from mallconsole.web.refusals import FormInvalid, refusals
from mallconsole.web.security import SMALL_FORM, body_limit, forget_oversized
from mallconsole.web.templating import add_area_link

add_area_link(
    bp, "Store credit", "wallet_list", also=("wallet_detail", "wallet_customer"), position=20
)
# Customer look-up reuses global search's customer finders (email, name, phone, order number).
CUSTOMER_SEARCH = frozenset({Permission.CUSTOMERS_VIEW})
EXPIRED = "The form expired. Reload the page and try again."


@bp.get("/wallets")
@require(Permission.FINANCE_ACCESS)
def wallet_list():
    """Find a customer by email, name, phone or order number; list their wallets."""
    term = (request.args.get("q") or "").strip()
    group = _found_customers(term)
    cards = group.cards if group else []
    return render(
        "finance/wallet_list.html",
        block="results",
        term=term,
        searched=bool(term),
        too_short=0 < len(term) < 2,
        cards=cards,
        next_after=group.next_after if group else None,
        wallets=wallet_adjustments.wallets_of(db.session, [c.record_id for c in cards]),
        waiting=wallet_adjustments.all_waiting(db.session),
    )


def _found_customers(term: str):
    """The customers global search finds for ``term`` (one group of cards, from ``?after=``), or
    None. A "more" link this server did not write is refused by the search (400, its message)."""
    if not term:
        return None
    after = request.args.get("after") or None
    groups = search_groups(
        db.session, term, permissions=CUSTOMER_SEARCH, kind="customer", after=after
    )
    return groups[0] if groups else None


def _currency(currency: str) -> str:
    try:
        return wallet_adjustments.check_currency(currency)
    except ValidationError:  # a currency in the address: no such page, not a form to correct
        abort(404, description="There is no such currency.")


def _wallet_page(user_id, currency, *, form=None, status=200, problem=None):
    currency = _currency(currency)
    customer = wallet_adjustments.customer(db.session, user_id)
    account = wallet_adjustments.wallets.wallet(db.session, customer.id, currency)
    listing = read_listing(
        RecordFilters,
        sorts=wallet_adjustments.RECORD_SORTS,
        default_sort="-created",
        id_column=wallet_adjustments.RECORD_ID,
    )
    page = (
        wallet_adjustments.record_page(
            db.session, account.id, listing.ordering, cursor=listing.cursor, limit=listing.limit
        )
        if account is not None
        else None
    )
    balance = account.balance if account is not None else Decimal(0)
    if form is None:
        form = AdjustmentForm(formdata=None)
        form.idempotency_key.data = str(uuid.uuid4())
    if not form.expected_balance.data:
        form.expected_balance.data = str(wallet_adjustments.exact(balance, currency))
    waiting = wallet_adjustments.waiting_requests(db.session, account.id if account else None)
    return render(
        "finance/wallet_detail.html",
        block="records" if request.method == "GET" else None,
        status=status,
        customer=customer,
        currency=currency,
        account=account,
        balance=balance,
        listing=listing,
        page=page,
        form=form,
        problem=problem,
        waiting=waiting,
        describe=approvals.describe_change,
        payload_amount=wallet_adjustments.payload_amount,
        threshold=wallet_adjustments.threshold(db.session, currency),
        labels=wallet_adjustments.RECORD_LABELS,
        contact=mask_email(customer.email),
        others=[
            w
            for w in wallet_adjustments.wallets_of(db.session, [customer.id])[customer.id]
            if w.currency != currency
        ],
    )


@bp.get("/wallets/<user_id>")
@require(Permission.FINANCE_ACCESS)
def wallet_customer(user_id):
    """The customer's wallet in ``?currency=`` (opened by its first adjustment)."""
    customer = wallet_adjustments.customer(db.session, user_id)
    try:
        currency = wallet_adjustments.check_currency(request.args.get("currency"))
    except ValidationError as error:  # a link's query string, not a form: a bad request
        abort(400, description=error.message)
    return redirect(url_for("finance.wallet_detail", user_id=customer.id, currency=currency), 303)


@bp.get("/wallets/<user_id>/<currency>")
@require(Permission.FINANCE_ACCESS)
def wallet_detail(user_id, currency):
    """One wallet: balance, records newest first with the running balance, the adjustment."""
    return _wallet_page(user_id, currency)


def _expected(raw) -> Decimal:
    try:
        value = Decimal(str(raw or "").strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ValidationError(
            "The form lost track of the balance you saw. Reload the page and try again."
        )
    return value


@bp.post("/wallets/<user_id>/<currency>/adjust")
@require(Permission.WALLETS_ADJUST)
@body_limit(SMALL_FORM)
def wallet_adjust(user_id, currency):
    """Adjust the wallet now, or ask for approval above the threshold."""
    currency = _currency(currency)
    wallet_adjustments.customer(db.session, user_id)  # 404 before anything else
    form = AdjustmentForm()
    with refusals(partial(_adjustment_refused, user_id, currency, form), form):
        if not form.validate_on_submit():
            form.form_errors.append(EXPIRED)
            raise FormInvalid(EXPIRED)
        done = _adjust(user_id, currency, form)
    notify(done.message)
    return redirect(url_for("finance.wallet_detail", user_id=user_id, currency=currency), 303)


def _adjust(user_id, currency, form):
    return wallet_adjustments.adjust(
        db.session,
        user_id=user_id,
        currency=currency,
        direction=form.direction.data,
        amount=form.amount.data,
        reason=form.reason.data,
        actor=current_user.user,
        expected_balance=_expected(form.expected_balance.data),
        idempotency_key=form.idempotency_key.data,
    )


def _adjustment_refused(user_id, currency, form, refusal):
    """The wallet again with the adjustment's errors (422) or the conflict (409), the input
    kept; nothing was written."""
    forget_oversized(form)
    if refusal.status == 409:
        # Submitting again applies the adjustment to the balance as it is now, on purpose.
        form.expected_balance.data = ""
    return _wallet_page(user_id, currency, form=form, status=refusal.status)
