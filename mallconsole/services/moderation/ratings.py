"""Product-level rating roll-ups: ``mv_shopping_mall_product_rating_aggregates``.

On PostgreSQL it is a materialized view refreshed concurrently (readers are not blocked);
on SQLite a plain table rebuilt from the same query. Both are refreshed by a job, not inside
each moderation decision; the SKU-level table is kept current by the decision itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import func, select, text

from mallconsole.models import RatingAggregate, Review, ReviewModeration, new_id
from mallconsole.services.kit.database import dialect_insert

MATERIALIZED_VIEW = "mv_shopping_mall_product_rating_aggregates"

# Weighted by review count so the product average equals the average of its reviews.
PRODUCT_ROLLUP_SELECT = """
SELECT
    product_id AS id,
    product_id,
    CAST(CASE WHEN SUM(total_reviews) > 0
         THEN ROUND(SUM(average_rating * total_reviews) / SUM(total_reviews), 4)
         ELSE 0 END AS NUMERIC(6, 4)) AS average_rating,
    CAST(SUM(total_reviews) AS INTEGER) AS total_reviews,
    CAST(SUM(ratings_1_count) AS INTEGER) AS ratings_1_count,
    CAST(SUM(ratings_2_count) AS INTEGER) AS ratings_2_count,
    CAST(SUM(ratings_3_count) AS INTEGER) AS ratings_3_count,
    CAST(SUM(ratings_4_count) AS INTEGER) AS ratings_4_count,
    CAST(SUM(ratings_5_count) AS INTEGER) AS ratings_5_count,
    MAX(last_approved_review_at) AS last_approved_review_at,
    MIN(created_at) AS created_at,
    CURRENT_TIMESTAMP AS updated_at
FROM shopping_mall_rating_aggregates
GROUP BY product_id
"""


def refresh_product_rating_aggregates(session) -> None:
    """Rebuild the product-level roll-up from the SKU-level aggregates."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"REFRESH MATERIALIZED VIEW CONCURRENTLY {MATERIALIZED_VIEW}"))
        return
    session.execute(text(f"DELETE FROM {MATERIALIZED_VIEW}"))
    session.execute(text(f"INSERT INTO {MATERIALIZED_VIEW} {PRODUCT_ROLLUP_SELECT}"))


def product_rollup_count(session) -> int:
    """How many products the roll-up holds (the refresh job's count)."""
    return session.execute(text(f"SELECT COUNT(*) FROM {MATERIALIZED_VIEW}")).scalar_one()


# --- SKU-level aggregates: exact, kept current by each moderation decision ---------------------


@dataclass(frozen=True)
class SkuRatings:
    """What ``shopping_mall_rating_aggregates`` holds for one SKU, computed from its reviews."""

    average_rating: Decimal
    total_reviews: int
    buckets: tuple[int, int, int, int, int]  # 1..5 stars; half stars count in the lower bucket
    last_approved_review_at: datetime | None

    def columns(self) -> dict:
        return {
            "average_rating": self.average_rating,
            "total_reviews": self.total_reviews,
            **{f"ratings_{n}_count": self.buckets[n - 1] for n in range(1, 6)},
            "last_approved_review_at": self.last_approved_review_at,
        }


EMPTY = SkuRatings(Decimal("0.0000"), 0, (0, 0, 0, 0, 0), None)
AVERAGE_PLACES = Decimal("0.0001")
_APPROVED = (Review.state == "approved", Review.deleted_at.is_(None))


def star_bucket(rating: Decimal) -> int:
    """The star bucket of a rating: 4.5 counts as 4 (at least 1, at most 5)."""
    return min(5, max(1, int(Decimal(str(rating)))))


def _summarize(ratings: dict, last) -> SkuRatings:
    """``ratings``: {rating: how many approved reviews gave it}."""
    total = sum(ratings.values())
    if not total:
        return EMPTY
    buckets = [0, 0, 0, 0, 0]
    points = Decimal(0)
    for rating, count in ratings.items():
        exact = Decimal(str(rating))  # SQLite hands back floats; the ratings are halves
        buckets[star_bucket(exact) - 1] += count
        points += exact * count
    average = (points / total).quantize(AVERAGE_PLACES, rounding=ROUND_HALF_EVEN)
    return SkuRatings(average, total, tuple(buckets), last)


