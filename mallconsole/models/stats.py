"""Sale statistics (seed 000: PRODUCT_DAILY_SALE_STATS, PRODUCT_INTERVAL_SALE_STATS)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mallconsole.models.base import Base, created_at, updated_at, uuid_pk


class ProductDailySaleStat(Base):
    """Units of a product sold on one day (paid orders), recomputed by the statistics job."""

    __tablename__ = "shopping_mall_product_daily_sale_stats"
    __table_args__ = (
        UniqueConstraint(
            "shopping_mall_product_id", "aggregated_date", name="uq_product_daily_sale_stats_day"
        ),
    )

    id: Mapped[uuid_pk]
    shopping_mall_product_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_products.id"), index=True
    )
    sold_quantity: Mapped[int]
    aggregated_date: Mapped[date] = mapped_column(Date, index=True)
    aggregated_at: Mapped[datetime]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class ProductIntervalSaleStat(Base):
    """Units of a product sold in a time window [aggregated_from, aggregated_to)."""

    __tablename__ = "shopping_mall_product_interval_sale_stats"
    __table_args__ = (
        UniqueConstraint(
            "shopping_mall_product_id",
            "aggregated_from",
            "aggregated_to",
            name="uq_product_interval_sale_stats_window",
        ),
    )

    id: Mapped[uuid_pk]
    shopping_mall_product_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_products.id"), index=True
    )
    sold_quantity: Mapped[int]
    aggregated_from: Mapped[datetime] = mapped_column(index=True)
    aggregated_to: Mapped[datetime]
    created_at: Mapped[created_at]
