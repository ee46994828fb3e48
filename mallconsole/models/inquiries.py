"""Inquiries domain of the mall schema."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Text,
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

# Unresolved live cases: the predicate of the queue indexes (revision 0009) and of the
# queries they answer (services/case_queues.OPEN).
_OPEN_CASES = "deleted_at IS NULL AND status IN ('open', 'pending', 'on_hold')"


def _open_cases_index(name: str, *columns: str, where: str = _OPEN_CASES) -> Index:
    return Index(name, *columns, sqlite_where=text(where), postgresql_where=text(where))


class SupportCase(Base):
    """Support case master record for customer/seller inquiries and operational issues."""

    __tablename__ = "shopping_mall_support_cases"
    __table_args__ = (
        _open_cases_index("ix_support_cases_open_sla", "sla_due_at", "id"),
        _open_cases_index(
            "ix_support_cases_unassigned_sla",
            "sla_due_at",
            "id",
            where=f"{_OPEN_CASES} AND assigned_to_user_id IS NULL",
        ),
        _open_cases_index(
            "ix_support_cases_assignee_open_sla", "assigned_to_user_id", "sla_due_at", "id"
        ),
    )

    id: Mapped[uuid_pk]
    customer_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    seller_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    order_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_orders.id"), index=True
    )
    shipment_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_shipments.id"), index=True
    )
    assigned_to_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    case_number: Mapped[str] = mapped_column(unique=True)
    subject: Mapped[str]
    description: Mapped[str | None]
    status: Mapped[str] = mapped_column(index=True)
    priority: Mapped[str] = mapped_column(index=True)
    category: Mapped[str | None]
    origin_channel: Mapped[str | None]
    sla_due_at: Mapped[datetime | None] = mapped_column(index=True)
    closed_at: Mapped[datetime | None]
    last_event_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    version: Mapped[record_version]


class SupportCaseEvent(Base):
    """Timeline entries for a shopping_mall_support_cases capturing state changes,
    communications, and system actions."""

    __tablename__ = "shopping_mall_support_case_events"

    id: Mapped[uuid_pk]
    shopping_mall_support_case_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_support_cases.id"), index=True
    )
    actor_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    event_type: Mapped[str]
    visibility: Mapped[str]
    body: Mapped[str | None]
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class SupportAttachment(Base):
    """File attachments associated with support cases."""

    __tablename__ = "shopping_mall_support_attachments"

    id: Mapped[uuid_pk]
    shopping_mall_support_case_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_support_cases.id"), index=True
    )
    shopping_mall_support_case_event_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_support_case_events.id"), index=True
    )
    shopping_mall_support_note_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_support_notes.id"), index=True
    )
    uploaded_by_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    file_name: Mapped[str]
    file_uri: Mapped[str] = mapped_column(String(80000))
    content_type: Mapped[str]
    file_size: Mapped[int]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class SupportNote(Base):
    """Free-form notes associated with a shopping_mall_support_cases."""

    __tablename__ = "shopping_mall_support_notes"

    id: Mapped[uuid_pk]
    shopping_mall_support_case_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_support_cases.id"), index=True
    )
    author_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    visibility: Mapped[str]
    body: Mapped[str]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class CannedReply(Base):
    """A reply template shared by support agents (revision 0007): a title, a body with
    placeholders such as ``{customer_name}`` and ``{order_number}``, an optional case
    category, and how often it was used."""

    __tablename__ = "shopping_mall_canned_replies"
    __table_args__ = (
        Index(
            "uq_canned_replies_title",
            "title",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[uuid_pk]
    title: Mapped[str]
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None]
    usage_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    last_used_at: Mapped[datetime | None]
    created_by_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    updated_by_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    version: Mapped[record_version]
