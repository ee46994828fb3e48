"""Payments domain of the mall schema."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from mallconsole.models.base import Base, created_at, deleted_at, updated_at, uuid_pk


class Payment(Base):
    """Payment entity representing the financial transaction intent and lifecycle for an
    order."""

    __tablename__ = "shopping_mall_payments"

    id: Mapped[uuid_pk]
    shopping_mall_order_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_orders.id"), unique=True
    )
    shopping_mall_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    shopping_mall_payment_method_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_payment_methods.id"), index=True
    )
    provider: Mapped[str]
    method_type: Mapped[str]
    amount: Mapped[Decimal]
    currency: Mapped[str]
    status: Mapped[str] = mapped_column(index=True)
    intent: Mapped[str]
    idempotency_key: Mapped[str | None] = mapped_column(unique=True)
    provider_payment_id: Mapped[str | None] = mapped_column(unique=True)
    client_reference_id: Mapped[str | None] = mapped_column(unique=True)
    requires_action: Mapped[bool]
    failure_category: Mapped[str | None]
    description: Mapped[str | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class PaymentAuthorization(Base):
    """Authorization attempts and outcomes for a shopping_mall_payments."""

    __tablename__ = "shopping_mall_payment_authorizations"

    id: Mapped[uuid_pk]
    shopping_mall_payment_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_payments.id"), index=True
    )
    amount: Mapped[Decimal]
    currency: Mapped[str]
    status: Mapped[str] = mapped_column(index=True)
    provider_reference: Mapped[str | None] = mapped_column(unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(unique=True)
    authorized_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    failure_category: Mapped[str | None]
    step_up_required: Mapped[bool]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class PaymentCapture(Base):
    """Capture records for a shopping_mall_payments."""

    __tablename__ = "shopping_mall_payment_captures"

    id: Mapped[uuid_pk]
    shopping_mall_payment_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_payments.id"), index=True
    )
    shopping_mall_shipment_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_shipments.id"), index=True
    )
    amount: Mapped[Decimal]
    currency: Mapped[str]
    status: Mapped[str] = mapped_column(index=True)
    provider_reference: Mapped[str | None] = mapped_column(unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(unique=True)
    captured_at: Mapped[datetime | None]
    failure_category: Mapped[str | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class PaymentRefund(Base):
    """Refund execution records for a shopping_mall_payments."""

    __tablename__ = "shopping_mall_payment_refunds"

    id: Mapped[uuid_pk]
    shopping_mall_payment_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_payments.id"), index=True
    )
    shopping_mall_payment_capture_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_payment_captures.id"), index=True
    )
    shopping_mall_refund_request_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_refund_requests.id"), index=True
    )
    amount: Mapped[Decimal]
    currency: Mapped[str]
    status: Mapped[str] = mapped_column(index=True)
    reason_category: Mapped[str | None]
    provider_reference: Mapped[str | None] = mapped_column(unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(unique=True)
    refunded_at: Mapped[datetime | None]
    failure_category: Mapped[str | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class PaymentMethod(Base):
    """Saved payment methods (tokenized) owned by users."""

    __tablename__ = "shopping_mall_payment_methods"
    __table_args__ = (
        UniqueConstraint(
            "shopping_mall_user_id", "fingerprint", name="uq_payment_methods_fingerprint"
        ),
    )

    id: Mapped[uuid_pk]
    shopping_mall_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    shopping_mall_user_address_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_user_addresses.id"), index=True
    )
    method_type: Mapped[str]
    display_name: Mapped[str | None]
    last4: Mapped[str | None]
    exp_month: Mapped[int | None]
    exp_year: Mapped[int | None]
    fingerprint: Mapped[str | None]
    provider_reference: Mapped[str] = mapped_column(unique=True)
    default_method: Mapped[bool]
    active: Mapped[bool]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class PaymentEvent(Base):
    """Normalized provider and internal payment-related events for shopping_mall_payments."""

    __tablename__ = "shopping_mall_payment_events"

    id: Mapped[uuid_pk]
    shopping_mall_payment_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_payments.id"), index=True
    )
    shopping_mall_payment_authorization_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_payment_authorizations.id"), index=True
    )
    shopping_mall_payment_capture_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_payment_captures.id"), index=True
    )
    shopping_mall_payment_refund_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_payment_refunds.id"), index=True
    )
    type: Mapped[str]
    provider_event_id: Mapped[str | None] = mapped_column(unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(unique=True)
    raw_type: Mapped[str | None]
    status: Mapped[str | None] = mapped_column(index=True)
    payload_uri: Mapped[str | None] = mapped_column(String(80000))
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    processed: Mapped[bool]
    error_category: Mapped[str | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
