"""The uniqueness rules written in the schema's prose are database constraints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from mallconsole.models import utcnow
from tests.factories.records import build


def rejected(session, table, **values) -> bool:
    """Whether inserting a row of ``table`` with ``values`` violates a constraint."""
    try:
        with session.begin_nested():
            build(session, table, **values)
    except IntegrityError:
        return True
    return False


def test_configuration_key_is_unique_per_scope_including_the_global_scope(session):
    build(session, "shopping_mall_configurations", key="finance.x", scope=None)
    build(session, "shopping_mall_configurations", key="finance.x", scope="KR")
    assert rejected(session, "shopping_mall_configurations", key="finance.x", scope=None)
    assert rejected(session, "shopping_mall_configurations", key="finance.x", scope="KR")
    assert not rejected(session, "shopping_mall_configurations", key="finance.x", scope="US")


def test_soft_deleted_configuration_does_not_block_its_successor(session):
    build(session, "shopping_mall_configurations", key="k", scope=None, deleted_at=utcnow())
    assert not rejected(session, "shopping_mall_configurations", key="k", scope=None)


def test_category_name_and_slug_unique_within_parent_including_roots(session):
    build(session, "shopping_mall_categories", parent_id=None, name="Shoes", slug="shoes")
    assert rejected(session, "shopping_mall_categories", parent_id=None, name="Shoes", slug="s2")
    assert rejected(session, "shopping_mall_categories", parent_id=None, name="Boots", slug="shoes")
    parent = build(session, "shopping_mall_categories", parent_id=None, name="Men", slug="men")
    build(session, "shopping_mall_categories", parent_id=parent.id, name="Shoes", slug="shoes")
    assert rejected(
        session, "shopping_mall_categories", parent_id=parent.id, name="X", slug="shoes"
    )
    assert rejected(
        session, "shopping_mall_categories", parent_id=parent.id, name="Shoes", slug="y"
    )


PAIRS = [
    ("shopping_mall_product_categories", ["shopping_mall_product_id", "shopping_mall_category_id"]),
    ("shopping_mall_option_values", ["shopping_mall_option_type_id", "code"]),
    ("shopping_mall_product_options", ["shopping_mall_product_id", "display_order"]),
    ("shopping_mall_product_options", ["shopping_mall_product_id", "shopping_mall_option_type_id"]),
    ("shopping_mall_skus", ["shopping_mall_product_id", "combination_key"]),
    ("shopping_mall_sku_option_values", ["shopping_mall_sku_id", "shopping_mall_option_value_id"]),
    ("shopping_mall_sku_option_values", ["shopping_mall_sku_id", "shopping_mall_option_type_id"]),
    ("shopping_mall_inventory_locations", ["shopping_mall_store_id", "code"]),
    (
        "shopping_mall_inventory_records",
        ["shopping_mall_sku_id", "shopping_mall_inventory_location_id"],
    ),
    ("shopping_mall_cart_items", ["shopping_mall_cart_id", "shopping_mall_sku_id"]),
    ("shopping_mall_cart_coupons", ["shopping_mall_cart_id", "shopping_mall_coupon_id"]),
    ("shopping_mall_wishlist_items", ["shopping_mall_wishlist_id", "shopping_mall_sku_id"]),
    ("shopping_mall_consents", ["shopping_mall_user_id", "scope"]),
    ("shopping_mall_reviews", ["order_item_id"]),
    ("shopping_mall_seller_replies", ["shopping_mall_review_id"]),
    ("shopping_mall_review_media", ["shopping_mall_review_id", "uri"]),
    ("shopping_mall_product_media", ["shopping_mall_product_id", "uri"]),
    ("shopping_mall_product_media", ["shopping_mall_product_id", "display_order"]),
    ("shopping_mall_payout_items", ["shopping_mall_seller_ledger_id"]),
    ("shopping_mall_seller_orders", ["shopping_mall_order_id", "shopping_mall_store_id"]),
    ("shopping_mall_order_items", ["shopping_mall_order_id", "line_position"]),
    ("shopping_mall_policy_versions", ["shopping_mall_policy_id", "version"]),
    ("shopping_mall_user_balances", ["shopping_mall_user_id", "currency"]),
    ("shopping_mall_product_daily_sale_stats", ["shopping_mall_product_id", "aggregated_date"]),
    (
        "shopping_mall_product_interval_sale_stats",
        ["shopping_mall_product_id", "aggregated_from", "aggregated_to"],
    ),
    ("shopping_mall_users", ["email"]),
    ("shopping_mall_supportagent", ["shopping_mall_user_id"]),
]


@pytest.mark.parametrize(("table", "columns"), PAIRS, ids=[f"{t}:{'+'.join(c)}" for t, c in PAIRS])
def test_duplicate_is_rejected(session, table, columns):
    first = build(session, table)
    shared = {c: getattr(first, c) for c in columns}
    assert rejected(session, table, **shared)


def test_wishlist_names_are_unique_per_owner(session):
    user = build(session, "shopping_mall_users")
    build(session, "shopping_mall_wishlists", shopping_mall_user_id=user.id, name="Default")
    assert rejected(
        session, "shopping_mall_wishlists", shopping_mall_user_id=user.id, name="Default"
    )
    other = build(session, "shopping_mall_users")
    assert not rejected(
        session, "shopping_mall_wishlists", shopping_mall_user_id=other.id, name="Default"
    )


def test_coupon_redeemed_once_per_order(session):
    order = build(session, "shopping_mall_orders")
    coupon = build(session, "shopping_mall_coupons")
    values = {"shopping_mall_coupon_id": coupon.id, "shopping_mall_order_id": order.id}
    build(session, "shopping_mall_coupon_redemptions", **values)
    assert rejected(session, "shopping_mall_coupon_redemptions", **values)


def test_long_media_uri_is_deduplicated_through_its_hash(session):
    product = build(session, "shopping_mall_products")
    uri = "https://cdn.example.test/" + "x" * 20000
    build(session, "shopping_mall_product_media", shopping_mall_product_id=product.id, uri=uri)
    assert rejected(
        session,
        "shopping_mall_product_media",
        shopping_mall_product_id=product.id,
        uri=uri,
        display_order=7,
    )
    assert not rejected(
        session,
        "shopping_mall_product_media",
        shopping_mall_product_id=product.id,
        uri=uri + "y",
        display_order=8,
    )


def test_limited_coupon_campaign_cannot_issue_more_than_it_has(session):
    assert rejected(
        session,
        "shopping_mall_promotions",
        initial_quantity=10,
        remaining_quantity=11,
        starts_at=datetime.now(UTC),
        ends_at=datetime.now(UTC) + timedelta(days=3),
    )
    assert rejected(session, "shopping_mall_promotions", initial_quantity=10, remaining_quantity=-1)
    assert not rejected(
        session, "shopping_mall_promotions", initial_quantity=10, remaining_quantity=0
    )


def test_wallet_balance_cannot_go_negative(session):
    from decimal import Decimal

    assert rejected(session, "shopping_mall_user_balances", balance=Decimal("-0.01"))


def test_balance_record_type_is_one_of_the_seed_types(session):
    assert rejected(session, "shopping_mall_user_balance_records", type="gift")
    assert not rejected(session, "shopping_mall_user_balance_records", type="charge")
