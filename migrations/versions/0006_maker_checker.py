"""Maker-checker: what an admin action asks for, its revisions, approvers and expiry.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

``shopping_mall_admin_actions`` gains:

- ``payload``: the exact change asked for (``{"before": {...}, "after": {...}}`` and what its
  executor needs); ``revision``: raised when the requester edits it, which voids the approvals
  given so far; ``approvals_needed`` and ``approver_permission``: how many distinct people, and
  holding which permission, must approve; ``expires_at``: when a pending request lapses (existing pending ones: 72 hours
  after the upgrade, the default of ``approvals.expiry_hours``);
  ``cancel_reason``: ``withdrawn`` or ``expired``.
- a unique index on (id, requested_by_user_id), the parent key of the approvals' reference to
  their action's requester; a partial unique index allowing one open (pending or approved)
  request per action name and target (of earlier duplicates, the first asked stays open and
  the later ones end as canceled, ``withdrawn``).

``shopping_mall_maker_checker_approvals`` gains ``revision`` and ``requested_by_user_id`` (the
action's requester, filled in for existing rows), a foreign key (action, requester) to the
action, a check that the approver is not the requester, and unique (action, revision,
approver) instead of unique (action, approver). Existing approvals belong to revision 1.
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OPEN = "status IN ('pending', 'approved')"


def upgrade():
    with op.batch_alter_table("shopping_mall_admin_actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payload", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("revision", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "approvals_needed", sa.Integer(), server_default=sa.text("1"), nullable=False
            )
        )
        batch_op.add_column(sa.Column("approver_permission", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("cancel_reason", sa.String(), nullable=True))
    op.create_index(
        "uq_admin_actions_id_requester",
        "shopping_mall_admin_actions",
        ["id", "requested_by_user_id"],
        unique=True,
    )
    # Before: a second open request for the same action and target could exist. Keep the one
    # asked first; later duplicates end as withdrawn.
    op.execute(
        "UPDATE shopping_mall_admin_actions SET status = 'canceled', "
        "cancel_reason = 'withdrawn' WHERE " + OPEN + " AND target_entity_id IS NOT NULL "
        "AND EXISTS (SELECT 1 FROM shopping_mall_admin_actions older "
        "WHERE older.action_name = shopping_mall_admin_actions.action_name "
        "AND older.target_entity_table = shopping_mall_admin_actions.target_entity_table "
        "AND older.target_entity_id = shopping_mall_admin_actions.target_entity_id "
        "AND older.status IN ('pending', 'approved') "
        "AND (older.created_at < shopping_mall_admin_actions.created_at "
        "OR (older.created_at = shopping_mall_admin_actions.created_at "
        "AND older.id < shopping_mall_admin_actions.id)))"
    )
    op.create_index(
        "uq_admin_actions_open_target",
        "shopping_mall_admin_actions",
        ["action_name", "target_entity_table", "target_entity_id"],
        unique=True,
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )
    op.create_index(
        "ix_admin_actions_status_expires_at",
        "shopping_mall_admin_actions",
        ["status", "expires_at"],
    )
    # Pending requests had no expiry: they get the default time from now.
    expires = datetime.now(UTC) + timedelta(hours=72)
    if op.get_bind().dialect.name == "sqlite":
        expires = expires.replace(tzinfo=None)  # stored as UTC without a zone, as the app does
    actions = sa.table(
        "shopping_mall_admin_actions",
        sa.column("status", sa.String()),
        sa.column("expires_at", sa.DateTime(timezone=True)),
    )
    op.execute(
        actions.update()
        .where(actions.c.status == "pending", actions.c.expires_at.is_(None))
        .values(expires_at=expires)
    )
    # Existing requests: wallet adjustments are decided by finance, the rest by system admins.
    op.execute(
        "UPDATE shopping_mall_admin_actions SET approver_permission = CASE action_name "
        "WHEN 'wallet_adjustment' THEN 'approvals.finance' ELSE 'approvals.admin' END"
    )

    with op.batch_alter_table("shopping_mall_maker_checker_approvals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("revision", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )
        batch_op.add_column(sa.Column("requested_by_user_id", sa.String(length=36)))
    op.execute(
        "UPDATE shopping_mall_maker_checker_approvals SET requested_by_user_id = ("
        "SELECT a.requested_by_user_id FROM shopping_mall_admin_actions a "
        "WHERE a.id = shopping_mall_maker_checker_approvals.shopping_mall_admin_action_id)"
    )
    with op.batch_alter_table("shopping_mall_maker_checker_approvals", schema=None) as batch_op:
        batch_op.alter_column(
            "requested_by_user_id", existing_type=sa.String(length=36), nullable=False
        )
        batch_op.drop_constraint(op.f("uq_maker_checker_approvals_approver"), type_="unique")
        batch_op.create_unique_constraint(
            op.f("uq_maker_checker_approvals_revision_approver"),
            ["shopping_mall_admin_action_id", "revision", "approver_user_id"],
        )
        batch_op.create_foreign_key(
            op.f("fk_maker_checker_approvals_requester"),
            "shopping_mall_admin_actions",
            ["shopping_mall_admin_action_id", "requested_by_user_id"],
            ["id", "requested_by_user_id"],
        )
        batch_op.create_check_constraint(
            op.f("ck_shopping_mall_maker_checker_approvals_not_own_request"),
            "approver_user_id <> requested_by_user_id",
        )


def downgrade():
    with op.batch_alter_table("shopping_mall_maker_checker_approvals", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("ck_shopping_mall_maker_checker_approvals_not_own_request"), type_="check"
        )
        batch_op.drop_constraint(op.f("fk_maker_checker_approvals_requester"), type_="foreignkey")
        batch_op.drop_constraint(op.f("uq_maker_checker_approvals_revision_approver"), type_="unique")
    # Unique (action, approver) again: keep each approver's decision on the latest revision.
    op.execute(
        "DELETE FROM shopping_mall_maker_checker_approvals WHERE id IN ("
        "SELECT older.id FROM shopping_mall_maker_checker_approvals older "
        "JOIN shopping_mall_maker_checker_approvals newer "
        "ON newer.shopping_mall_admin_action_id = older.shopping_mall_admin_action_id "
        "AND newer.approver_user_id = older.approver_user_id "
        "AND newer.revision > older.revision)"
    )
    with op.batch_alter_table("shopping_mall_maker_checker_approvals", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            op.f("uq_maker_checker_approvals_approver"),
            ["shopping_mall_admin_action_id", "approver_user_id"],
        )
        batch_op.drop_column("requested_by_user_id")
        batch_op.drop_column("revision")
    op.drop_index("ix_admin_actions_status_expires_at", "shopping_mall_admin_actions")
    op.drop_index("uq_admin_actions_open_target", "shopping_mall_admin_actions")
    op.drop_index("uq_admin_actions_id_requester", "shopping_mall_admin_actions")
    with op.batch_alter_table("shopping_mall_admin_actions", schema=None) as batch_op:
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("approver_permission")
        batch_op.drop_column("approvals_needed")
        batch_op.drop_column("revision")
        batch_op.drop_column("payload")
