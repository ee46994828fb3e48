"""Unpaid orders past their time: canceled with a status history step, reservations expired,
coupon redemptions revoked; an order not yet due, or paid, is left alone; a second run does
nothing; the job runs from the command line."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from mallconsole.models import (
    AuditEvent,
    CouponRedemption,
    InventoryReservation,
    OrderStatusHistory,
    utcnow,
)
from mallconsole.services import jobs
from mallconsole.services.orders import expiry
from tests.factories.records import build
from tests.factories.request_orders import make_order


def unpaid(session, *, minutes_left, reservations=("active", "extended"), coupon=True):
    order, items, _ = make_order(session, status="pending_payment", history=("pending_payment",),
                                 captured=None)  # fmt: skip
    order.expires_at = utcnow() + timedelta(minutes=minutes_left)
    for status in reservations:
        build(session, InventoryReservation, shopping_mall_order_id=order.id, status=status,
              quantity=1, reservation_expires_at=order.expires_at)  # fmt: skip
    if coupon:
        build(session, CouponRedemption, shopping_mall_order_id=order.id, status="applied",
              redeemed_at=utcnow(), revoked_at=None, reason=None)  # fmt: skip
    session.flush()
    return order


def statuses(session, model, order):
    return sorted(session.scalars(select(model.status).where(model.shopping_mall_order_id ==
                                                             order.id)))  # fmt: skip


def test_an_expired_order_is_canceled_with_everything_it_held(session):
    late = unpaid(session, minutes_left=-5)
    counts = expiry.expire_due(session)
    assert counts == {"orders_canceled": 1, "reservations_expired": 2, "coupons_revoked": 1}
    assert late.status == "canceled"
    assert statuses(session, InventoryReservation, late) == ["expired", "expired"]
    redemption = session.scalars(
        select(CouponRedemption).where(CouponRedemption.shopping_mall_order_id == late.id)
    ).one()
    assert redemption.status == "revoked" and redemption.revoked_at is not None
    step = session.scalars(
        select(OrderStatusHistory).where(OrderStatusHistory.shopping_mall_order_id == late.id)
        .order_by(OrderStatusHistory.recorded_at.desc())
    ).first()  # fmt: skip
    assert (step.status, step.reason, step.triggered_by_user_id) == (
        "canceled",
        expiry.REASON,
        None,
    )
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == late.id)).one()
    assert event.action == "order.expired" and event.actor_user_id is None
    assert "2 reservations expired, 1 coupon redemptions revoked" in event.summary


def test_orders_not_yet_due_or_paid_are_left_alone(session):
    soon = unpaid(session, minutes_left=10)
    paid = unpaid(session, minutes_left=-5)
    paid.status = "pending_confirmation"
    session.flush()
    assert expiry.expire_due(session)["orders_canceled"] == 0
    assert (soon.status, paid.status) == ("pending_payment", "pending_confirmation")
    assert statuses(session, InventoryReservation, soon) == ["active", "extended"]


def test_a_second_run_does_nothing_more(session):
    late = unpaid(session, minutes_left=-1, reservations=("active", "consumed"), coupon=False)
    assert expiry.expire_due(session)["orders_canceled"] == 1
    again = expiry.expire_due(session)
    assert again == {"orders_canceled": 0, "reservations_expired": 0, "coupons_revoked": 0}
    # a consumed reservation is not the order's to give back
    assert statuses(session, InventoryReservation, late) == ["consumed", "expired"]
    steps = session.scalars(
        select(OrderStatusHistory.status).where(
            OrderStatusHistory.shopping_mall_order_id == late.id)
    ).all()  # fmt: skip
    assert steps.count("canceled") == 1


def test_the_job_is_registered_every_five_minutes():
    job = jobs.get_job("expire-orders")
    assert job.every == timedelta(minutes=5) and job.function is not None


@pytest.mark.parametrize("limit", [1])
def test_a_batch_takes_the_oldest_deadline_first(session, limit):
    newer = unpaid(session, minutes_left=-1, coupon=False)
    older = unpaid(session, minutes_left=-30, coupon=False)
    expiry.expire_due(session, limit=limit)
    assert (older.status, newer.status) == ("canceled", "pending_payment")
