"""Support console: requests know their case; canned replies.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05

- ``shopping_mall_support_case_id`` (nullable, indexed) on the cancellation, return and refund
  request tables: the case a request was raised from, so a request and its case find each
  other.
- ``shopping_mall_canned_replies``: reply templates shared by support agents (title unique
  among live ones, body with placeholders, optional case category, usage count).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

REQUEST_TABLES = {
    "shopping_mall_cancellation_requests": "cancellation_requests",
    "shopping_mall_return_requests": "return_requests",
    "shopping_mall_refund_requests": "refund_requests",
}


def upgrade():
    for table, short in REQUEST_TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("shopping_mall_support_case_id", sa.String(length=36), nullable=True)
            )
            batch_op.create_index(
                batch_op.f(f"ix_{short}_support_case_id"),
                ["shopping_mall_support_case_id"],
                unique=False,
            )
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{short}_support_case_id"),
                "shopping_mall_support_cases",
                ["shopping_mall_support_case_id"],
                ["id"],
            )
    op.create_table(
        "shopping_mall_canned_replies",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("category", sa.String(), nullable=True),
        sa.Column("usage_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_user_id", sa.String(length=36), nullable=False),
        sa.Column("updated_by_user_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["shopping_mall_users.id"],
            name=op.f("fk_canned_replies_created_by_user_id"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_user_id"],
            ["shopping_mall_users.id"],
            name=op.f("fk_canned_replies_updated_by_user_id"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shopping_mall_canned_replies")),
    )
    with op.batch_alter_table("shopping_mall_canned_replies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_canned_replies_created_by_user_id"), ["created_by_user_id"]
        )
        batch_op.create_index(
            batch_op.f("ix_canned_replies_updated_by_user_id"), ["updated_by_user_id"]
        )
        batch_op.create_index(
            "uq_canned_replies_title",
            ["title"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )


def downgrade():
    op.drop_table("shopping_mall_canned_replies")
    for table, short in REQUEST_TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f"fk_{short}_support_case_id"), type_="foreignkey"
            )
            batch_op.drop_index(batch_op.f(f"ix_{short}_support_case_id"))
            batch_op.drop_column("shopping_mall_support_case_id")
