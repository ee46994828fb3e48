"""CSV exports for reconciliation: a seller's ledger, payouts with their items, refunds executed
and fees of a period. Each is a header and rows read in batches (``yield_per``), so a large
export streams instead of being held in memory; the filters are the screens' own. A period is
two moments, ``since`` (included) and ``until`` (excluded): the views turn the reader's days
into them (``timezones.day_range``), so a period means the days of whoever asks for it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

from sqlalchemy import or_, select

from mallconsole.core import states
from mallconsole.core.text import LIKE_ESCAPE, like_pattern
from mallconsole.models import (
    Fee,
    Order,
    Payment,
    PaymentRefund,
    Payout,
    PayoutItem,
    RefundRequest,
    Seller,
    SellerLedgerEntry,
)
from mallconsole.services.kit import pagination
from mallconsole.services.kit.database import streamed
from mallconsole.services.kit.pagination import SortKey, capped_count
from mallconsole.services.money import ledger, payouts

BATCH = 500
FEE_TYPES = states.FEE_TYPES
FEE_LABELS = {
    "commission": "Commission",
    "payment_processing": "Payment processing",
    "dispute": "Dispute fee",
    "payout": "Payout fee",
    "fee_reversal": "Fee given back on a refund",
}
# What a fee was computed on, in words (the stored basis is a code).
BASIS_LABELS = {
    "item_net": "Items, after discounts",
    "refund": "The refund",
}


def _iso(value):
    return value.isoformat() if value is not None else ""


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    # A cell a spreadsheet would run as a formula is written as text.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except ArithmeticError:
        return False


def _lines(header, rows) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_cell(v) for v in row])
        yield buffer.getvalue()


def _stream(session, statement):
    return streamed(session, statement, BATCH)


def ledger_csv(session, seller_id: str, currency: str, filters: dict) -> Iterator[str]:
    """The seller's entries with the ledger screen's filters, oldest first."""
    seller = ledger.get_seller(session, seller_id)
    statement = (
        ledger.entries_statement(seller.id, currency, filters)
        .with_only_columns(
            SellerLedgerEntry.occurred_at,
            SellerLedgerEntry.entry_type,
            SellerLedgerEntry.source_type,
            SellerLedgerEntry.currency,
            SellerLedgerEntry.amount,
            SellerLedgerEntry.balance_after,
            Payout.payout_number,
            SellerLedgerEntry.note,
            SellerLedgerEntry.id,
        )
        .outerjoin(PayoutItem, PayoutItem.shopping_mall_seller_ledger_id == SellerLedgerEntry.id)
        .outerjoin(Payout, Payout.id == PayoutItem.shopping_mall_payout_id)
        .order_by(SellerLedgerEntry.occurred_at, SellerLedgerEntry.id)
    )
    rows = (
        (at, seller.seller_code, seller.display_name, ledger.entry_label(kind),
         ledger.source_label(source), cur, amount, balance, number, note, entry_id)
        for at, kind, source, cur, amount, balance, number, note, entry_id in _stream(
            session, statement
        )
    )  # fmt: skip
    header = ("occurred_at", "seller_code", "seller", "type", "source", "currency", "amount",
              "balance_after", "payout", "note", "entry_id")  # fmt: skip
    return _lines(header, rows)


def payouts_csv(session, filters: dict) -> Iterator[str]:
    """Payouts of the payout list's filters, one line per item (one line for a payout without
    items: failed and canceled ones gave theirs back)."""
    statement = (
        payouts.payout_statement(filters)
        .with_only_columns(
            Payout.payout_number,
            Seller.seller_code,
            Seller.display_name,
            Payout.status,
            Payout.currency,
            Payout.period_start,
            Payout.period_end,
            Payout.gross_amount,
            Payout.fees_amount,
            Payout.reserve_withheld,
            Payout.net_amount,
            Payout.created_at,
            Payout.processed_at,
            SellerLedgerEntry.occurred_at,
            SellerLedgerEntry.entry_type,
            PayoutItem.amount,
            SellerLedgerEntry.id,
        )
        .outerjoin(PayoutItem, PayoutItem.shopping_mall_payout_id == Payout.id)
        .outerjoin(
            SellerLedgerEntry, SellerLedgerEntry.id == PayoutItem.shopping_mall_seller_ledger_id
        )
        .order_by(Payout.created_at, Payout.id, SellerLedgerEntry.occurred_at, SellerLedgerEntry.id)
    )
    rows = (
        (*row[:14], ledger.entry_label(row[14]) if row[14] else None, *row[15:])
        for row in _stream(session, statement)
    )
    header = (
        "payout", "seller_code", "seller", "status", "currency", "period_start", "period_end",
        "gross", "fees", "reserve_withheld", "net", "composed_at", "processed_at",
        "item_occurred_at", "item_type", "item_amount", "entry_id",
    )  # fmt: skip
    return _lines(header, rows)


def refunds_csv(session, filters: dict) -> Iterator[str]:
    """Refunds executed (succeeded) in the period, with their order and request."""
    statement = (
        select(
            PaymentRefund.refunded_at,
            Order.order_number,
            RefundRequest.refund_request_number,
            PaymentRefund.currency,
            PaymentRefund.amount,
            PaymentRefund.reason_category,
            PaymentRefund.provider_reference,
            PaymentRefund.id,
        )
        .join(Payment, Payment.id == PaymentRefund.shopping_mall_payment_id)
        .join(Order, Order.id == Payment.shopping_mall_order_id)
        .outerjoin(RefundRequest, RefundRequest.id == PaymentRefund.shopping_mall_refund_request_id)
        .where(PaymentRefund.status == "succeeded", PaymentRefund.deleted_at.is_(None))
        .order_by(PaymentRefund.refunded_at, PaymentRefund.id)
    )
    if filters.get("currency"):
        statement = statement.where(PaymentRefund.currency == filters["currency"])
    if filters.get("since"):
        statement = statement.where(PaymentRefund.refunded_at >= filters["since"])
    if filters.get("until"):
        statement = statement.where(PaymentRefund.refunded_at < filters["until"])
    header = ("refunded_at", "order", "refund_request", "currency", "amount", "reason",
              "provider_reference", "refund_id")  # fmt: skip
    return _lines(header, _stream(session, statement))


def fees_statement(filters: dict):
    """Fees with the fee list's filters (seller, type, currency, ``since``/``until`` moments)."""
    statement = (
        select(Fee, Seller.display_name, Seller.seller_code)
        .join(Seller, Seller.id == Fee.shopping_mall_seller_id)
        .where(Fee.deleted_at.is_(None))
    )
    if filters.get("seller"):
        statement = statement.where(Fee.shopping_mall_seller_id == filters["seller"])
    if filters.get("q"):
        text = like_pattern(filters["q"].strip())
        statement = statement.where(
            or_(
                Seller.display_name.ilike(text, escape=LIKE_ESCAPE),
                Seller.seller_code.ilike(text, escape=LIKE_ESCAPE),
            )
        )
    if filters.get("fee_type"):
        statement = statement.where(Fee.fee_type == filters["fee_type"])
    if filters.get("currency"):
        statement = statement.where(Fee.currency == filters["currency"])
    if filters.get("since"):
        statement = statement.where(Fee.assessed_at >= filters["since"])
    if filters.get("until"):
        statement = statement.where(Fee.assessed_at < filters["until"])
    return statement


