"""Console kit: claims, presence, job runs and schedules, the outbox, record versions, locale.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

- ``shopping_mall_claims``: queue items held by a staff member until a time (one row per item).
- ``shopping_mall_presence``: who has a record open, and who is typing in it.
- ``shopping_mall_job_runs`` / ``shopping_mall_job_schedules``: every background job run, and
  an admin's pause of a periodic job.
- ``shopping_mall_outbound_messages``: customer messages written with the change that causes
  them, delivered by the ``send-mail`` task.
- ``version`` (integer, 1 for existing rows) on the tables staff edit: an edit names the
  version it was based on and is refused (409) when the record has moved on.
- ``shopping_mall_users.locale``: how a staff member reads money, numbers and dates.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

VERSIONED_TABLES = (
    "shopping_mall_admin_actions",
    "shopping_mall_cancellation_requests",
    "shopping_mall_chargebacks",
    "shopping_mall_configurations",
    "shopping_mall_coupons",
    "shopping_mall_data_exports",
    "shopping_mall_feature_flags",
    "shopping_mall_inventory_records",
    "shopping_mall_orders",
    "shopping_mall_payouts",
    "shopping_mall_policies",
    "shopping_mall_promotions",
    "shopping_mall_refund_requests",
    "shopping_mall_return_requests",
    "shopping_mall_review_reports",
    "shopping_mall_reviews",
    "shopping_mall_risk_rules",
    "shopping_mall_seller_replies",
    "shopping_mall_seller_verifications",
    "shopping_mall_sellers",
    "shopping_mall_shipments",
    "shopping_mall_support_cases",
)


def upgrade():
    op.create_table(
        "shopping_mall_claims",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("queue", sa.String(), nullable=False),
        sa.Column("entity_table", sa.String(), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("claimed_by_user_id", sa.String(length=36), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claimed_by_user_id"],
            ["shopping_mall_users.id"],
            name=op.f("fk_claims_claimed_by_user_id"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shopping_mall_claims")),
        sa.UniqueConstraint("entity_table", "entity_id", name="uq_claims_entity"),
    )
    with op.batch_alter_table("shopping_mall_claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claims_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(
            "ix_claims_holder", ["claimed_by_user_id", "queue", "expires_at"], unique=False
        )

    op.create_table(
        "shopping_mall_job_runs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("job_name", sa.String(), nullable=False),
        sa.Column("trigger", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("requested_by_user_id", sa.String(length=36), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("host", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["requested_by_user_id"],
            ["shopping_mall_users.id"],
            name=op.f("fk_job_runs_requested_by_user_id"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shopping_mall_job_runs")),
    )
    with op.batch_alter_table("shopping_mall_job_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_job_runs_job_queued", ["job_name", "queued_at", "id"], unique=False
        )
        batch_op.create_index("ix_job_runs_queued", ["queued_at", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_job_runs_requested_by_user_id"), ["requested_by_user_id"], unique=False
        )
        batch_op.create_index(
            "ix_job_runs_status_queued", ["status", "queued_at", "id"], unique=False
        )

    op.create_table(
        "shopping_mall_job_schedules",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("job_name", sa.String(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("pause_reason", sa.String(), nullable=True),
        sa.Column("updated_by_user_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_user_id"],
            ["shopping_mall_users.id"],
            name=op.f("fk_job_schedules_updated_by_user_id"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shopping_mall_job_schedules")),
        sa.UniqueConstraint("job_name", name=op.f("uq_job_schedules_job_name")),
    )
    with op.batch_alter_table("shopping_mall_job_schedules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_job_schedules_updated_by_user_id"), ["updated_by_user_id"], unique=False
        )

    op.create_table(
        "shopping_mall_outbound_messages",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("recipient", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("entity_table", sa.String(), nullable=True),
        sa.Column("entity_id", sa.String(length=36), nullable=True),
        sa.Column("created_by_user_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sending_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["shopping_mall_users.id"],
            name=op.f("fk_outbound_messages_created_by_user_id"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shopping_mall_outbound_messages")),
    )
    with op.batch_alter_table("shopping_mall_outbound_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbound_messages_created_by_user_id"),
            ["created_by_user_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_outbound_messages_due", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index(
            "ix_outbound_messages_entity", ["entity_table", "entity_id"], unique=False
        )

    op.create_table(
        "shopping_mall_presence",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("entity_table", sa.String(), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("shopping_mall_user_id", sa.String(length=36), nullable=False),
        sa.Column("typing", sa.Boolean(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shopping_mall_user_id"], ["shopping_mall_users.id"], name=op.f("fk_presence_user_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shopping_mall_presence")),
        sa.UniqueConstraint(
            "entity_table", "entity_id", "shopping_mall_user_id", name="uq_presence_viewer"
        ),
    )
    with op.batch_alter_table("shopping_mall_presence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_presence_seen_at"), ["seen_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_presence_user_id"), ["shopping_mall_user_id"], unique=False
        )

    for table in VERSIONED_TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)
            )
    with op.batch_alter_table("shopping_mall_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(), nullable=True))


def downgrade():
    with op.batch_alter_table("shopping_mall_users", schema=None) as batch_op:
        batch_op.drop_column("locale")
    for table in reversed(VERSIONED_TABLES):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("version")

    with op.batch_alter_table("shopping_mall_presence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_presence_user_id"))
        batch_op.drop_index(batch_op.f("ix_presence_seen_at"))

    op.drop_table("shopping_mall_presence")
    with op.batch_alter_table("shopping_mall_outbound_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbound_messages_entity")
        batch_op.drop_index("ix_outbound_messages_due")
        batch_op.drop_index(batch_op.f("ix_outbound_messages_created_by_user_id"))

    op.drop_table("shopping_mall_outbound_messages")
    with op.batch_alter_table("shopping_mall_job_schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_schedules_updated_by_user_id"))

    op.drop_table("shopping_mall_job_schedules")
    with op.batch_alter_table("shopping_mall_job_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_job_runs_status_queued")
        batch_op.drop_index(batch_op.f("ix_job_runs_requested_by_user_id"))
        batch_op.drop_index("ix_job_runs_queued")
        batch_op.drop_index("ix_job_runs_job_queued")

    op.drop_table("shopping_mall_job_runs")
    with op.batch_alter_table("shopping_mall_claims", schema=None) as batch_op:
        batch_op.drop_index("ix_claims_holder")
        batch_op.drop_index(batch_op.f("ix_claims_expires_at"))

    op.drop_table("shopping_mall_claims")