def _last_approval():
    """When each approved review was approved: its effective approve decision."""
    return (
        select(Review.sku_id, func.max(ReviewModeration.created_at).label("last"))
        .join(ReviewModeration, ReviewModeration.shopping_mall_review_id == Review.id)
        .where(
            *_APPROVED,
            ReviewModeration.effective.is_(True),
            ReviewModeration.decision == "approve",
        )
        .group_by(Review.sku_id)
    )


def sku_ratings(session, sku_id: str) -> SkuRatings:
    """The SKU's ratings recomputed from its approved reviews (two indexed queries)."""
    counts = dict(
        session.execute(
            select(Review.rating, func.count())
            .where(Review.sku_id == sku_id, *_APPROVED)
            .group_by(Review.rating)
        ).all()
    )
    last = session.execute(_last_approval().where(Review.sku_id == sku_id)).first()
    return _summarize(counts, last.last if last else None)


def recompute_sku_ratings(session) -> dict[tuple[str, str], SkuRatings]:
    """Every SKU's ratings recomputed from the reviews: {(product id, sku id): ratings}; SKUs
    without approved reviews are left out (an aggregate row of zeros says the same)."""
    per_sku: dict[tuple[str, str], dict] = {}
    for product_id, sku_id, rating, count in session.execute(
        select(Review.product_id, Review.sku_id, Review.rating, func.count())
        .where(*_APPROVED)
        .group_by(Review.product_id, Review.sku_id, Review.rating)
    ):
        per_sku.setdefault((product_id, sku_id), {})[rating] = count
    last = dict(session.execute(_last_approval()).all())
    return {key: _summarize(counts, last.get(key[1])) for key, counts in per_sku.items()}


def stored_sku_ratings(session) -> dict[tuple[str, str], SkuRatings]:
    """What the aggregate table holds, in the same shape (rows of zero reviews left out)."""
    found = {}
    for row in session.scalars(select(RatingAggregate).where(RatingAggregate.total_reviews > 0)):
        found[(row.product_id, row.sku_id)] = SkuRatings(
            Decimal(str(row.average_rating)).quantize(AVERAGE_PLACES),
            row.total_reviews,
            tuple(getattr(row, f"ratings_{n}_count") for n in range(1, 6)),
            row.last_approved_review_at,
        )
    return found


def update_sku_aggregate(session, *, product_id: str, sku_id: str, now: datetime) -> SkuRatings:
    """Bring the SKU's aggregate row up to date inside the caller's transaction.

    The row is created if missing (an insert that yields to a concurrent one) and locked before
    the reviews are counted: two decisions on reviews of one SKU then count one after the
    other, and on PostgreSQL the second count sees the first decision once it has committed.
    """
    insert = dialect_insert(session.get_bind(), RatingAggregate)
    session.execute(
        insert.values(
            id=new_id(),
            product_id=product_id,
            sku_id=sku_id,
            created_at=now,
            updated_at=now,
            **EMPTY.columns(),
        ).on_conflict_do_nothing(index_elements=["product_id", "sku_id"])
    )
    row = session.execute(
        select(RatingAggregate)
        .where(RatingAggregate.product_id == product_id, RatingAggregate.sku_id == sku_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    session.flush()  # the decision's own changes, before they are counted
    fresh = sku_ratings(session, sku_id)
    for column, value in fresh.columns().items():
        setattr(row, column, value)
    row.updated_at = now
    return fresh


def rebuild_sku_aggregates(session, *, now: datetime) -> int:
    """Rewrite every SKU aggregate row from the reviews (repair); how many rows changed."""
    fresh = recompute_sku_ratings(session)
    changed = 0
    for row in session.scalars(select(RatingAggregate).with_for_update()):
        expected = fresh.pop((row.product_id, row.sku_id), EMPTY).columns()
        if any(getattr(row, column) != value for column, value in expected.items()):
            for column, value in expected.items():
                setattr(row, column, value)
            row.updated_at = now
            changed += 1
    for (product_id, sku_id), ratings in fresh.items():
        row = RatingAggregate(product_id=product_id, sku_id=sku_id, **ratings.columns())
        row.updated_at = now
        session.add(row)
        changed += 1
    return changed
