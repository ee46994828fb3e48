"""Console sign-in and shell: TOTP replay guard, display time zone, audit and search indexes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Columns added to ``shopping_mall_users`` (not in the seed schema):

* ``mfa_last_used_step`` (integer, null until the first TOTP sign-in): the 30-second TOTP
  time step of the last accepted code. A code is accepted only for a later step, so the same
  code cannot be used twice, even within its ±1 step tolerance.
* ``time_zone`` (IANA zone name such as ``Europe/Paris``; null means UTC): the zone in which
  the console shows times to this staff member. Timestamps stay stored in UTC.

Indexes:

* ``shopping_mall_audit_events (entity_table, entity_id, created_at)`` for a record's history,
  and ``(created_at)`` for the most recent events; both databases, declared on the model.
* Partial indexes for the role homes' queues, both databases, declared on the models:
  ``ix_inventory_records_low_stock`` (rows where ``safety_stock_threshold >= on_hand -
  non_sellable``, the comparison written in the one shape SQLite matches) and
  ``ix_review_reports_open`` (unresolved reports).
* PostgreSQL only (hand-written, skipped by autogenerate through ``schema.DATABASE_ONLY_INDEXES``):
  ``COLLATE "C"`` indexes on the numbers the global search matches by prefix (order, case, RMA,
  refund request, payout, SKU code) and on ``lower(email)`` for case-insensitive email look-up.
  The C collation lets ``LIKE 'prefix%'`` use the index *and* return rows in index order, so
  ``ORDER BY … LIMIT`` stops after a few rows however many match. SQLite compares those
  columns with its binary collation, so its existing unique indexes already serve exact and
  prefix (range) matches in order.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

LOW_STOCK = "deleted_at IS NULL AND safety_stock_threshold >= on_hand - non_sellable"

# (index name, table, indexed expression): keep in step with schema.DATABASE_ONLY_INDEXES.
POSTGRES_SEARCH_INDEXES = (
    ("ix_orders_order_number_pattern", "shopping_mall_orders", 'order_number COLLATE "C"'),
    ("ix_support_cases_case_number_pattern", "shopping_mall_support_cases", 'case_number COLLATE "C"'),
    ("ix_return_requests_rma_code_pattern", "shopping_mall_return_requests", 'rma_code COLLATE "C"'),
    ("ix_refund_requests_number_pattern", "shopping_mall_refund_requests", 'refund_request_number COLLATE "C"'),
    ("ix_payouts_payout_number_pattern", "shopping_mall_payouts", 'payout_number COLLATE "C"'),
    ("ix_skus_sku_code_pattern", "shopping_mall_skus", 'sku_code COLLATE "C"'),
    ("ix_users_email_lower_pattern", "shopping_mall_users", '(lower(email)) COLLATE "C"'),
)


def upgrade():
    with op.batch_alter_table('shopping_mall_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mfa_last_used_step', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('time_zone', sa.String(), nullable=True))

    with op.batch_alter_table('shopping_mall_audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_entity', ['entity_table', 'entity_id', 'created_at'], unique=False)
        batch_op.create_index('ix_audit_events_created_at', ['created_at'], unique=False)

    with op.batch_alter_table('shopping_mall_inventory_records', schema=None) as batch_op:
        batch_op.create_index('ix_inventory_records_low_stock', ['shopping_mall_sku_id'], unique=False, sqlite_where=sa.text(LOW_STOCK), postgresql_where=sa.text(LOW_STOCK))

    with op.batch_alter_table('shopping_mall_review_reports', schema=None) as batch_op:
        batch_op.create_index('ix_review_reports_open', ['created_at'], unique=False, sqlite_where=sa.text('resolved = 0 AND deleted_at IS NULL'), postgresql_where=sa.text('resolved = false AND deleted_at IS NULL'))

    if op.get_bind().dialect.name == "postgresql":
        for name, table, expression in POSTGRES_SEARCH_INDEXES:
            op.execute(f"CREATE INDEX {name} ON {table} ({expression})")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name, _table, _expression in POSTGRES_SEARCH_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")

    with op.batch_alter_table('shopping_mall_review_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_review_reports_open')

    with op.batch_alter_table('shopping_mall_inventory_records', schema=None) as batch_op:
        batch_op.drop_index('ix_inventory_records_low_stock')

    with op.batch_alter_table('shopping_mall_audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_created_at')
        batch_op.drop_index('ix_audit_events_entity')

    with op.batch_alter_table('shopping_mall_users', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
        batch_op.drop_column('mfa_last_used_step')
