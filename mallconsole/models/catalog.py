"""Catalog domain of the mall schema."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, validates

from mallconsole.models.base import Base, created_at, deleted_at, updated_at, uri_digest, uuid_pk


class Category(Base):
    """Hierarchical category taxonomy node used for product discovery, navigation, and SEO
    breadcrumbs."""

    __tablename__ = "shopping_mall_categories"
    __table_args__ = (
        Index(
            "uq_categories_root_slug",
            "slug",
            unique=True,
            sqlite_where=text("parent_id IS NULL AND deleted_at IS NULL"),
            postgresql_where=text("parent_id IS NULL AND deleted_at IS NULL"),
        ),
        Index(
            "uq_categories_parent_id_slug",
            "parent_id",
            "slug",
            unique=True,
            sqlite_where=text("parent_id IS NOT NULL AND deleted_at IS NULL"),
            postgresql_where=text("parent_id IS NOT NULL AND deleted_at IS NULL"),
        ),
        Index(
            "uq_categories_root_name",
            "name",
            unique=True,
            sqlite_where=text("parent_id IS NULL AND deleted_at IS NULL"),
            postgresql_where=text("parent_id IS NULL AND deleted_at IS NULL"),
        ),
        Index(
            "uq_categories_parent_id_name",
            "parent_id",
            "name",
            unique=True,
            sqlite_where=text("parent_id IS NOT NULL AND deleted_at IS NULL"),
            postgresql_where=text("parent_id IS NOT NULL AND deleted_at IS NULL"),
        ),
    )

    id: Mapped[uuid_pk]
    parent_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_categories.id"), index=True
    )
    name: Mapped[str]
    slug: Mapped[str]
    description: Mapped[str | None]
    display_order: Mapped[int]
    status: Mapped[str] = mapped_column(index=True)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class Brand(Base):
    """Brand dimension used across the catalog for filtering, attribution, and SEO."""

    __tablename__ = "shopping_mall_brands"

    id: Mapped[uuid_pk]
    name: Mapped[str] = mapped_column(unique=True)
    slug: Mapped[str] = mapped_column(unique=True)
    description: Mapped[str | None]
    website: Mapped[str | None] = mapped_column(String(80000))
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class Product(Base):
    """Core product entity defining buyer-facing content and canonical placement."""

    __tablename__ = "shopping_mall_products"

    id: Mapped[uuid_pk]
    shopping_mall_store_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_stores.id"), index=True
    )
    shopping_mall_category_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_categories.id"), index=True
    )
    shopping_mall_brand_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_brands.id"), index=True
    )
    title: Mapped[str]
    slug: Mapped[str] = mapped_column(unique=True)
    short_description: Mapped[str | None]
    long_description: Mapped[str | None]
    status: Mapped[str] = mapped_column(index=True)
    published_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class ProductCategory(Base):
    """Junction table linking shopping_mall_products to shopping_mall_categories for cross-
    listing beyond the primary category."""

    __tablename__ = "shopping_mall_product_categories"
    __table_args__ = (
        UniqueConstraint(
            "shopping_mall_product_id",
            "shopping_mall_category_id",
            name="uq_product_categories_pair",
        ),
    )

    id: Mapped[uuid_pk]
    shopping_mall_product_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_products.id"), index=True
    )
    shopping_mall_category_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_categories.id"), index=True
    )
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class ProductAttribute(Base):
    """Per-product attribute definitions used for filtering and display on PDP."""

    __tablename__ = "shopping_mall_product_attributes"
    __table_args__ = (
        UniqueConstraint("shopping_mall_product_id", "name", name="uq_product_attributes_name"),
    )

    id: Mapped[uuid_pk]
    shopping_mall_product_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_products.id"), index=True
    )
    name: Mapped[str]
    data_type: Mapped[str]
    required: Mapped[bool]
    filterable: Mapped[bool]
    display_order: Mapped[int]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class ProductAttributeValue(Base):
    """Values for a single attribute definition (shopping_mall_product_attributes)."""

    __tablename__ = "shopping_mall_product_attribute_values"

    id: Mapped[uuid_pk]
    shopping_mall_product_attribute_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_product_attributes.id"), index=True
    )
    value_string: Mapped[str | None]
    value_int: Mapped[int | None]
    value_double: Mapped[float | None] = mapped_column(Float())
    value_boolean: Mapped[bool | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]


class ProductMedia(Base):
    """Media assets for a product (shopping_mall_products) including images and videos."""

    __tablename__ = "shopping_mall_product_media"
    __table_args__ = (
        UniqueConstraint("shopping_mall_product_id", "uri_hash", name="uq_product_media_uri"),
        UniqueConstraint(
            "shopping_mall_product_id", "display_order", name="uq_product_media_order"
        ),
    )

    id: Mapped[uuid_pk]
    shopping_mall_product_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_products.id"), index=True
    )
    kind: Mapped[str]
    uri: Mapped[str] = mapped_column(String(80000))
    alt_text: Mapped[str | None]
    display_order: Mapped[int]
    is_primary: Mapped[bool]
    uri_hash: Mapped[str] = mapped_column(String(64))  # sha256 of uri: long URIs cannot be indexed
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]

    @validates("uri")
    def _hash_uri(self, _key: str, uri: str) -> str:
        self.uri_hash = uri_digest(uri)
        return uri
