"""Admin domain of the mall schema."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, created_at, deleted_at, record_version, updated_at, uuid_pk


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
        UniqueConstraint(
            "shopping_mall_admin_action_id",
            "approver_user_id",
            name="uq_maker_checker_approvals_approver",
        ),
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
