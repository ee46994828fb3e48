"""Support case queues answered in order from indexes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

Each queue of ``/support/cases`` reads its first page in its default order straight from an
index (no sort of every matching case), whatever the number of closed cases:

- ``ix_support_cases_open_sla`` (sla_due_at, id) over unresolved cases: the SLA queue.
- ``ix_support_cases_unassigned_sla`` (sla_due_at, id) over unresolved unassigned cases: the
  unassigned queue and "Take next".
- ``ix_support_cases_assignee_open_sla`` (assigned_to_user_id, sla_due_at, id) over
  unresolved cases: "My open cases".
- ``ix_support_cases_activity`` (last_event_at DESC NULLS LAST, id DESC) over live cases: all
  cases, latest activity first. PostgreSQL only can say NULLS LAST in an index, so it is
  written by hand for each database (``schema.DATABASE_ONLY_INDEXES``).

The predicates are the queries' own (``services/case_queues.OPEN``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLE = "shopping_mall_support_cases"
OPEN = "deleted_at IS NULL AND status IN ('open', 'pending', 'on_hold')"
PARTIAL = {
    "ix_support_cases_open_sla": (["sla_due_at", "id"], OPEN),
    "ix_support_cases_unassigned_sla": (
        ["sla_due_at", "id"],
        f"{OPEN} AND assigned_to_user_id IS NULL",
    ),
    "ix_support_cases_assignee_open_sla": (["assigned_to_user_id", "sla_due_at", "id"], OPEN),
}
ACTIVITY = "ix_support_cases_activity"


def upgrade():
    for name, (columns, where) in PARTIAL.items():
        op.create_index(
            name,
            TABLE,
            columns,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )
    nulls = " NULLS LAST" if op.get_bind().dialect.name == "postgresql" else ""
    op.execute(
        f"CREATE INDEX {ACTIVITY} ON {TABLE} (last_event_at DESC{nulls}, id DESC) "
        "WHERE deleted_at IS NULL"
    )


def downgrade():
    op.execute(f"DROP INDEX {ACTIVITY}")
    for name in PARTIAL:
        op.drop_index(name, table_name=TABLE)
