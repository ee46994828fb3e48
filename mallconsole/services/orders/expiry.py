"""Unpaid orders whose time ran out: a ``pending_payment`` order past its ``expires_at`` is
canceled, its stock reservations expire and its coupon redemptions are revoked, with a step
in its status history and one audit event (the ``expire-orders`` job, every few minutes).

Safe to run twice at once: due orders are taken with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL
(SQLite's one writer runs alone), and each is read again once locked, so an order paid or
expired meanwhile is left as it is. Run again, it finds nothing more to do."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from mallconsole.core import states
from mallconsole.models import CouponRedemption, InventoryReservation, Order, utcnow
from mallconsole.services.customers import order_status
from mallconsole.services.kit import claims

REASON = "payment not received in time"
BATCH = 500
# The reservation states an expiry ends.
HELD = ("active", "extended")


def due(now: datetime):
    """The unpaid orders whose time has run out, oldest deadline first."""
    return (
        select(Order)
        .where(
            Order.status == "pending_payment",
            Order.expires_at <= now,
            Order.deleted_at.is_(None),
        )
        .order_by(Order.expires_at, Order.id)
    )


def _expire_reservations(session, order: Order, now: datetime) -> int:
    held = session.scalars(
        select(InventoryReservation)
        .where(
            InventoryReservation.shopping_mall_order_id == order.id,
            InventoryReservation.status.in_(HELD),
        )
        .with_for_update()
    ).all()
    for reservation in held:
        states.check_move(states.INVENTORY_RESERVATION_MACHINE, reservation.status, "expired")
        reservation.status = "expired"
        reservation.updated_at = now
    return len(held)


def _revoke_coupons(session, order: Order, now: datetime) -> int:
    applied = session.scalars(
        select(CouponRedemption)
        .where(
            CouponRedemption.shopping_mall_order_id == order.id,
            CouponRedemption.status == "applied",
            CouponRedemption.deleted_at.is_(None),
        )
        .with_for_update()
    ).all()
    for redemption in applied:
        redemption.status = "revoked"
        redemption.revoked_at = now
        redemption.reason = REASON
        redemption.updated_at = now
    return len(applied)


def expire_due(session, *, now: datetime | None = None, limit: int = BATCH) -> dict:
    """Cancel up to ``limit`` expired unpaid orders; what was done, counted."""
    now = now or utcnow()
    counts = {"orders_canceled": 0, "reservations_expired": 0, "coupons_revoked": 0}
    for order in claims.lock_next(session, due(now), limit):
        session.refresh(order)  # read again under the lock: paid meanwhile, it stays
        if (
            order.status != "pending_payment"
            or order.expires_at is None
            or (order.expires_at > now)
        ):
            continue
        reservations = _expire_reservations(session, order, now)
        coupons = _revoke_coupons(session, order, now)
        order_status.move(
            session, order, "canceled", actor=None, action="order.expired",
            summary=f"{order.order_number} canceled: {REASON} ({reservations} reservations "
            f"expired, {coupons} coupon redemptions revoked)",
            reason=REASON, now=now,
        )  # fmt: skip
        counts["orders_canceled"] += 1
        counts["reservations_expired"] += reservations
        counts["coupons_revoked"] += coupons
    session.flush()
    return counts
