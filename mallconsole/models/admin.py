"""Admin domain of the mall schema."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from mallconsole.models.base import (
    Base,
    created_at,
    deleted_at,
    record_version,
    updated_at,
    uuid_pk,
)


class AuditEvent(Base):
    """Immutable audit trail entries recording who did what, when, and why across the
    platform."""

    __tablename__ = "shopping_mall_audit_events"
    __table_args__ = (
        # An entity's history (timeline) and the most recent events (admin home).
        Index("ix_audit_events_entity", "entity_table", "entity_id", "created_at"),
        Index("ix_audit_events_created_at", "created_at"),
    )

    id: Mapped[uuid_pk]
    actor_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    shopping_mall_admin_action_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_admin_actions.id"), index=True
    )
    entity_table: Mapped[str]
    entity_id: Mapped[str | None]
    action: Mapped[str]
    summary: Mapped[str | None]
    reason: Mapped[str | None]
    correlation_id: Mapped[str | None]
    source_ip: Mapped[str | None]
    user_agent: Mapped[str | None]
    changes: Mapped[dict | None] = mapped_column(JSON)  # {"before": {...}, "after": {...}}
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class AdminAction(Base):
    """Staff-initiated administrative actions that may require approval and execution
    (maker-checker)."""

    __tablename__ = "shopping_mall_admin_actions"
    __table_args__ = (
        # The parent key of the approvals' (action, requester) reference: an approval row
        # carries its action's requester, so the database can refuse self-approval.
        Index("uq_admin_actions_id_requester", "id", "requested_by_user_id", unique=True),
        # One open request (pending or approved, not yet carried out) per action and target.
        Index(
            "uq_admin_actions_open_target",
            "action_name",
            "target_entity_table",
            "target_entity_id",
            unique=True,
            postgresql_where=text("status IN ('pending', 'approved')"),
            sqlite_where=text("status IN ('pending', 'approved')"),
        ),
        # The inbox: pending actions by expiry.
        Index("ix_admin_actions_status_expires_at", "status", "expires_at"),
    )

    id: Mapped[uuid_pk]
    requested_by_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    performed_by_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    idempotency_key: Mapped[str] = mapped_column(unique=True)
    action_name: Mapped[str]
    target_entity_table: Mapped[str]
    target_entity_id: Mapped[str | None]
    status: Mapped[str] = mapped_column(index=True)
    justification: Mapped[str | None]
    rejection_reason: Mapped[str | None]
    scheduled_at: Mapped[datetime | None]
    executed_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    version: Mapped[record_version]
    # Maker-checker (revision 0006): the exact change asked for ({"before": {...}, "after":
    # {...}} plus what its executor needs), which revision of it approvals count for, how many
    # distinct approvers it needs and which permission they hold, when it lapses, and why a
    # canceled one ended (withdrawn or expired).
    payload: Mapped[dict | None] = mapped_column(JSON)
    revision: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    approvals_needed: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    approver_permission: Mapped[str | None]
    expires_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None]


class RiskRule(Base):
    """Configurable fraud/risk rules managed by operations/finance/security."""

    __tablename__ = "shopping_mall_risk_rules"

    id: Mapped[uuid_pk]
    created_by_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    updated_by_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    code: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    description: Mapped[str | None]
    active: Mapped[bool]
    priority: Mapped[int] = mapped_column(index=True)
    condition: Mapped[str]
    decision: Mapped[str]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    version: Mapped[record_version]


class DataExport(Base):
    """Governed data export requests for audit, compliance, and operations."""

    __tablename__ = "shopping_mall_data_exports"

    id: Mapped[uuid_pk]
    requested_by_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    approved_by_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    request_number: Mapped[str] = mapped_column(unique=True)
    purpose: Mapped[str]
    scope_description: Mapped[str]
    status: Mapped[str] = mapped_column(index=True)
    justification: Mapped[str | None]
    delivery_channel: Mapped[str | None]
    file_uri: Mapped[str | None] = mapped_column(String(80000))
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    completed_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    version: Mapped[record_version]


class MakerCheckerApproval(Base):
    """Approval decisions supporting the maker-checker pattern for sensitive administrative
    actions."""

    __tablename__ = "shopping_mall_maker_checker_approvals"
    __table_args__ = (
        # One decision per person and revision of the action (revision 0006).
        UniqueConstraint(
            "shopping_mall_admin_action_id",
            "revision",
            "approver_user_id",
            name="uq_maker_checker_approvals_revision_approver",
        ),
        # The row names its action's requester (checked against the action) and the requester
        # never decides their own request.
        ForeignKeyConstraint(
            ["shopping_mall_admin_action_id", "requested_by_user_id"],
            ["shopping_mall_admin_actions.id", "shopping_mall_admin_actions.requested_by_user_id"],
            name="fk_maker_checker_approvals_requester",
        ),
        CheckConstraint("approver_user_id <> requested_by_user_id", name="not_own_request"),
    )

    id: Mapped[uuid_pk]
    shopping_mall_admin_action_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_admin_actions.id"), index=True
    )
    approver_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    decision: Mapped[str]
    reason: Mapped[str | None]
    decided_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    revision: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    requested_by_user_id: Mapped[str] = mapped_column(String(36))
