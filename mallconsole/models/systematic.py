"""Systematic domain of the mall schema."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
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


class Configuration(Base):
    """Key-value configuration registry for platform-wide settings."""

    __tablename__ = "shopping_mall_configurations"
    __table_args__ = (
        Index(
            "uq_configurations_root_key",
            "key",
            unique=True,
            sqlite_where=text("scope IS NULL AND deleted_at IS NULL"),
            postgresql_where=text("scope IS NULL AND deleted_at IS NULL"),
        ),
        Index(
            "uq_configurations_scope_key",
            "scope",
            "key",
            unique=True,
            sqlite_where=text("scope IS NOT NULL AND deleted_at IS NULL"),
            postgresql_where=text("scope IS NOT NULL AND deleted_at IS NULL"),
        ),
    )

    id: Mapped[uuid_pk]
    key: Mapped[str]
    value: Mapped[str]
    scope: Mapped[str | None]
    description: Mapped[str | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    version: Mapped[record_version]


class FeatureFlag(Base):
    """Feature flag registry controlling conditional behaviors and progressive rollouts."""

    __tablename__ = "shopping_mall_feature_flags"

    id: Mapped[uuid_pk]
    code: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    description: Mapped[str | None]
    enabled: Mapped[bool]
    rollout_percentage: Mapped[int | None]
    segment: Mapped[str | None]  # key=value, e.g. locale=ko-KR
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    # A change to a sensitive flag goes through maker-checker (revision 0010).
    sensitive: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    version: Mapped[record_version]


class Policy(Base):
    """Top-level policy definitions governing business behaviors (e.g., returns,
    cancellations, pricing floors)."""

    __tablename__ = "shopping_mall_policies"

    id: Mapped[uuid_pk]
    code: Mapped[str] = mapped_column(unique=True)
    title: Mapped[str]
    category: Mapped[str]
    status: Mapped[str] = mapped_column(index=True)
    description: Mapped[str | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    version: Mapped[record_version]


class PolicyVersion(Base):
    """Effective-dated, append-only snapshots of policy content for audit and
    grandfathering."""

    __tablename__ = "shopping_mall_policy_versions"
    __table_args__ = (
        UniqueConstraint("shopping_mall_policy_id", "version", name="uq_policy_versions_version"),
        # At most one approved, open-ended version per policy (0012).
        Index(
            "uq_policy_versions_one_open_approved",
            "shopping_mall_policy_id",
            unique=True,
            sqlite_where=text("approved = 1 AND effective_to IS NULL AND deleted_at IS NULL"),
            postgresql_where=text(
                "approved = true AND effective_to IS NULL AND deleted_at IS NULL"
            ),
        ),
    )

    id: Mapped[uuid_pk]
    shopping_mall_policy_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_policies.id"), index=True
    )
    version: Mapped[str]
    effective_from: Mapped[datetime]
    effective_to: Mapped[datetime | None]
    change_notes: Mapped[str | None]
    content: Mapped[str | None] = mapped_column(Text)  # the terms of this version (0010)
    approved: Mapped[bool]
    # Who wrote it (0012): only they edit and submit it, so someone else approves it.
    author_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id")
    )
    # Raised by every edit of a draft, for stale-write checks (``version`` is the label).
    row_version: Mapped[record_version]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class Locale(Base):
    """Locale registry of supported languages/regions for the platform."""

    __tablename__ = "shopping_mall_locales"

    id: Mapped[uuid_pk]
    code: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    native_name: Mapped[str | None]
    rtl: Mapped[bool]
    active: Mapped[bool]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class NumberSequence(Base):
    """Daily counter behind the human numbers CAS, CAN, RMA, RR, PO, EXP and SHP."""

    __tablename__ = "shopping_mall_number_sequences"

    prefix: Mapped[str] = mapped_column(String(8), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)  # YYYYMMDD
    last_value: Mapped[int]
