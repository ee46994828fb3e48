"""Reconciliation exports (``/finance/exports``) and the fee list (``/finance/fees``).

Each export is a CSV streamed as it is read (on a session of its own that lives as long as the
response: ``web/downloads.stream_lines``), with the filters of the screen it comes from; a
download sent whole writes an audit event naming the export and its filters (CONTRACT.md:
export downloads are audited)."""

from __future__ import annotations

from flask import Response, abort, request

from mallconsole.core import states
from mallconsole.core.money import CURRENCIES
from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.finance import bp
from mallconsole.finance.forms import (
    EntryFilters,
    FeeFilters,
    PayoutFilters,
    PeriodFilters,
)
from mallconsole.models import utcnow
from mallconsole.services.money import finance_exports, ledger
from mallconsole.web.authz import require
from mallconsole.web.downloads import DownloadAudit, stream_lines
from mallconsole.web.forms import reader_zone, with_periods
from mallconsole.web.htmx import render
from mallconsole.web.lists import read_listing


def _parsed(form_class):
    form = form_class(request.args)
    if not form.validate():
        problems = " ".join(f"{form[n].label.text}: {m[0]}" for n, m in form.errors.items())
        abort(400, description="Some filter values are not valid. " + problems)
    return {k: v for k, v in form.data.items() if v not in (None, "")}


def _csv(read, file_name: str, *, table: str, export: str, filters: dict) -> Response:
    """``read(session)``'s lines as a CSV download, audited once the whole file was sent."""
    audit = DownloadAudit(table, None, action="export_downloaded",
                          details={"export": export, "filters": filters})  # fmt: skip
    return stream_lines(read, file_name, audit=audit)


def _days_of(filters: dict) -> dict:
    """The filters as recorded: with a period, the zone whose days it means."""
    if filters.get("since") or filters.get("until"):
        return {**filters, "days_in": reader_zone()}
    return filters


def _stamp() -> str:
    return utcnow().strftime("%Y%m%d-%H%M")


@bp.get("/exports")
@require(Permission.FINANCE_EXPORT)
def export_list():
    """The reconciliation exports, each with its period."""
    return render(
        "finance/export_list.html",
        currencies=CURRENCIES,
        fee_types={t: finance_exports.FEE_LABELS[t] for t in states.FEE_TYPES},
        payout_states={s: states.label(states.PAYOUT_MACHINE, s) for s in states.PAYOUT},
    )


@bp.get("/exports/ledger/<seller_id>.csv")
@require(Permission.FINANCE_EXPORT)
def export_ledger(seller_id):
    """A seller's ledger with the ledger screen's filters."""
    seller = ledger.get_seller(db.session, seller_id)
    filters = _parsed(EntryFilters)
    currency = (filters.pop("currency", None) or "USD").upper()
    if currency not in (ledger.currencies(db.session, seller.id) or ["USD"]):
        abort(400, description=f"This seller has no ledger in {currency}.")
    periods, found = with_periods(filters), seller.id  # read now: the body is read later
    return _csv(
        lambda session: finance_exports.ledger_csv(session, found, currency, periods),
        f"ledger-{seller.seller_code}-{currency}-{_stamp()}.csv",
        table="shopping_mall_seller_ledgers",
        export="ledger",
        filters={"seller": seller.seller_code, "currency": currency, **_days_of(filters)},
    )


@bp.get("/exports/payouts.csv")
@require(Permission.FINANCE_EXPORT)
def export_payouts():
    """Payouts with their items, with the payout list's filters."""
    form = PayoutFilters(request.args)
    if not form.validate():
        abort(400, description="Some filter values are not valid.")
    raw = {k: v for k, v in form.data.items() if v not in (None, "")}
    filters = with_periods(raw)
    return _csv(
        lambda session: finance_exports.payouts_csv(session, filters),
        f"payouts-{_stamp()}.csv",
        table="shopping_mall_payouts",
        export="payouts",
        filters=_days_of(raw),
    )


@bp.get("/exports/refunds.csv")
@require(Permission.FINANCE_EXPORT)
def export_refunds():
    """Refunds executed in a period."""
    filters = _parsed(PeriodFilters)
    periods = with_periods(filters)
    return _csv(
        lambda session: finance_exports.refunds_csv(session, periods),
        f"refunds-executed-{_stamp()}.csv",
        table="shopping_mall_payment_refunds",
        export="refunds_executed",
        filters=_days_of(filters),
    )


@bp.get("/exports/fees.csv")
@require(Permission.FINANCE_EXPORT)
def export_fees():
    """Fees of a period, with the fee list's filters."""
    filters = _parsed(FeeFilters)
    periods = with_periods(filters)
    return _csv(
        lambda session: finance_exports.fees_csv(session, periods),
        f"fees-{_stamp()}.csv",
        table="shopping_mall_fees",
        export="fees",
        filters=_days_of(filters),
    )


# --- the fee list -----------------------------------------------------------------------------


@bp.get("/fees")
@require(Permission.PAYOUTS_VIEW)
def fee_list():
    """Fees assessed to sellers, by seller, kind, currency and day."""
    listing = read_listing(
        FeeFilters, sorts=finance_exports.FEE_SORTS, default_sort="-assessed",
        id_column=finance_exports.FEE_ID,
    )  # fmt: skip
    filters = with_periods(listing.filters)
    page = finance_exports.fee_page(
        db.session, filters, listing.ordering, cursor=listing.cursor, limit=listing.limit
    )
    return render(
        "finance/fee_list.html",
        block="listing",
        listing=listing,
        page=page,
        filtered=bool(listing.filters),
        count=finance_exports.count_fees(db.session, filters),
        fee_label=_fee_label,
        basis_label=_basis_label,
    )


def _fee_label(fee_type: str) -> str:
    return finance_exports.FEE_LABELS.get(fee_type) or states.in_words(fee_type)


def _basis_label(basis: str | None) -> str:
    return finance_exports.BASIS_LABELS.get(basis) or states.in_words(basis) if basis else "—"
