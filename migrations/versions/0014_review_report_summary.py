"""The reported queue read in its order from an index: each review carries its open reports.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07

``shopping_mall_reviews`` gains ``open_report_count``, ``first_open_report_at`` (the oldest
open report) and ``report_rank`` (more open reports first, then the longest waiting: count ×
10^10 − the first report's seconds since 1970; null without open reports), kept by triggers on
``shopping_mall_review_reports`` whoever writes the reports (the storefront files them, the
console resolves them). ``ix_reviews_reported_rank`` (report_rank, id) over reported live
reviews answers the reported queue and its count by reading only reported reviews, in order,
however many reviews and reports there are. ``ix_reviews_deleted`` holds the few deleted
reviews, so the seller-reply queue checks its replies' reviews are live without reading them all.

On PostgreSQL the trigger locks the review's row (``FOR NO KEY UPDATE``, which the report's
own foreign-key check does not block) before counting, so two reports filed at once both
count: the second counts after the first's commit, in a statement of its own.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

REPORTS = "shopping_mall_review_reports"
REVIEWS = "shopping_mall_reviews"
RANK_SCALE = 10_000_000_000


def _postgresql_summary(review: str) -> str:
    return f"""
    PERFORM 1 FROM {REVIEWS} WHERE id = {review} FOR NO KEY UPDATE;
    UPDATE {REVIEWS} r
       SET open_report_count = s.n,
           first_open_report_at = s.first,
           report_rank = CASE WHEN s.n > 0
                              THEN s.n * {RANK_SCALE} - CAST(floor(EXTRACT(EPOCH FROM s.first)) AS BIGINT)
                         END
      FROM (SELECT count(*) AS n, min(created_at) AS first FROM {REPORTS}
             WHERE shopping_mall_review_id = {review}
               AND resolved = false AND deleted_at IS NULL) s
     WHERE r.id = {review}
       AND (r.open_report_count, r.first_open_report_at) IS DISTINCT FROM (s.n, s.first);
    """


POSTGRESQL_FUNCTION = f"""
CREATE FUNCTION shopping_mall_review_report_summary() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {_postgresql_summary("OLD.shopping_mall_review_id")}
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE'
      AND NEW.shopping_mall_review_id IS DISTINCT FROM OLD.shopping_mall_review_id) THEN
    {_postgresql_summary("NEW.shopping_mall_review_id")}
  END IF;
  RETURN NULL;
END $$;
"""
POSTGRESQL_TRIGGER = f"""
CREATE TRIGGER tr_review_reports_summary AFTER INSERT OR UPDATE OR DELETE ON {REPORTS}
FOR EACH ROW EXECUTE FUNCTION shopping_mall_review_report_summary();
"""


def _sqlite_summary(review: str) -> str:
    open_reports = (
        f"FROM {REPORTS} WHERE shopping_mall_review_id = {review} "
        "AND resolved = 0 AND deleted_at IS NULL"
    )
    return f"""
    UPDATE {REVIEWS} SET
      open_report_count = (SELECT count(*) {open_reports}),
      first_open_report_at = (SELECT min(created_at) {open_reports}),
      report_rank = (SELECT CASE WHEN count(*) > 0
                     THEN count(*) * {RANK_SCALE} - CAST(strftime('%s', min(created_at)) AS INTEGER)
                     END {open_reports})
    WHERE id = {review};
    """


SQLITE_TRIGGERS = {
    "tr_review_reports_summary_insert": (
        "AFTER INSERT",
        _sqlite_summary("NEW.shopping_mall_review_id"),
    ),
    "tr_review_reports_summary_update": (
        "AFTER UPDATE",
        _sqlite_summary("OLD.shopping_mall_review_id")
        + _sqlite_summary("NEW.shopping_mall_review_id"),
    ),
    "tr_review_reports_summary_delete": (
        "AFTER DELETE",
        _sqlite_summary("OLD.shopping_mall_review_id"),
    ),
}


def create_triggers(bind) -> None:
    """The triggers on the reports that keep each review's summary of its open reports."""
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql(POSTGRESQL_FUNCTION)
        bind.exec_driver_sql(POSTGRESQL_TRIGGER)
    else:
        for name, (when, body) in SQLITE_TRIGGERS.items():
            bind.exec_driver_sql(f"CREATE TRIGGER {name} {when} ON {REPORTS} BEGIN {body} END")


def upgrade():
    with op.batch_alter_table(REVIEWS) as batch:
        batch.add_column(
            sa.Column("open_report_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("first_open_report_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("report_rank", sa.BigInteger()))
    bind = op.get_bind()
    create_triggers(bind)
    # The reviews reported today: the trigger's own computation, once for each.
    if bind.dialect.name == "postgresql":
        op.execute(
            f"UPDATE {REPORTS} SET shopping_mall_review_id = shopping_mall_review_id "
            "WHERE resolved = false AND deleted_at IS NULL"
        )
    else:
        op.execute(
            f"UPDATE {REPORTS} SET shopping_mall_review_id = shopping_mall_review_id "
            "WHERE resolved = 0 AND deleted_at IS NULL"
        )
    op.create_index(
        "ix_reviews_deleted",
        REVIEWS,
        ["id"],
        sqlite_where=sa.text("deleted_at IS NOT NULL"),
        postgresql_where=sa.text("deleted_at IS NOT NULL"),
    )
    op.create_index(
        "ix_reviews_reported_rank",
        REVIEWS,
        ["report_rank", "id"],
        sqlite_where=sa.text("report_rank IS NOT NULL AND deleted_at IS NULL"),
        postgresql_where=sa.text("report_rank IS NOT NULL AND deleted_at IS NULL"),
    )


def downgrade():
    op.drop_index("ix_reviews_reported_rank", table_name=REVIEWS)
    op.drop_index("ix_reviews_deleted", table_name=REVIEWS)
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER tr_review_reports_summary ON {REPORTS}")
        op.execute("DROP FUNCTION shopping_mall_review_report_summary()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    with op.batch_alter_table(REVIEWS) as batch:
        batch.drop_column("report_rank")
        batch.drop_column("first_open_report_at")
        batch.drop_column("open_report_count")
