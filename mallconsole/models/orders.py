"""Orders domain of the mall schema."""

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


class Order(Base):
    """Parent order entity representing the commercial contract created after successful
    authorization (or COD acceptance)."""

    __tablename__ = "shopping_mall_orders"

    id: Mapped[uuid_pk]
    shopping_mall_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    shopping_mall_shipping_address_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_user_addresses.id"), index=True
    )
    shopping_mall_billing_address_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_user_addresses.id"), index=True
    )
    order_number: Mapped[str] = mapped_column(unique=True)
    status: Mapped[str] = mapped_column(index=True)
    business_status: Mapped[str | None]
    currency: Mapped[str]
    subtotal: Mapped[Decimal]
    discount_total: Mapped[Decimal]
    shipping_total: Mapped[Decimal]
    tax_total: Mapped[Decimal]
    duty_total: Mapped[Decimal | None]
    grand_total: Mapped[Decimal]
    placed_at: Mapped[datetime] = mapped_column(index=True)
    expires_at: Mapped[datetime | None] = mapped_column(
        index=True
    )  # pending_payment orders expire (seed 000)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    version: Mapped[record_version]
    shipping_recipient: Mapped[str]
    shipping_phone: Mapped[str]
    shipping_address_line1: Mapped[str]
    shipping_address_line2: Mapped[str | None]
    shipping_city: Mapped[str]
    shipping_region: Mapped[str | None]
    shipping_postal_code: Mapped[str]
    shipping_country: Mapped[str]
    billing_recipient: Mapped[str | None]
    billing_phone: Mapped[str | None]
    billing_address_line1: Mapped[str | None]
    billing_address_line2: Mapped[str | None]
    billing_city: Mapped[str | None]
    billing_region: Mapped[str | None]
    billing_postal_code: Mapped[str | None]
    billing_country: Mapped[str | None]


class SellerOrder(Base):
    """Child order per seller/store to enable split fulfillment, partial captures, and per-
    seller KPIs."""

    __tablename__ = "shopping_mall_seller_orders"
    __table_args__ = (
        UniqueConstraint(
            "shopping_mall_order_id", "shopping_mall_store_id", name="uq_seller_orders_order_store"
        ),
    )

    id: Mapped[uuid_pk]
    shopping_mall_order_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_orders.id"), index=True
    )
    shopping_mall_store_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_stores.id"), index=True
    )
    seller_order_number: Mapped[str] = mapped_column(unique=True)
    status: Mapped[str] = mapped_column(index=True)
    currency: Mapped[str]
    subtotal: Mapped[Decimal]
    discount_total: Mapped[Decimal]
    shipping_total: Mapped[Decimal]
    tax_total: Mapped[Decimal]
    duty_total: Mapped[Decimal | None]
    grand_total: Mapped[Decimal]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class OrderItem(Base):
    """Order line items capturing immutable per-SKU snapshots at order time."""

    __tablename__ = "shopping_mall_order_items"
    __table_args__ = (
        UniqueConstraint("shopping_mall_order_id", "line_position", name="uq_order_items_position"),
    )

    id: Mapped[uuid_pk]
    shopping_mall_order_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_orders.id"), index=True
    )
    shopping_mall_seller_order_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_seller_orders.id"), index=True
    )
    shopping_mall_sku_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_skus.id"), index=True
    )
    line_position: Mapped[int]
    product_name: Mapped[str]
    sku_name: Mapped[str | None]
    option_summary: Mapped[str | None]
    quantity: Mapped[int]
    unit_price: Mapped[Decimal]
    unit_discount: Mapped[Decimal]
    unit_tax: Mapped[Decimal]
    line_subtotal: Mapped[Decimal]
    line_discount_total: Mapped[Decimal]
    line_tax_total: Mapped[Decimal]
    line_grand_total: Mapped[Decimal]
    currency: Mapped[str]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class OrderItemAllocation(Base):
    """Mapping table linking order line items to inventory allocation records for
    auditability of stock commitments."""

    __tablename__ = "shopping_mall_order_item_allocations"

    id: Mapped[uuid_pk]
    shopping_mall_order_item_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_order_items.id"), index=True
    )
    shopping_mall_inventory_allocation_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_inventory_allocations.id"), index=True
    )
    quantity: Mapped[int]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class OrderStatusHistory(Base):
    """Append-only snapshot of order status transitions for audit trails and customer/staff
    timelines."""

    __tablename__ = "shopping_mall_order_status_history"

    id: Mapped[uuid_pk]
    shopping_mall_order_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_orders.id"), index=True
    )
    triggered_by_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    status: Mapped[str] = mapped_column(index=True)
    business_status: Mapped[str | None]
    reason: Mapped[str | None]
    note: Mapped[str | None]
    recorded_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class OrderSequence(Base):
    """System-maintained daily sequence counter to generate deterministic order numbers
    (e.g., ORD-YYYYMMDD-NNNNNN)."""

    __tablename__ = "shopping_mall_order_sequences"

    id: Mapped[uuid_pk]
    sequence_yyyymmdd: Mapped[str] = mapped_column(unique=True)
    last_value: Mapped[int]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
