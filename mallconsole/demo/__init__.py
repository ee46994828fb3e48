"""The demo world of ``flask seed-demo``: a consistent marketplace with work in every console.

``build_world`` describes the world domain by domain (staff, sellers, catalog, customers,
promotions, carts, orders with their after-sales, reviews and cases, finance, support,
admin, statistics) and writes it in bulk on one connection, in one transaction owned by the
caller. The same seed and the same ``now`` give the same rows, ids included.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from mallconsole.demo import (
    admin,
    catalog,
    customers,
    finance,
    orders,
    promotions,
    reviews,
    sellers,
    staff,
    stats,
    support,
)
from mallconsole.demo.world import World
from mallconsole.demo.writer import bulk_writer
from mallconsole.models.base import utcnow
from mallconsole.services.moderation.ratings import refresh_product_rating_aggregates

__all__ = ["World", "build_world", "describe_world"]


def describe_world(world: World, *, password_hash: str, mfa_secret_encrypted: str) -> World:
    """Run every domain of the demo world on ``world`` (rows go to its writer)."""
    staff.build_staff(world, password_hash=password_hash, mfa_secret_encrypted=mfa_secret_encrypted)
    sellers.build_sellers(world)
    catalog.build_reference_data(world)
    catalog.build_catalog(world)
    world.flush(f"staff, sellers, catalog ({len(world.refs['skus']):,} SKUs on sale)")
    customers.build_customers(world)
    promotions.build_promotions(world)
    customers.build_carts(world)
    world.flush(f"customers, promotions, carts ({len(world.refs['customers']):,} customers)")
    orders.build_orders(world)
    reviews.write_aggregates(world)
    finance.build_finance(world)
    world.flush("ledgers, payouts, chargebacks")
    support.build_cases(world)
    admin.build_admin(world)
    stats.build_sale_stats(world)
    world.sequence_rows()
    world.flush("support, admin, statistics")
    return world


def build_world(
    connection: Connection,
    *,
    config,
    scale: float = 1.0,
    seed: int = 1,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
    password_hash: str | None = None,
) -> World:
    """Write the demo world on ``connection`` (the caller commits)."""
    from mallconsole.services.identity.passwords import hash_password
    from mallconsole.services.identity.secretbox import encrypt_secret

    # Argon2 is slow on purpose: hash the demo password once for every demo account.
    password_hash = password_hash or hash_password(staff.DEMO_PASSWORD)
    with bulk_writer(connection) as write:
        world = World(seed=seed, scale=scale, now=now or utcnow(), write=write, progress=progress)
        world.refs["upload_dir"] = config.get("UPLOAD_DIR")
        describe_world(
            world,
            password_hash=password_hash,
            mfa_secret_encrypted=encrypt_secret(config, staff.DEMO_TOTP_SECRET),
        )
    world.flush("load complete")
    reviews.summarize_open_reports(connection)
    with Session(bind=connection) as session:
        refresh_product_rating_aggregates(session)
        session.flush()
    world.flush("product rating roll-up")
    return world
