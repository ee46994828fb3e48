"""Finance domain of the mall schema."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    ForeignKey,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from mallconsole.models.base import (
    Base,
    Exact,
    created_at,
    deleted_at,
    record_version,
    updated_at,
    uuid_pk,
)


class SellerLedgerEntry(Base):
    """Seller ledger entries recording financial debits and credits per seller."""

    __tablename__ = "shopping_mall_seller_ledgers"

    id: Mapped[uuid_pk]
    shopping_mall_seller_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_sellers.id"), index=True
    )
    shopping_mall_order_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_orders.id"), index=True
    )
    shopping_mall_payment_capture_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_payment_captures.id"), index=True
    )
    shopping_mall_payment_refund_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_payment_refunds.id"), index=True
    )
    shopping_mall_chargeback_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_chargebacks.id"), index=True
    )
    entry_type: Mapped[str]
    source_type: Mapped[str]
    source_reference: Mapped[str | None]
    currency: Mapped[str]
    amount: Mapped[Decimal]
    balance_after: Mapped[Decimal | None]
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    note: Mapped[str | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class Payout(Base):
    """Payout batches to sellers summarizing captured funds less refunds, fees, and
    reserves."""

    __tablename__ = "shopping_mall_payouts"

    id: Mapped[uuid_pk]
    shopping_mall_seller_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_sellers.id"), index=True
    )
    shopping_mall_seller_payout_account_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_seller_payout_accounts.id"), index=True
    )
    payout_number: Mapped[str] = mapped_column(unique=True)
    status: Mapped[str] = mapped_column(index=True)
    currency: Mapped[str]
    period_start: Mapped[datetime | None]
    period_end: Mapped[datetime | None]
    scheduled_for: Mapped[datetime | None] = mapped_column(index=True)
    processed_at: Mapped[datetime | None]
    gross_amount: Mapped[Decimal]
    fees_amount: Mapped[Decimal]
    reserve_withheld: Mapped[Decimal]
    net_amount: Mapped[Decimal]
    note: Mapped[str | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    version: Mapped[record_version]


class PayoutItem(Base):
    """Line-level composition for payouts mapping seller ledger entries to a payout with the
    settled amount."""

    __tablename__ = "shopping_mall_payout_items"

    id: Mapped[uuid_pk]
    shopping_mall_payout_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_payouts.id"), index=True
    )
    shopping_mall_seller_ledger_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_seller_ledgers.id"), unique=True
    )
    amount: Mapped[Decimal]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class Reserve(Base):
    """Reserve holds applied to seller balances per policy (e.g., rolling reserves, case-
    specific holds)."""

    __tablename__ = "shopping_mall_reserves"

    id: Mapped[uuid_pk]
    shopping_mall_seller_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_sellers.id"), index=True
    )
    shopping_mall_order_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_orders.id"), index=True
    )
    released_shopping_mall_payout_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_payouts.id"), index=True
    )
    reserve_type: Mapped[str]
    policy_reference: Mapped[str | None]
    reason: Mapped[str | None]
    hold_percent: Mapped[Decimal | None] = mapped_column(Exact(7, 4))
    hold_amount: Mapped[Decimal | None]
    currency: Mapped[str]
    status: Mapped[str] = mapped_column(index=True)
    start_at: Mapped[datetime]
    release_at: Mapped[datetime | None]
    released_amount: Mapped[Decimal | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class Fee(Base):
    """Fee assessments charged to sellers (e.g., platform fees, dispute fees, payout fees)."""

    __tablename__ = "shopping_mall_fees"

    id: Mapped[uuid_pk]
    shopping_mall_seller_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_sellers.id"), index=True
    )
    shopping_mall_order_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_orders.id"), index=True
    )
    shopping_mall_payment_capture_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_payment_captures.id"), index=True
    )
    shopping_mall_payment_refund_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_payment_refunds.id"), index=True
    )
    shopping_mall_payout_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_payouts.id"), index=True
    )
    fee_type: Mapped[str]
    basis: Mapped[str | None]
    rate_percent: Mapped[Decimal | None] = mapped_column(Exact(7, 4))
    amount: Mapped[Decimal]
    currency: Mapped[str]
    description: Mapped[str | None]
    assessed_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class Chargeback(Base):
    """Chargeback cases raised by payment providers against a captured payment."""

    __tablename__ = "shopping_mall_chargebacks"

    id: Mapped[uuid_pk]
    shopping_mall_seller_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_sellers.id"), index=True
    )
    shopping_mall_order_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_orders.id"), index=True
    )
    shopping_mall_payment_capture_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_payment_captures.id"), index=True
    )
    shopping_mall_reserve_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_reserves.id"), index=True
    )
    shopping_mall_payout_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_payouts.id"), index=True
    )
    provider_reference: Mapped[str] = mapped_column(unique=True)
    status: Mapped[str] = mapped_column(index=True)
    reason_category: Mapped[str | None]
    amount: Mapped[Decimal]
    currency: Mapped[str]
    opened_at: Mapped[datetime] = mapped_column(index=True)
    responded_at: Mapped[datetime | None]
    respond_by: Mapped[datetime | None] = mapped_column(index=True)  # provider's response deadline
    closed_at: Mapped[datetime | None]
    notes: Mapped[str | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    version: Mapped[record_version]
