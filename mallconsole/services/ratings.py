"""Product-level rating roll-ups: ``mv_shopping_mall_product_rating_aggregates``.

On PostgreSQL it is a materialized view refreshed concurrently (readers are not blocked);
on SQLite a plain table rebuilt from the same query. Both are refreshed by a job, not inside
each moderation decision; the SKU-level table is kept current by the decision itself.
"""

from __future__ import annotations

from sqlalchemy import text

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