FEE_ID = Fee.id
FEE_SORTS = (
    SortKey("assessed", "Assessed", Fee.assessed_at, kind=datetime),
    SortKey("amount", "Amount", Fee.amount, kind=Decimal),
)


def fee_page(session, filters, ordering, *, cursor, limit):
    """One page of fees: (fee, seller name, seller code) rows."""
    return pagination.pair_page(
        session, fees_statement(filters), ordering, cursor=cursor, limit=limit,
        wrap=lambda fee, name, code: (fee, name, code),
    )  # fmt: skip


def count_fees(session, filters):
    return capped_count(session, fees_statement(filters).with_only_columns(Fee.id))


def fees_csv(session, filters: dict) -> Iterator[str]:
    statement = (
        fees_statement(filters)
        .with_only_columns(
            Fee.assessed_at,
            Seller.seller_code,
            Seller.display_name,
            Fee.fee_type,
            Fee.basis,
            Fee.rate_percent,
            Fee.currency,
            Fee.amount,
            Order.order_number,
            Fee.description,
            Fee.id,
        )
        .outerjoin(Order, Order.id == Fee.shopping_mall_order_id)
        .order_by(Fee.assessed_at, Fee.id)
    )
    header = ("assessed_at", "seller_code", "seller", "fee_type", "basis", "rate_percent",
              "currency", "amount", "order", "description", "fee_id")  # fmt: skip
    return _lines(header, _stream(session, statement))
