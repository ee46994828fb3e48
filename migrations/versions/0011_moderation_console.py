"""Moderation queues answered in order from indexes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

Each queue of ``/moderation/reviews`` (and "Start moderating") reads its first items in its
order straight from an index, however many reviews were decided long ago:

- ``ix_reviews_pending_age`` (created_at, id) over live pending reviews: the pending queue,
  its oldest item, and the claims' order.
- ``ix_review_reports_open_review`` (review id) over open reports: which reviews are reported
  and how often (the reported queue), without reading resolved reports.
- ``ix_seller_replies_pending_age`` (created_at, id) over live pending replies.
- ``ix_review_moderations_effective`` (created_at, id) over effective decisions: recently
  decided, newest first.

The predicates are the queries' own (``services/review_queues``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_reviews_pending_age": (
        "shopping_mall_reviews",
        ["created_at", "id"],
        "state = 'pending' AND deleted_at IS NULL",
    ),
    "ix_review_reports_open_review": (
        "shopping_mall_review_reports",
        ["shopping_mall_review_id"],
        {
            "sqlite": "resolved = 0 AND deleted_at IS NULL",
            "postgresql": "resolved = false AND deleted_at IS NULL",
        },
    ),
    "ix_seller_replies_pending_age": (
        "shopping_mall_seller_replies",
        ["created_at", "id"],
        "state = 'pending' AND deleted_at IS NULL",
    ),
    "ix_review_moderations_effective": (
        "shopping_mall_review_moderations",
        ["created_at", "id"],
        {"sqlite": "effective = 1", "postgresql": "effective = true"},
    ),
}


def upgrade():
    for name, (table, columns, where) in INDEXES.items():
        sqlite_where, postgresql_where = (
            (where["sqlite"], where["postgresql"]) if isinstance(where, dict) else (where, where)
        )
        op.create_index(
            name,
            table,
            columns,
            sqlite_where=sa.text(sqlite_where),
            postgresql_where=sa.text(postgresql_where),
        )


def downgrade():
    for name, (table, _columns, _where) in INDEXES.items():
        op.drop_index(name, table_name=table)
