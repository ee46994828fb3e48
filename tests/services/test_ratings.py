from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from mallconsole.models import ProductRatingAggregate, RatingAggregate
from mallconsole.services.moderation.ratings import refresh_product_rating_aggregates
from tests.factories.records import build


def sku_aggregate(session, product, stars: dict[int, int], **values):
    """A SKU-level aggregate of a new SKU of ``product`` with ``stars`` = {star: count}."""
    sku = build(session, "shopping_mall_skus", shopping_mall_product_id=product.id)
    total = sum(stars.values())
    average = Decimal(sum(s * n for s, n in stars.items())) / total
    counts = {f"ratings_{s}_count": stars.get(s, 0) for s in range(1, 6)}
    return build(
        session,
        RatingAggregate,
        product_id=product.id,
        sku_id=sku.id,
        average_rating=average,
        total_reviews=total,
        **counts,
        **values,
    )


def product_rollup(session, product):
    return session.scalars(
        select(ProductRatingAggregate).where(ProductRatingAggregate.product_id == product.id)
    ).one()


def test_product_rollup_weights_sku_averages_by_review_count(session):
    product = build(session, "shopping_mall_products")
    latest = datetime(2026, 6, 1, 12, tzinfo=UTC)
    sku_aggregate(session, product, {5: 3}, last_approved_review_at=latest)
    sku_aggregate(session, product, {1: 1})

    refresh_product_rating_aggregates(session)

    row = product_rollup(session, product)
    assert row.average_rating == Decimal("4.0000")
    assert (row.total_reviews, row.ratings_5_count, row.ratings_1_count) == (4, 3, 1)
    assert row.last_approved_review_at == latest


def test_refresh_replaces_stale_rows(session):
    product = build(session, "shopping_mall_products")
    aggregate = sku_aggregate(session, product, {3: 1})
    refresh_product_rating_aggregates(session)
    assert product_rollup(session, product).total_reviews == 1

    aggregate.total_reviews, aggregate.ratings_3_count = 2, 2
    session.flush()
    refresh_product_rating_aggregates(session)
    session.expire_all()
    assert product_rollup(session, product).total_reviews == 2
