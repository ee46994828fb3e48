"""Carts domain of the mall schema."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from mallconsole.models.base import Base, created_at, deleted_at, updated_at, uuid_pk


class Cart(Base):
    """Shopping cart aggregate for guest or authenticated customer."""

    __tablename__ = "shopping_mall_carts"

    id: Mapped[uuid_pk]
    shopping_mall_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    shopping_mall_guest_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_guest.id"), index=True
    )
    source_cart_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_carts.id"), index=True
    )
    device_token: Mapped[str | None]
    is_active: Mapped[bool]
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    last_recalculated_at: Mapped[datetime | None]
    merged_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class CartItem(Base):
    """Line items within a shopping cart."""

    __tablename__ = "shopping_mall_cart_items"
    __table_args__ = (
        UniqueConstraint("shopping_mall_cart_id", "shopping_mall_sku_id", name="uq_cart_items_sku"),
    )

    id: Mapped[uuid_pk]
    shopping_mall_cart_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_carts.id"), index=True
    )
    shopping_mall_sku_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_skus.id"), index=True
    )
    quantity: Mapped[int]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class CartCoupon(Base):
    """Junction table recording coupons attached to a cart."""

    __tablename__ = "shopping_mall_cart_coupons"
    __table_args__ = (
        UniqueConstraint(
            "shopping_mall_cart_id", "shopping_mall_coupon_id", name="uq_cart_coupons_pair"
        ),
    )

    id: Mapped[uuid_pk]
    shopping_mall_cart_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_carts.id"), index=True
    )
    shopping_mall_coupon_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_coupons.id"), index=True
    )
    applied_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class Wishlist(Base):
    """Wishlist container owned by a user or guest."""

    __tablename__ = "shopping_mall_wishlists"
    __table_args__ = (
        Index(
            "uq_wishlists_user_name",
            "shopping_mall_user_id",
            "name",
            unique=True,
            sqlite_where=text("shopping_mall_user_id IS NOT NULL AND deleted_at IS NULL"),
            postgresql_where=text("shopping_mall_user_id IS NOT NULL AND deleted_at IS NULL"),
        ),
        Index(
            "uq_wishlists_guest_name",
            "shopping_mall_guest_id",
            "name",
            unique=True,
            sqlite_where=text("shopping_mall_guest_id IS NOT NULL AND deleted_at IS NULL"),
            postgresql_where=text("shopping_mall_guest_id IS NOT NULL AND deleted_at IS NULL"),
        ),
    )

    id: Mapped[uuid_pk]
    shopping_mall_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    shopping_mall_guest_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_guest.id"), index=True
    )
    name: Mapped[str]
    is_default: Mapped[bool]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class WishlistItem(Base):
    """Items saved in a wishlist."""

    __tablename__ = "shopping_mall_wishlist_items"
    __table_args__ = (
        UniqueConstraint(
            "shopping_mall_wishlist_id", "shopping_mall_sku_id", name="uq_wishlist_items_sku"
        ),
    )

    id: Mapped[uuid_pk]
    shopping_mall_wishlist_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_wishlists.id"), index=True
    )
    shopping_mall_sku_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_skus.id"), index=True
    )
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class AbandonedCartEvent(Base):
    """Event log capturing cart abandonment lifecycle for remarketing consent workflows and
    audit."""

    __tablename__ = "shopping_mall_abandoned_cart_events"

    id: Mapped[uuid_pk]
    shopping_mall_cart_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_carts.id"), index=True
    )
    event_type: Mapped[str]
    reason_code: Mapped[str | None]
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
