"""Sellers domain of the mall schema."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    String,
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


class Seller(Base):
    """Merchant entity representing a seller account on the marketplace."""

    __tablename__ = "shopping_mall_sellers"

    id: Mapped[uuid_pk]
    shopping_mall_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), unique=True
    )
    seller_code: Mapped[str] = mapped_column(unique=True)
    display_name: Mapped[str]
    contact_email: Mapped[str | None]
    contact_phone: Mapped[str | None]
    state: Mapped[str] = mapped_column(index=True)
    default_locale: Mapped[str | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    version: Mapped[record_version]


class Store(Base):
    """Storefronts owned by sellers."""

    __tablename__ = "shopping_mall_stores"

    id: Mapped[uuid_pk]
    shopping_mall_seller_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_sellers.id"), index=True
    )
    store_code: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    slug: Mapped[str] = mapped_column(unique=True)
    description: Mapped[str | None]
    status: Mapped[str] = mapped_column(index=True)
    support_email: Mapped[str | None]
    support_phone: Mapped[str | None]
    logo_uri: Mapped[str | None] = mapped_column(String(80000))
    banner_uri: Mapped[str | None] = mapped_column(String(80000))
    timezone: Mapped[str | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class SellerVerification(Base):
    """KYC/KYB verification cases for sellers."""

    __tablename__ = "shopping_mall_seller_verifications"

    id: Mapped[uuid_pk]
    shopping_mall_seller_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_sellers.id"), index=True
    )
    approved_by_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    case_reference: Mapped[str] = mapped_column(unique=True)
    state: Mapped[str] = mapped_column(index=True)
    submitted_at: Mapped[datetime] = mapped_column(index=True)
    reviewed_at: Mapped[datetime | None]
    reason: Mapped[str | None]
    kyc_level: Mapped[str | None]
    documents_uri: Mapped[str | None] = mapped_column(String(80000))
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    version: Mapped[record_version]


class SellerAddress(Base):
    """Addresses associated with a seller and optionally a specific store."""

    __tablename__ = "shopping_mall_seller_addresses"

    id: Mapped[uuid_pk]
    shopping_mall_seller_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_sellers.id"), index=True
    )
    shopping_mall_store_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_stores.id"), index=True
    )
    address_type: Mapped[str]
    label: Mapped[str | None]
    recipient: Mapped[str]
    phone: Mapped[str]
    country_code: Mapped[str]
    region: Mapped[str | None]
    city: Mapped[str]
    postal_code: Mapped[str | None]
    address_line1: Mapped[str]
    address_line2: Mapped[str | None]
    is_default: Mapped[bool]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class SellerPayoutAccount(Base):
    """Financial payout configurations for sellers."""

    __tablename__ = "shopping_mall_seller_payout_accounts"

    id: Mapped[uuid_pk]
    shopping_mall_seller_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_sellers.id"), index=True
    )
    external_reference: Mapped[str] = mapped_column(unique=True)
    status: Mapped[str] = mapped_column(index=True)
    account_holder_name: Mapped[str]
    bank_name: Mapped[str | None]
    account_number_masked: Mapped[str]
    routing_number_masked: Mapped[str | None]
    country_code: Mapped[str]
    currency: Mapped[str]
    primary: Mapped[bool]
    verified_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
