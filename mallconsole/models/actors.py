"""Actors domain of the mall schema."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from mallconsole.models.base import Base, created_at, deleted_at, updated_at, uuid_pk


class User(Base):
    """Platform user identities for all roles (guests who registered, customers, sellers,
    and staff)."""

    __tablename__ = "shopping_mall_users"

    id: Mapped[uuid_pk]
    email: Mapped[str] = mapped_column(unique=True)
    password_hash: Mapped[str]
    email_verified: Mapped[bool]
    verified_at: Mapped[datetime | None]
    mfa_enabled: Mapped[bool]
    mfa_method: Mapped[str | None]
    mfa_secret_encrypted: Mapped[str | None]
    mfa_backup_codes_encrypted: Mapped[str | None]
    password_changed_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(index=True)
    name: Mapped[str | None]
    nickname: Mapped[str | None]
    phone: Mapped[str | None]
    last_login_at: Mapped[datetime | None]
    lockout_until: Mapped[datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    # Console additions (migration 0002): the TOTP time step last accepted, so a code is
    # never accepted twice, and the IANA zone the staff member reads times in (null = UTC).
    mfa_last_used_step: Mapped[int | None]
    time_zone: Mapped[str | None]
    # Revision 0004: the locale money, numbers and dates are shown in (null: from the browser).
    locale: Mapped[str | None]


class UserSession(Base):
    """Authentication sessions/refresh tokens for users."""

    __tablename__ = "shopping_mall_user_sessions"

    id: Mapped[uuid_pk]
    shopping_mall_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    refresh_token_hash: Mapped[str] = mapped_column(unique=True)
    user_agent: Mapped[str | None]
    ip: Mapped[str | None]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    revoked_at: Mapped[datetime | None]
    last_accessed_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class UserAddress(Base):
    """Customer-managed delivery/billing addresses."""

    __tablename__ = "shopping_mall_user_addresses"

    id: Mapped[uuid_pk]
    shopping_mall_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    type: Mapped[str]
    recipient: Mapped[str]
    phone: Mapped[str]
    country: Mapped[str]
    region: Mapped[str | None]
    city: Mapped[str]
    postal_code: Mapped[str]
    address_line1: Mapped[str]
    address_line2: Mapped[str | None]
    default_shipping: Mapped[bool]
    default_billing: Mapped[bool]
    serviceable: Mapped[bool]
    verified: Mapped[bool]
    validated_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class Consent(Base):
    """Consent records per user for marketing/personalization and other regulated
    communications."""

    __tablename__ = "shopping_mall_consents"
    __table_args__ = (
        UniqueConstraint("shopping_mall_user_id", "scope", name="uq_consents_user_scope"),
    )

    id: Mapped[uuid_pk]
    shopping_mall_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    scope: Mapped[str]
    granted: Mapped[bool]
    granted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class UserSecurityEvent(Base):
    """Append-only security/audit events for identity lifecycle (login success/failure,
    password reset, 2FA, token revocations)."""

    __tablename__ = "shopping_mall_user_security_events"

    id: Mapped[uuid_pk]
    shopping_mall_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    shopping_mall_user_session_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_user_sessions.id"), index=True
    )
    event_type: Mapped[str]
    reason: Mapped[str | None]
    ip: Mapped[str | None]
    user_agent: Mapped[str | None]
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[created_at]


class Guest(Base):
    """Role-assignment table marking a shopping_mall_users identity as guest-kind (limited
    capabilities)."""

    __tablename__ = "shopping_mall_guest"

    id: Mapped[uuid_pk]
    shopping_mall_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), unique=True
    )
    granted_by_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    assigned_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    reason: Mapped[str | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class Customer(Base):
    """Role-assignment table indicating a shopping_mall_users identity has customer
    capabilities."""

    __tablename__ = "shopping_mall_customer"

    id: Mapped[uuid_pk]
    shopping_mall_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), unique=True
    )
    granted_by_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    assigned_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    reason: Mapped[str | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class SellerRole(Base):
    """Role-assignment table indicating a shopping_mall_users identity has seller
    capabilities."""

    __tablename__ = "shopping_mall_seller"

    id: Mapped[uuid_pk]
    shopping_mall_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), unique=True
    )
    granted_by_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    assigned_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    reason: Mapped[str | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class SupportAgent(Base):
    """Role-assignment table indicating a shopping_mall_users identity has support agent
    capabilities within policy thresholds."""

    __tablename__ = "shopping_mall_supportagent"

    id: Mapped[uuid_pk]
    shopping_mall_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), unique=True
    )
    granted_by_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    assigned_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    reason: Mapped[str | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class OperationsManager(Base):
    """Role-assignment table indicating a shopping_mall_users identity has operations
    manager capabilities for catalog/policy governance."""

    __tablename__ = "shopping_mall_operationsmanager"

    id: Mapped[uuid_pk]
    shopping_mall_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), unique=True
    )
    granted_by_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    assigned_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    reason: Mapped[str | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class FinanceManager(Base):
    """Role-assignment table indicating a shopping_mall_users identity has finance manager
    capabilities for refunds, payouts, and reconciliation governance."""

    __tablename__ = "shopping_mall_financemanager"

    id: Mapped[uuid_pk]
    shopping_mall_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), unique=True
    )
    granted_by_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    assigned_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    reason: Mapped[str | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class ContentModerator(Base):
    """Role-assignment table indicating a shopping_mall_users identity has content
    moderation capabilities."""

    __tablename__ = "shopping_mall_contentmoderator"

    id: Mapped[uuid_pk]
    shopping_mall_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), unique=True
    )
    granted_by_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    assigned_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    reason: Mapped[str | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class SystemAdmin(Base):
    """Role-assignment table indicating a shopping_mall_users identity has system
    administrator capabilities."""

    __tablename__ = "shopping_mall_systemadmin"

    id: Mapped[uuid_pk]
    shopping_mall_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), unique=True
    )
    granted_by_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    assigned_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    reason: Mapped[str | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class SignInAttempt(Base):
    """One sign-in attempt, counted to throttle by account and by client IP across processes."""

    __tablename__ = "shopping_mall_sign_in_attempts"
    __table_args__ = (
        Index("ix_sign_in_attempts_email_key_at", "email_key", "attempted_at"),
        Index("ix_sign_in_attempts_client_ip_at", "client_ip", "attempted_at"),
    )

    id: Mapped[uuid_pk]
    email: Mapped[str]  # as typed
    email_key: Mapped[str]  # trimmed and lower-cased, for counting
    client_ip: Mapped[str | None]
    success: Mapped[bool]
    attempted_at: Mapped[datetime]
