"""Shipping domain of the mall schema."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
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


class Carrier(Base):
    """Registry of supported shipping carriers used for fulfillment and tracking."""

    __tablename__ = "shopping_mall_carriers"

    id: Mapped[uuid_pk]
    code: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    tracking_url_template: Mapped[str | None] = mapped_column(String(80000))
    phone: Mapped[str | None]
    active: Mapped[bool]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    version: Mapped[record_version]


class Shipment(Base):
    """Shipment entity representing a package or group of order items moving together under
    a carrier/tracking number."""

    __tablename__ = "shopping_mall_shipments"
    # The shipment list's default order, newest first, read from an index (revision 0016).
    __table_args__ = (Index("ix_shipments_created", "created_at", "id"),)

    id: Mapped[uuid_pk]
    shopping_mall_order_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_orders.id"), index=True
    )
    shopping_mall_store_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_stores.id"), index=True
    )
    shopping_mall_carrier_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_carriers.id"), index=True
    )
    shipment_number: Mapped[str] = mapped_column(unique=True)
    tracking_number: Mapped[str | None]
    tracking_url: Mapped[str | None] = mapped_column(String(80000))
    status: Mapped[str] = mapped_column(index=True)
    ship_from_name: Mapped[str | None]
    ship_from_phone: Mapped[str | None]
    ship_from_address_line1: Mapped[str | None]
    ship_from_address_line2: Mapped[str | None]
    ship_from_city: Mapped[str | None]
    ship_from_region: Mapped[str | None]
    ship_from_postal_code: Mapped[str | None]
    ship_from_country: Mapped[str | None]
    ship_to_name: Mapped[str | None]
    ship_to_phone: Mapped[str | None]
    ship_to_address_line1: Mapped[str | None]
    ship_to_address_line2: Mapped[str | None]
    ship_to_city: Mapped[str | None]
    ship_to_region: Mapped[str | None]
    ship_to_postal_code: Mapped[str | None]
    ship_to_country: Mapped[str | None]
    label_created_at: Mapped[datetime | None]
    picked_up_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    expected_delivery_start: Mapped[datetime | None]
    expected_delivery_end: Mapped[datetime | None]
    weight_kg: Mapped[Decimal | None] = mapped_column(Exact(12, 3))
    package_count: Mapped[int]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    version: Mapped[record_version]


class ShipmentItem(Base):
    """Shipment line items that specify how much of each order line is included in a
    shipment."""

    __tablename__ = "shopping_mall_shipment_items"
    __table_args__ = (
        UniqueConstraint(
            "shopping_mall_shipment_id",
            "shopping_mall_order_item_id",
            name="uq_shipment_items_line",
        ),
    )

    id: Mapped[uuid_pk]
    shopping_mall_shipment_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_shipments.id"), index=True
    )
    shopping_mall_order_item_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_order_items.id"), index=True
    )
    quantity: Mapped[int]
    weight_kg: Mapped[Decimal | None] = mapped_column(Exact(12, 3))
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class ShipmentEvent(Base):
    """Append-only canonical event timeline for shipments, used for customer updates, SLA
    tracking, and audit."""

    __tablename__ = "shopping_mall_shipment_events"
    __table_args__ = (
        UniqueConstraint(
            "shopping_mall_shipment_id", "correlation_id", name="uq_shipment_events_correlation"
        ),
        # A shipment's timeline in order, and "no carrier event since" (the exceptions queue's
        # stale rule) answered from one index range per shipment (revision 0016).
        Index("ix_shipment_events_shipment_at", "shopping_mall_shipment_id", "event_at"),
    )

    id: Mapped[uuid_pk]
    shopping_mall_shipment_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_shipments.id"), index=True
    )
    canonical_event: Mapped[str]
    event_at: Mapped[datetime] = mapped_column(index=True)
    location_description: Mapped[str | None]
    latitude: Mapped[Decimal | None] = mapped_column(Exact(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Exact(9, 6))
    raw_event_code: Mapped[str | None]
    raw_event_description: Mapped[str | None]
    raw_event_source: Mapped[str | None]
    customer_visible: Mapped[bool]
    correlation_id: Mapped[str | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class ReturnShipment(Base):
    """Return shipping parcels associated with a shopping_mall_return_requests."""

    __tablename__ = "shopping_mall_return_shipments"

    id: Mapped[uuid_pk]
    shopping_mall_return_request_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_return_requests.id"), index=True
    )
    shopping_mall_carrier_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_carriers.id"), index=True
    )
    tracking_number: Mapped[str]
    status: Mapped[str] = mapped_column(index=True)
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
