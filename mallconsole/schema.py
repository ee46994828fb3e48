"""How Alembic sees the models: what autogenerate skips and how our column types render."""

from __future__ import annotations

from mallconsole.models import MATERIALIZED_VIEWS
from mallconsole.models.base import Exact, UTCDateTime

# PostgreSQL-only C-collation and expression indexes for prefix search (migration 0002);
# the models cannot declare them for one database only, so autogenerate leaves them alone.
DATABASE_ONLY_INDEXES = frozenset(
    {
        "ix_orders_order_number_pattern",
        "ix_support_cases_case_number_pattern",
        "ix_return_requests_rma_code_pattern",
        "ix_refund_requests_number_pattern",
        "ix_payouts_payout_number_pattern",
        "ix_skus_sku_code_pattern",
        "ix_users_email_lower_pattern",
        # all support cases, latest activity first (NULLS LAST only on PostgreSQL; 0009)
        "ix_support_cases_activity",
        # Trigram indexes for customer search (migration 0008).
        "ix_users_name_trigram",
        "ix_users_phone_digits_trigram",
    }
)
# SQLite's full-text table for customer search (migration 0008) and FTS5's shadow tables.
SEARCH_TABLE = "shopping_mall_user_search"


def include_object(obj, name, type_, reflected, compare_to):
    """Leave the materialized view (and its indexes), the search indexes and SQLite's search
    table to hand-written migration steps."""
    if type_ == "index" and name in DATABASE_ONLY_INDEXES:
        return False
    if type_ == "table" and name in MATERIALIZED_VIEWS:
        return False
    if type_ == "table" and name.startswith(SEARCH_TABLE):
        return False
    table = getattr(obj, "table", None)
    if table is not None and table.name in MATERIALIZED_VIEWS:
        return False
    return True


def render_item(type_, obj, autogen_context):
    """Render our column types as plain SQLAlchemy types, so revisions never import the app."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, Exact):
        return f"sa.Numeric(precision={obj.impl.precision}, scale={obj.impl.scale})"
    return False


MIGRATION_OPTIONS = {
    "compare_type": True,
    "render_as_batch": True,
    "include_object": include_object,
    "render_item": render_item,
}
