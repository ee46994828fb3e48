"""Console working tables (revision 0004): queue claims, presence, background job runs and
schedules, and the outbox of customer messages. None of them is in the mall schema; each holds
state that several app processes and workers must share, so none of it lives in memory."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from mallconsole.models.base import Base, created_at, record_version, updated_at, uuid_pk


class Claim(Base):
    """An item of a work queue held by one staff member until ``expires_at``.

    One row per item at most (the unique key): claiming an item is inserting its row, or taking
    over a row whose time is up, in one statement; releasing deletes it.
    """

    __tablename__ = "shopping_mall_claims"
    __table_args__ = (
        UniqueConstraint("entity_table", "entity_id", name="uq_claims_entity"),
        Index("ix_claims_holder", "claimed_by_user_id", "queue", "expires_at"),
    )

    id: Mapped[uuid_pk]
    queue: Mapped[str]
    entity_table: Mapped[str]
    entity_id: Mapped[str] = mapped_column(String(36))
    claimed_by_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id")
    )
    claimed_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class Presence(Base):
    """A staff member looking at (or typing in) a record, as of ``seen_at``."""

    __tablename__ = "shopping_mall_presence"
    __table_args__ = (
        UniqueConstraint(
            "entity_table", "entity_id", "shopping_mall_user_id", name="uq_presence_viewer"
        ),
    )

    id: Mapped[uuid_pk]
    entity_table: Mapped[str]
    entity_id: Mapped[str] = mapped_column(String(36))
    shopping_mall_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    typing: Mapped[bool] = mapped_column(default=False)
    seen_at: Mapped[datetime] = mapped_column(index=True)


class JobRun(Base):
    """One run of a background job: who or what started it, when, what it did, how it ended."""

    __tablename__ = "shopping_mall_job_runs"
    __table_args__ = (
        # The Jobs list: newest first, all jobs or one job, all results or one.
        Index("ix_job_runs_queued", "queued_at", "id"),
        Index("ix_job_runs_job_queued", "job_name", "queued_at", "id"),
        Index("ix_job_runs_status_queued", "status", "queued_at", "id"),
    )

    id: Mapped[uuid_pk]
    job_name: Mapped[str]
    trigger: Mapped[str]  # states.JOB_TRIGGERS
    status: Mapped[str]  # states.JOB_RUN
    requested_by_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    queued_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    counts: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class JobSchedule(Base):
    """An admin's hold on a periodic job: while ``paused`` its scheduled runs are skipped."""

    __tablename__ = "shopping_mall_job_schedules"

    id: Mapped[uuid_pk]
    job_name: Mapped[str] = mapped_column(unique=True)
    paused: Mapped[bool] = mapped_column(default=False)
    pause_reason: Mapped[str | None]
    updated_by_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    version: Mapped[record_version]


class OutboundMessage(Base):
    """A customer message, written with the change that causes it and delivered afterwards."""

    __tablename__ = "shopping_mall_outbound_messages"
    __table_args__ = (
        # The sender's and the sweep's queue: due messages in order.
        Index("ix_outbound_messages_due", "status", "next_attempt_at"),
        Index("ix_outbound_messages_entity", "entity_table", "entity_id"),
    )

    id: Mapped[uuid_pk]
    recipient: Mapped[str]
    subject: Mapped[str]
    body_text: Mapped[str] = mapped_column(Text)
    entity_table: Mapped[str | None]
    entity_id: Mapped[str | None] = mapped_column(String(36))
    created_by_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    status: Mapped[str]  # states.OUTBOUND_MESSAGE
    attempts: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]
    sending_started_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


__all__ = ["Claim", "JobRun", "JobSchedule", "OutboundMessage", "Presence"]
