"""Seller ledgers: one way to write an entry, so every running balance stays the sum of its
entries.

``post`` appends an entry to a seller's ledger in one currency. It takes the seller's row lock
first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's write lock serializes writers anyway),
reads the newest entry of that seller and currency, and writes the new one with
``balance_after`` = previous balance + amount and an ``occurred_at`` strictly after the previous
entry's, so "running balance" has one meaning even when two entries share a clock tick.
Refund execution, reserves, chargebacks and payouts all post through here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from .. import states
from ..models import Seller, SellerLedgerEntry, utcnow
from . import versions
from .errors import ValidationError

ZERO = Decimal("0")
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class Balance:
    """A seller's balance in one currency: the newest entry's ``balance_after``."""

    amount: Decimal
    as_of: datetime | None


def _newest(session, seller_id: str, currency: str) -> SellerLedgerEntry | None:
    return session.scalars(
        select(SellerLedgerEntry)
        .where(
            SellerLedgerEntry.shopping_mall_seller_id == seller_id,
            SellerLedgerEntry.currency == currency,
            SellerLedgerEntry.deleted_at.is_(None),
        )
        .order_by(SellerLedgerEntry.occurred_at.desc(), SellerLedgerEntry.id.desc())
        .limit(1)
    ).first()


def balance(session, seller_id: str, currency: str) -> Balance:
    """The seller's current balance in ``currency`` (zero before the first entry)."""
    newest = _newest(session, seller_id, currency)
    if newest is None:
        return Balance(ZERO, None)
    return Balance(newest.balance_after or ZERO, newest.occurred_at)


def post(
    session,
    *,
    seller_id: str,
    currency: str,
    amount: Decimal,
    entry_type: str,
    source_type: str,
    occurred_at: datetime | None = None,
    order_id: str | None = None,
    capture_id: str | None = None,
    refund_id: str | None = None,
    chargeback_id: str | None = None,
    source_reference: str | None = None,
    note: str | None = None,
) -> SellerLedgerEntry:
    """Append one entry (signed ``amount``: credits positive, debits negative) and return it.

    The caller's transaction commits it with the change that caused it, or neither.
    """
    if entry_type not in states.LEDGER_ENTRY_TYPES:
        raise ValidationError(f"{entry_type!r} is not a kind of ledger entry.")
    if source_type not in states.LEDGER_SOURCE_TYPES:
        raise ValidationError(f"{source_type!r} is not a source of ledger entries.")
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValidationError("A ledger amount must be an exact decimal amount.")
    if not currency or len(currency) != 3 or not currency.isalpha():
        raise ValidationError(f"{currency!r} is not a currency code.")
    versions.lock(session, Seller, seller_id, what="seller")
    newest = _newest(session, seller_id, currency)
    at = occurred_at or utcnow()
    previous = ZERO
    if newest is not None:
        previous = newest.balance_after or ZERO
        if at <= newest.occurred_at:
            at = newest.occurred_at + _TICK
    entry = SellerLedgerEntry(
        shopping_mall_seller_id=seller_id,
        shopping_mall_order_id=order_id,
        shopping_mall_payment_capture_id=capture_id,
        shopping_mall_payment_refund_id=refund_id,
        shopping_mall_chargeback_id=chargeback_id,
        entry_type=entry_type,
        source_type=source_type,
        source_reference=source_reference,
        currency=currency.upper(),
        amount=amount,
        balance_after=previous + amount,
        occurred_at=at,
        note=note,
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class Gap:
    """An entry whose ``balance_after`` is not the previous balance plus its amount."""

    entry_id: str
    occurred_at: datetime
    expected: Decimal
    recorded: Decimal | None


def reconcile(session, seller_id: str, currency: str) -> list[Gap]:
    """Recompute the running balance of a seller's ledger in ``currency`` from its entries, in
    time order, and list every entry whose recorded ``balance_after`` differs."""
    rows = session.execute(
        select(
            SellerLedgerEntry.id,
            SellerLedgerEntry.occurred_at,
            SellerLedgerEntry.amount,
            SellerLedgerEntry.balance_after,
        )
        .where(
            SellerLedgerEntry.shopping_mall_seller_id == seller_id,
            SellerLedgerEntry.currency == currency,
            SellerLedgerEntry.deleted_at.is_(None),
        )
        .order_by(SellerLedgerEntry.occurred_at, SellerLedgerEntry.id)
    ).all()
    running = ZERO
    gaps = []
    for entry_id, at, amount, recorded in rows:
        running += amount
        if recorded != running:
            gaps.append(Gap(entry_id, at, running, recorded))
            running = recorded if recorded is not None else running
    return gaps
