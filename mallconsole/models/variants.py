"""Variants domain of the mall schema."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
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


class OptionType(Base):
    """Master catalog of variant option types (e.g., Color, Size) that define selectable
    dimensions for products and SKUs."""

    __tablename__ = "shopping_mall_option_types"

    id: Mapped[uuid_pk]
    code: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    description: Mapped[str | None]
    sort_order: Mapped[int]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class OptionValue(Base):
    """Concrete values under an option type (e.g., for shopping_mall_option_types Color →
    Red, Blue)."""

    __tablename__ = "shopping_mall_option_values"
    __table_args__ = (
        UniqueConstraint("shopping_mall_option_type_id", "code", name="uq_option_values_code"),
    )

    id: Mapped[uuid_pk]
    shopping_mall_option_type_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_option_types.id"), index=True
    )
    code: Mapped[str]
    value: Mapped[str]
    hex_color: Mapped[str | None]
    sort_order: Mapped[int]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class ProductOption(Base):
    """Declares which option types apply to a specific product."""

    __tablename__ = "shopping_mall_product_options"
    __table_args__ = (
        UniqueConstraint(
            "shopping_mall_product_id", "display_order", name="uq_product_options_order"
        ),
        UniqueConstraint(
            "shopping_mall_product_id",
            "shopping_mall_option_type_id",
            name="uq_product_options_type",
        ),
    )

    id: Mapped[uuid_pk]
    shopping_mall_product_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_products.id"), index=True
    )
    shopping_mall_option_type_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_option_types.id"), index=True
    )
    required: Mapped[bool]
    display_order: Mapped[int]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class Sku(Base):
    """Stock Keeping Units (SKUs) representing specific purchasable variants of a product."""

    __tablename__ = "shopping_mall_skus"
    __table_args__ = (
        UniqueConstraint("shopping_mall_product_id", "combination_key", name="uq_skus_combination"),
    )

    id: Mapped[uuid_pk]
    shopping_mall_product_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_products.id"), index=True
    )
    sku_code: Mapped[str] = mapped_column(unique=True)
    seller_sku_code: Mapped[str | None]
    status: Mapped[str] = mapped_column(index=True)
    base_price: Mapped[Decimal]
    currency: Mapped[str]
    barcode: Mapped[str | None]
    weight: Mapped[Decimal | None] = mapped_column(Exact(12, 3))
    length: Mapped[Decimal | None] = mapped_column(Exact(12, 3))
    width: Mapped[Decimal | None] = mapped_column(Exact(12, 3))
    height: Mapped[Decimal | None] = mapped_column(Exact(12, 3))
    combination_key: Mapped[str]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class SkuOptionValue(Base):
    """Junction mapping between shopping_mall_skus and shopping_mall_option_values that
    defines the concrete variant combination for a SKU."""

    __tablename__ = "shopping_mall_sku_option_values"
    __table_args__ = (
        UniqueConstraint(
            "shopping_mall_sku_id",
            "shopping_mall_option_value_id",
            name="uq_sku_option_values_value",
        ),
        UniqueConstraint(
            "shopping_mall_sku_id", "shopping_mall_option_type_id", name="uq_sku_option_values_type"
        ),
    )

    id: Mapped[uuid_pk]
    shopping_mall_sku_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_skus.id"), index=True
    )
    shopping_mall_option_value_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_option_values.id"), index=True
    )
    shopping_mall_option_type_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_option_types.id"), index=True
    )
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class InventoryLocation(Base):
    """Inventory locations (e.g., warehouses, stores, drop-ship nodes) that hold stock for
    sellers/stores."""

    __tablename__ = "shopping_mall_inventory_locations"
    __table_args__ = (
        UniqueConstraint("shopping_mall_store_id", "code", name="uq_inventory_locations_code"),
    )

    id: Mapped[uuid_pk]
    shopping_mall_store_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_stores.id"), index=True
    )
    code: Mapped[str]
    name: Mapped[str]
    address: Mapped[str | None]
    region: Mapped[str | None]
    active: Mapped[bool]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class InventoryRecord(Base):
    """Baseline inventory records capturing per-SKU per-location on-hand quantities and
    policy thresholds."""

    __tablename__ = "shopping_mall_inventory_records"
    __table_args__ = (
        UniqueConstraint(
            "shopping_mall_sku_id",
            "shopping_mall_inventory_location_id",
            name="uq_inventory_records_sku_location",
        ),
        # Low stock (operations home): only the rows at or below their safety threshold.
        Index(
            "ix_inventory_records_low_stock",
            "shopping_mall_sku_id",
            sqlite_where=text(
                "deleted_at IS NULL AND safety_stock_threshold >= on_hand - non_sellable"
            ),
            postgresql_where=text(
                "deleted_at IS NULL AND safety_stock_threshold >= on_hand - non_sellable"
            ),
        ),
    )

    id: Mapped[uuid_pk]
    shopping_mall_sku_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_skus.id"), index=True
    )
    shopping_mall_inventory_location_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_inventory_locations.id"), index=True
    )
    on_hand: Mapped[int]
    non_sellable: Mapped[int]
    safety_stock_threshold: Mapped[int]
    reorder_point: Mapped[int | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    version: Mapped[record_version]


class InventoryReservation(Base):
    """Temporary inventory holds created during checkout or payment authorization to prevent
    oversell."""

    __tablename__ = "shopping_mall_inventory_reservations"

    id: Mapped[uuid_pk]
    shopping_mall_sku_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_skus.id"), index=True
    )
    shopping_mall_inventory_location_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_inventory_locations.id"), index=True
    )
    shopping_mall_cart_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_carts.id"), index=True
    )
    shopping_mall_order_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_orders.id"), index=True
    )
    shopping_mall_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    reservation_token: Mapped[str] = mapped_column(unique=True)
    quantity: Mapped[int]
    status: Mapped[str] = mapped_column(index=True)
    reserved_at: Mapped[datetime]
    reservation_expires_at: Mapped[datetime] = mapped_column(index=True)
    released_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class InventoryAllocation(Base):
    """Committed quantities that deduct from available inventory after order confirmation."""

    __tablename__ = "shopping_mall_inventory_allocations"

    id: Mapped[uuid_pk]
    shopping_mall_sku_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_skus.id"), index=True
    )
    shopping_mall_inventory_location_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_inventory_locations.id"), index=True
    )
    shopping_mall_order_item_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_order_items.id"), index=True
    )
    allocation_reference: Mapped[str] = mapped_column(unique=True)
    quantity: Mapped[int]
    allocated_at: Mapped[datetime]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class InventoryAdjustment(Base):
    """Audit and control records capturing manual or system-driven inventory changes (delta-
    based) for a SKU at a location."""

    __tablename__ = "shopping_mall_inventory_adjustments"

    id: Mapped[uuid_pk]
    shopping_mall_sku_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_skus.id"), index=True
    )
    shopping_mall_inventory_location_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_inventory_locations.id"), index=True
    )
    adjusted_by_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    adjustment_reference: Mapped[str | None] = mapped_column(unique=True)
    delta: Mapped[int]
    reason_category: Mapped[str]
    reason_note: Mapped[str | None]
    adjusted_at: Mapped[datetime]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
