"""Coupons domain of the mall schema."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
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


class Promotion(Base):
    """Master record for platform promotions/discount programs."""

    __tablename__ = "shopping_mall_promotions"
    __table_args__ = (
        CheckConstraint(
            "remaining_quantity >= 0 AND remaining_quantity <= initial_quantity",
            name="ck_promotions_issue_quantity",
        ),
    )

    id: Mapped[uuid_pk]
    name: Mapped[str]
    description: Mapped[str | None]
    status: Mapped[str] = mapped_column(index=True)
    priority: Mapped[int] = mapped_column(index=True)
    exclusive: Mapped[bool]
    auto_apply: Mapped[bool]
    discount_type: Mapped[str]
    discount_percentage: Mapped[Decimal | None] = mapped_column(Exact(7, 4))
    discount_amount: Mapped[Decimal | None]
    currency: Mapped[str | None]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    max_redemptions_total: Mapped[int | None]
    max_redemptions_per_customer: Mapped[int | None]
    initial_quantity: Mapped[
        int | None
    ]  # limited-quantity coupon campaigns (seed 000 COUPONS.initial_quantity)
    remaining_quantity: Mapped[int | None]  # coupons still to issue (seed 000 COUPONS.quantity)
    max_discount_amount: Mapped[Decimal | None]  # cap on a percentage discount (seed 000)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    version: Mapped[record_version]


class PromotionRule(Base):
    """Rule records that define eligibility filters and benefit scoping for a
    shopping_mall_promotions."""

    __tablename__ = "shopping_mall_promotion_rules"

    id: Mapped[uuid_pk]
    shopping_mall_promotion_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_promotions.id"), index=True
    )
    shopping_mall_category_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_categories.id"), index=True
    )
    shopping_mall_product_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_products.id"), index=True
    )
    shopping_mall_sku_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_skus.id"), index=True
    )
    shopping_mall_seller_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_sellers.id"), index=True
    )
    rule_type: Mapped[str]
    attribute: Mapped[str]
    operator: Mapped[str]
    value_string: Mapped[str | None]
    value_int: Mapped[int | None]
    value_double: Mapped[Decimal | None] = mapped_column(Exact(19, 4))
    min_subtotal: Mapped[Decimal | None]
    min_quantity: Mapped[int | None]
    customer_segment: Mapped[str | None]
    new_customer_only: Mapped[bool | None]
    first_order_only: Mapped[bool | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class Coupon(Base):
    """Coupon definitions, optionally linked to a shopping_mall_promotions."""

    __tablename__ = "shopping_mall_coupons"

    id: Mapped[uuid_pk]
    shopping_mall_promotion_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_promotions.id"), index=True
    )
    shopping_mall_customer_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_customer.id"), index=True
    )
    code: Mapped[str] = mapped_column(unique=True)
    status: Mapped[str] = mapped_column(index=True)
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    max_redemptions_total: Mapped[int | None]
    max_redemptions_per_customer: Mapped[int | None]
    single_use: Mapped[bool]
    one_per_order: Mapped[bool]
    usable_from: Mapped[datetime | None]  # usable window of an issued coupon (seed 000)
    usable_to: Mapped[datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    version: Mapped[record_version]


class CouponRedemption(Base):
    """Immutable log of coupon redemption attempts/outcomes."""

    __tablename__ = "shopping_mall_coupon_redemptions"
    __table_args__ = (
        UniqueConstraint(
            "shopping_mall_coupon_id", "shopping_mall_order_id", name="uq_coupon_redemptions_order"
        ),
        UniqueConstraint(
            "shopping_mall_coupon_id", "shopping_mall_cart_id", name="uq_coupon_redemptions_cart"
        ),
    )

    id: Mapped[uuid_pk]
    shopping_mall_coupon_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_coupons.id"), index=True
    )
    shopping_mall_customer_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_customer.id"), index=True
    )
    shopping_mall_order_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_orders.id"), index=True
    )
    shopping_mall_cart_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_carts.id"), index=True
    )
    redeemed_at: Mapped[datetime] = mapped_column(index=True)
    amount_applied: Mapped[Decimal | None]
    currency: Mapped[str | None]
    status: Mapped[str] = mapped_column(index=True)
    revoked_at: Mapped[datetime | None]
    reason: Mapped[str | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class PromotionApplication(Base):
    """Immutable records of concrete promotion application instances on carts, orders, or
    specific line items."""

    __tablename__ = "shopping_mall_promotion_applications"

    id: Mapped[uuid_pk]
    shopping_mall_promotion_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_promotions.id"), index=True
    )
    shopping_mall_coupon_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_coupons.id"), index=True
    )
    shopping_mall_cart_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_carts.id"), index=True
    )
    shopping_mall_order_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_orders.id"), index=True
    )
    shopping_mall_order_item_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_order_items.id"), index=True
    )
    shopping_mall_cart_item_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_cart_items.id"), index=True
    )
    shopping_mall_seller_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_sellers.id"), index=True
    )
    applied_at: Mapped[datetime] = mapped_column(index=True)
    scope: Mapped[str]
    amount_applied: Mapped[Decimal | None]
    currency: Mapped[str | None]
    reason: Mapped[str | None]
    reversed_at: Mapped[datetime | None]
    idempotency_key: Mapped[str | None] = mapped_column(unique=True)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
