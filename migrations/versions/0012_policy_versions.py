"""Policy versions: who wrote each, a version for stale edits, one open-ended approved window.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05

- ``shopping_mall_policy_versions.author_user_id``: the staff member who wrote the version; only
  they edit and submit it, so the approver is always someone else.
- ``shopping_mall_policy_versions.row_version`` (integer, default 1): raised by every edit of a
  draft, so an edit based on an older copy is refused (the ``version`` column is the label).
- A partial unique index: at most one approved, open-ended version per policy.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

OPEN_INDEX = "uq_policy_versions_one_open_approved"


def upgrade():
    with op.batch_alter_table("shopping_mall_policy_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("author_user_id", sa.String(length=36), nullable=True))
        batch_op.add_column(
            sa.Column("row_version", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )
        batch_op.create_foreign_key(
            op.f("fk_policy_versions_author_user_id"),
            "shopping_mall_users",
            ["author_user_id"],
            ["id"],
        )
    op.create_index(
        OPEN_INDEX,
        "shopping_mall_policy_versions",
        ["shopping_mall_policy_id"],
        unique=True,
        postgresql_where=sa.text("approved = true AND effective_to IS NULL AND deleted_at IS NULL"),
        sqlite_where=sa.text("approved = 1 AND effective_to IS NULL AND deleted_at IS NULL"),
    )


def downgrade():
    op.drop_index(OPEN_INDEX, table_name="shopping_mall_policy_versions")
    with op.batch_alter_table("shopping_mall_policy_versions", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("fk_policy_versions_author_user_id"),
            type_="foreignkey",
        )
        batch_op.drop_column("row_version")
        batch_op.drop_column("author_user_id")
