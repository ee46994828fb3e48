"""Reviews domain of the mall schema."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, validates

from mallconsole.models.base import (
    Base,
    Exact,
    UTCDateTime,
    created_at,
    deleted_at,
    record_version,
    updated_at,
    uri_digest,
    uuid_pk,
)


class Review(Base):
    """Customer-authored product feedback with rating and optional text at SKU level,
    strictly tied to an eligible delivered order line (Verified Purchase)."""

    __tablename__ = "shopping_mall_reviews"
    __table_args__ = (
        # The pending queue in its order (services/review_queues; revision 0011).
        Index(
            "ix_reviews_pending_age",
            "created_at",
            "id",
            sqlite_where=text("state = 'pending' AND deleted_at IS NULL"),
            postgresql_where=text("state = 'pending' AND deleted_at IS NULL"),
        ),
        # The few deleted reviews: a reply's "on a live review" without reading every review.
        Index(
            "ix_reviews_deleted",
            "id",
            sqlite_where=text("deleted_at IS NOT NULL"),
            postgresql_where=text("deleted_at IS NOT NULL"),
        ),
        # The reported queue in its order, and its count (revision 0014).
        Index(
            "ix_reviews_reported_rank",
            "report_rank",
            "id",
            sqlite_where=text("report_rank IS NOT NULL AND deleted_at IS NULL"),
            postgresql_where=text("report_rank IS NOT NULL AND deleted_at IS NULL"),
        ),
    )

    id: Mapped[uuid_pk]
    author_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    product_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_products.id"), index=True
    )
    sku_id: Mapped[str] = mapped_column(String(36), ForeignKey("shopping_mall_skus.id"), index=True)
    order_item_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_order_items.id"), unique=True
    )
    title: Mapped[str | None]
    body: Mapped[str | None]
    rating: Mapped[Decimal] = mapped_column(Exact(2, 1))
    verified_purchase: Mapped[bool]
    state: Mapped[str] = mapped_column(index=True)
    language: Mapped[str | None]
    edited_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    version: Mapped[record_version]
    # The review's open reports, kept by triggers on the reports (revision 0014): how many, the
    # oldest, and the reported queue's order (count × 10^10 − the oldest's epoch seconds).
    open_report_count: Mapped[int] = mapped_column(default=0, server_default="0")
    first_open_report_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    report_rank: Mapped[int | None] = mapped_column(BigInteger)


class ReviewMedia(Base):
    """Media attachments (images/videos) associated with a specific review
    shopping_mall_reviews."""

    __tablename__ = "shopping_mall_review_media"
    __table_args__ = (
        UniqueConstraint("shopping_mall_review_id", "uri_hash", name="uq_review_media_uri"),
        UniqueConstraint("shopping_mall_review_id", "position", name="uq_review_media_position"),
    )

    id: Mapped[uuid_pk]
    shopping_mall_review_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_reviews.id"), index=True
    )
    uri: Mapped[str] = mapped_column(String(80000))
    mime_type: Mapped[str]
    kind: Mapped[str]
    position: Mapped[int]
    uri_hash: Mapped[str] = mapped_column(String(64))  # sha256 of uri: long URIs cannot be indexed
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]

    @validates("uri")
    def _hash_uri(self, _key: str, uri: str) -> str:
        self.uri_hash = uri_digest(uri)
        return uri


class ReviewModeration(Base):
    """Append-only moderation decision history for reviews."""

    __tablename__ = "shopping_mall_review_moderations"
    __table_args__ = (
        # Recently decided, newest first (revision 0011).
        Index(
            "ix_review_moderations_effective",
            "created_at",
            "id",
            sqlite_where=text("effective = 1"),
            postgresql_where=text("effective = true"),
        ),
    )

    id: Mapped[uuid_pk]
    shopping_mall_review_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_reviews.id"), index=True
    )
    moderator_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    decision: Mapped[str]
    reason_code: Mapped[str]
    note: Mapped[str | None]
    effective: Mapped[bool]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class ReviewReport(Base):
    """User- or guest-initiated reports against reviews for policy violations."""

    __tablename__ = "shopping_mall_review_reports"
    __table_args__ = (
        # Open reports (moderation home and queue): only unresolved rows are indexed.
        Index(
            "ix_review_reports_open",
            "created_at",
            sqlite_where=text("resolved = 0 AND deleted_at IS NULL"),
            postgresql_where=text("resolved = false AND deleted_at IS NULL"),
        ),
        # Which reviews have open reports, and how many (the reported queue; revision 0011).
        Index(
            "ix_review_reports_open_review",
            "shopping_mall_review_id",
            sqlite_where=text("resolved = 0 AND deleted_at IS NULL"),
            postgresql_where=text("resolved = false AND deleted_at IS NULL"),
        ),
    )

    id: Mapped[uuid_pk]
    shopping_mall_review_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_reviews.id"), index=True
    )
    reporter_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    resolver_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    reporter_role: Mapped[str]
    reason_category: Mapped[str]
    note: Mapped[str | None]
    resolved: Mapped[bool]
    resolved_at: Mapped[datetime | None]
    decision: Mapped[str | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    version: Mapped[record_version]


class RatingAggregate(Base):
    """SKU-level roll-up rating metrics for faster read paths and sorting."""

    __tablename__ = "shopping_mall_rating_aggregates"
    __table_args__ = (UniqueConstraint("product_id", "sku_id", name="uq_rating_aggregates_sku"),)

    id: Mapped[uuid_pk]
    product_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_products.id"), index=True
    )
    sku_id: Mapped[str] = mapped_column(String(36), ForeignKey("shopping_mall_skus.id"), index=True)
    average_rating: Mapped[Decimal] = mapped_column(Exact(6, 4))
    total_reviews: Mapped[int]
    ratings_1_count: Mapped[int]
    ratings_2_count: Mapped[int]
    ratings_3_count: Mapped[int]
    ratings_4_count: Mapped[int]
    ratings_5_count: Mapped[int]
    last_approved_review_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class SellerReply(Base):
    """Single public reply from the owning seller to an Approved review."""

    __tablename__ = "shopping_mall_seller_replies"
    __table_args__ = (
        # Replies waiting for moderation, oldest first (revision 0011).
        Index(
            "ix_seller_replies_pending_age",
            "created_at",
            "id",
            sqlite_where=text("state = 'pending' AND deleted_at IS NULL"),
            postgresql_where=text("state = 'pending' AND deleted_at IS NULL"),
        ),
    )

    id: Mapped[uuid_pk]
    shopping_mall_review_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_reviews.id"), unique=True
    )
    shopping_mall_seller_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_sellers.id"), index=True
    )
    body: Mapped[str]
    state: Mapped[str] = mapped_column(index=True)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    deleted_at: Mapped[deleted_at]
    version: Mapped[record_version]


class ProductRatingAggregate(Base):
    """Product-level rating roll-up: a materialized view on PostgreSQL, a table on SQLite."""

    __tablename__ = "mv_shopping_mall_product_rating_aggregates"

    id: Mapped[uuid_pk]
    product_id: Mapped[str] = mapped_column(String(36), unique=True)
    average_rating: Mapped[Decimal] = mapped_column(Exact(6, 4))
    total_reviews: Mapped[int]
    ratings_1_count: Mapped[int]
    ratings_2_count: Mapped[int]
    ratings_3_count: Mapped[int]
    ratings_4_count: Mapped[int]
    ratings_5_count: Mapped[int]
    last_approved_review_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
