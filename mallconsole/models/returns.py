"""Returns domain of the mall schema."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from mallconsole.models.base import (
    Base,
    created_at,
    deleted_at,
    record_version,
    updated_at,
    uuid_pk,
)


class CancellationRequest(Base):
    """Represents a customer- or staff-initiated request to cancel an order before shipment."""

    __tablename__ = "shopping_mall_cancellation_requests"

    id: Mapped[uuid_pk]
    shopping_mall_order_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_orders.id"), index=True
    )
    requested_by_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    approved_by_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    cancellation_request_number: Mapped[str] = mapped_column(unique=True)
    status: Mapped[str] = mapped_column(index=True)
    reason_code: Mapped[str]
    reason_note: Mapped[str | None]
    decided_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    version: Mapped[record_version]
    # The support case it was raised from (revision 0007), so the two find each other.
    shopping_mall_support_case_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_support_cases.id"), index=True
    )


class ReturnRequest(Base):
    """Represents an RMA request raised after shipment/delivery for items to be returned and
    potentially refunded."""

    __tablename__ = "shopping_mall_return_requests"

    id: Mapped[uuid_pk]
    shopping_mall_order_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_orders.id"), index=True
    )
    requested_by_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    original_shipment_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_shipments.id"), index=True
    )
    rma_code: Mapped[str] = mapped_column(unique=True)
    status: Mapped[str] = mapped_column(index=True)
    reason_code: Mapped[str]
    reason_note: Mapped[str | None]
    decided_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    version: Mapped[record_version]
    # The support case it was raised from (revision 0007), so the two find each other.
    shopping_mall_support_case_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_support_cases.id"), index=True
    )


class ReturnItem(Base):
    """Line-level items under a return request capturing exact shopping_mall_order_items
    being returned, requested and approved quantities, condition/inspection outcomes, and
    refundable assessments."""

    __tablename__ = "shopping_mall_return_items"
    __table_args__ = (
        UniqueConstraint(
            "shopping_mall_return_request_id",
            "shopping_mall_order_item_id",
            name="uq_return_items_line",
        ),
    )

    id: Mapped[uuid_pk]
    shopping_mall_return_request_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_return_requests.id"), index=True
    )
    shopping_mall_order_item_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_order_items.id"), index=True
    )
    requested_quantity: Mapped[int]
    approved_quantity: Mapped[int | None]
    received_condition: Mapped[str | None]
    inspection_status: Mapped[str | None]
    inspection_note: Mapped[str | None]
    condition_note: Mapped[str | None]
    refundable_amount: Mapped[Decimal | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class RefundRequest(Base):
    """Represents a request to refund funds (full or partial) tied to an
    shopping_mall_orders snapshot, optionally originating from an approved
    shopping_mall_return_requests."""

    __tablename__ = "shopping_mall_refund_requests"

    id: Mapped[uuid_pk]
    shopping_mall_order_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_orders.id"), index=True
    )
    requested_by_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    approved_by_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    shopping_mall_return_request_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_return_requests.id"), index=True
    )
    refund_request_number: Mapped[str] = mapped_column(unique=True)
    status: Mapped[str] = mapped_column(index=True)
    reason_code: Mapped[str]
    reason_note: Mapped[str | None]
    total_requested_amount: Mapped[Decimal]
    approved_amount: Mapped[Decimal | None]
    currency: Mapped[str]
    decided_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    version: Mapped[record_version]
    # The support case it was raised from (revision 0007), so the two find each other.
    shopping_mall_support_case_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_support_cases.id"), index=True
    )


class RefundItem(Base):
    """Per-line breakdown for a shopping_mall_refund_requests, optionally tied to an
    shopping_mall_order_items when refunding a specific SKU line."""

    __tablename__ = "shopping_mall_refund_items"
    __table_args__ = (
        UniqueConstraint(
            "shopping_mall_refund_request_id",
            "shopping_mall_order_item_id",
            name="uq_refund_items_line",
        ),
    )

    id: Mapped[uuid_pk]
    shopping_mall_refund_request_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_refund_requests.id"), index=True
    )
    shopping_mall_order_item_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_order_items.id"), index=True
    )
    quantity: Mapped[int | None]
    amount: Mapped[Decimal]
    reason_code: Mapped[str]
    approval_status: Mapped[str | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
