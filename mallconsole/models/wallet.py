"""Store-credit wallet (seed 000: USER_BALANCES, USER_BALANCE_RECORDS)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mallconsole.models.base import Base, created_at, updated_at, uuid_pk

BALANCE_RECORD_TYPES = ("charge", "use", "refund", "adjust")


class UserBalance(Base):
    """A customer's store-credit balance in one currency; equals the sum of its records."""

    __tablename__ = "shopping_mall_user_balances"
    __table_args__ = (
        UniqueConstraint("shopping_mall_user_id", "currency", name="uq_user_balances_currency"),
        CheckConstraint("balance >= 0", name="balance_not_negative"),
    )

    id: Mapped[uuid_pk]
    shopping_mall_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    currency: Mapped[str] = mapped_column(String(3))
    balance: Mapped[Decimal]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class UserBalanceRecord(Base):
    """Append-only movement of a store-credit balance (signed amount and the balance after)."""

    __tablename__ = "shopping_mall_user_balance_records"
    __table_args__ = (
        CheckConstraint("type IN ('charge', 'use', 'refund', 'adjust')", name="type_known"),
    )

    id: Mapped[uuid_pk]
    shopping_mall_user_balance_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_user_balances.id"), index=True
    )
    type: Mapped[str] = mapped_column(String(10))
    amount: Mapped[Decimal]
    balance_after: Mapped[Decimal]
    shopping_mall_order_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_orders.id"), index=True
    )
    shopping_mall_payment_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_payments.id"), index=True
    )
    shopping_mall_refund_request_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_refund_requests.id"), index=True
    )
    actor_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    reason: Mapped[str | None]
    created_at: Mapped[created_at] = mapped_column(index=True)
