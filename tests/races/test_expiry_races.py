"""The expiry job twice at once on PostgreSQL, with real parallel connections: SKIP LOCKED
gives each order to one run, so every expired order is canceled once, with one status step,
and its reservations expire once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mallconsole.extensions import db
from mallconsole.models import InventoryReservation, OrderStatusHistory, utcnow
from mallconsole.services.orders import expiry
from tests.factories.records import build
from tests.factories.request_orders import make_order
from tests.races.conftest import in_threads

pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("races")]
ORDERS = 12


def test_two_runs_at_once_cancel_each_order_once(race_app):
    with race_app.app_context(), Session(db.engine) as session:
        ids = []
        for _ in range(ORDERS):
            order, _, _ = make_order(session, status="pending_payment",
                                     history=("pending_payment",), captured=None)  # fmt: skip
            order.expires_at = utcnow() - timedelta(minutes=3)
            build(session, InventoryReservation, shopping_mall_order_id=order.id,
                  status="active", quantity=1, reservation_expires_at=order.expires_at)  # fmt: skip
            ids.append(order.id)
        session.commit()

    def run(_):
        with race_app.app_context(), Session(db.engine) as session:
            counts = expiry.expire_due(session)
            session.commit()
            return counts

    results = in_threads(4, run)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r["orders_canceled"] for r in results) == ORDERS
    assert sum(r["reservations_expired"] for r in results) == ORDERS
    with race_app.app_context(), Session(db.engine) as session:
        steps = session.scalar(
            select(func.count())
            .select_from(OrderStatusHistory)
            .where(
                OrderStatusHistory.shopping_mall_order_id.in_(ids),
                OrderStatusHistory.status == "canceled",
            )
        )
        expired = session.scalar(
            select(func.count())
            .select_from(InventoryReservation)
            .where(
                InventoryReservation.shopping_mall_order_id.in_(ids),
                InventoryReservation.status == "expired",
            )
        )
    assert (steps, expired) == (ORDERS, ORDERS)
