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

from sqlalchemy import func, or_, select

from mallconsole.core import states
from mallconsole.core.errors import NotFound, ValidationError
from mallconsole.core.text import LIKE_ESCAPE, like_pattern
from mallconsole.models import Seller, SellerLedgerEntry, utcnow
from mallconsole.services.kit import versions
from mallconsole.services.kit.pagination import SortKey, capped_count, keyset_page

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
    currency = currency.upper()  # ``usd`` continues the USD balance
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
        currency=currency,
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


# --- reading: the ledger screens -----------------------------------------------------------------

ENTRY_LABELS = {
    "sale": "Sale",
    "fee": "Fee",
    "refund": "Refund",
    "fee_reversal": "Fee given back",
    "chargeback": "Chargeback",
    "chargeback_reversal": "Chargeback reversed",
    "reserve_hold": "Reserve hold",
    "reserve_release": "Reserve release",
}
SOURCE_LABELS = {
    "capture": "Payment capture",
    "refund": "Refund",
    "chargeback": "Chargeback",
    "reserve": "Reserve",
}
ENTRY_ID = SellerLedgerEntry.id
ENTRY_SORTS = (SortKey("occurred", "Occurred", SellerLedgerEntry.occurred_at, kind=datetime),)
SELLER_ID = Seller.id
SELLER_SORTS = (SortKey("name", "Seller", Seller.display_name),)


def entry_label(entry_type: str) -> str:
    return ENTRY_LABELS.get(entry_type) or states.in_words(entry_type)


def source_label(source_type: str) -> str:
    return SOURCE_LABELS.get(source_type) or states.in_words(source_type)


def entries_statement(seller_id: str, currency: str, filters: dict):
    """A seller's entries in ``currency`` with the screen's filters (type, source, and the
    moments ``since`` (included) and ``until`` (excluded): the reader's days, see
    ``timezones.day_range``)."""
    query = select(SellerLedgerEntry).where(
        SellerLedgerEntry.shopping_mall_seller_id == seller_id,
        SellerLedgerEntry.currency == currency,
        SellerLedgerEntry.deleted_at.is_(None),
    )
    if filters.get("entry_type"):
        query = query.where(SellerLedgerEntry.entry_type == filters["entry_type"])
    if filters.get("source_type"):
        query = query.where(SellerLedgerEntry.source_type == filters["source_type"])
    if filters.get("since"):
        query = query.where(SellerLedgerEntry.occurred_at >= filters["since"])
    if filters.get("until"):
        query = query.where(SellerLedgerEntry.occurred_at < filters["until"])
    return query


@dataclass(frozen=True)
class EntryRow:
    entry: SellerLedgerEntry
    payout_id: str | None
    payout_number: str | None

    @property
    def type_label(self) -> str:
        return entry_label(self.entry.entry_type)

    @property
    def source_label(self) -> str:
        return source_label(self.entry.source_type)


def entry_page(session, seller_id, currency, filters, ordering, *, cursor, limit):
    """One page of a seller's entries, each with the payout that paid it (if any)."""
    from mallconsole.models import Payout, PayoutItem

    page = keyset_page(
        session,
        entries_statement(seller_id, currency, filters),
        ordering,
        cursor=cursor,
        limit=limit,
    )
    ids = [e.id for e in page.rows]
    paid = {}
    if ids:
        paid = {
            entry_id: (payout_id, number)
            for entry_id, payout_id, number in session.execute(
                select(PayoutItem.shopping_mall_seller_ledger_id, Payout.id, Payout.payout_number)
                .join(Payout, Payout.id == PayoutItem.shopping_mall_payout_id)
                .where(PayoutItem.shopping_mall_seller_ledger_id.in_(ids))
            ).all()
        }
    page.rows = [EntryRow(e, *paid.get(e.id, (None, None))) for e in page.rows]
    return page


def count_entries(session, seller_id, currency, filters):
    statement = entries_statement(seller_id, currency, filters).with_only_columns(
        SellerLedgerEntry.id
    )
    return capped_count(session, statement)


def currencies(session, seller_id: str) -> list[str]:
    """The currencies a seller's ledger has entries in (USD first when present)."""
    found = session.scalars(
        select(SellerLedgerEntry.currency)
        .where(SellerLedgerEntry.shopping_mall_seller_id == seller_id)
        .distinct()
    ).all()
    return sorted(found, key=lambda c: (c != "USD", c))


def get_seller(session, seller_id: str) -> Seller:
    seller = session.get(Seller, seller_id)
    if seller is None:
        seller = session.scalars(select(Seller).where(Seller.seller_code == seller_id)).first()
    if seller is None or seller.deleted_at is not None:
        raise NotFound("That seller does not exist.")
    return seller


def sellers_statement(filters: dict):
    query = select(Seller).where(Seller.deleted_at.is_(None))
    if filters.get("q"):
        text = like_pattern(filters["q"].strip())
        query = query.where(
            or_(
                Seller.display_name.ilike(text, escape=LIKE_ESCAPE),
                Seller.seller_code.ilike(text, escape=LIKE_ESCAPE),
            )
        )
    if filters.get("state"):
        query = query.where(Seller.state == filters["state"])
    return query


@dataclass(frozen=True)
class SellerRow:
    seller: Seller
    balances: list[tuple[str, Decimal]]
    last_entry_at: datetime | None


def seller_page(session, filters, ordering, *, cursor, limit):
    """Sellers with their balance per currency (newest entry of each): two queries a page."""
    page = keyset_page(session, sellers_statement(filters), ordering, cursor=cursor, limit=limit)
    ids = [s.id for s in page.rows]
    newest = {}
    if ids:
        latest = (
            select(
                SellerLedgerEntry.shopping_mall_seller_id.label("seller_id"),
                SellerLedgerEntry.currency.label("currency"),
                func.max(SellerLedgerEntry.occurred_at).label("at"),
            )
            .where(
                SellerLedgerEntry.shopping_mall_seller_id.in_(ids),
                SellerLedgerEntry.deleted_at.is_(None),
            )
            .group_by(SellerLedgerEntry.shopping_mall_seller_id, SellerLedgerEntry.currency)
            .subquery()
        )
        for seller_id, currency, amount, at in session.execute(
            select(
                SellerLedgerEntry.shopping_mall_seller_id,
                SellerLedgerEntry.currency,
                SellerLedgerEntry.balance_after,
                SellerLedgerEntry.occurred_at,
            ).join(
                latest,
                (latest.c.seller_id == SellerLedgerEntry.shopping_mall_seller_id)
                & (latest.c.currency == SellerLedgerEntry.currency)
                & (latest.c.at == SellerLedgerEntry.occurred_at),
            )
        ).all():
            newest.setdefault(seller_id, []).append((currency, amount or ZERO, at))
    rows = []
    for seller in page.rows:
        found = sorted(newest.get(seller.id, []))
        rows.append(
            SellerRow(
                seller,
                [(c, a) for c, a, _ in found],
                max((at for _, _, at in found), default=None),
            )
        )
    page.rows = rows
    return page


def count_sellers(session, filters):
    return capped_count(session, sellers_statement(filters).with_only_columns(Seller.id))
