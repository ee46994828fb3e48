"""A cancellation executed while the order ships, on PostgreSQL with real parallel
connections: both lock the order row first, so one waits for the other and reads what it did;
either the order is canceled (and the shipment refused) or it shipped (and the cancellation
refused), never both. Two managers executing one cancellation: one refund request."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mallconsole.core import states
from mallconsole.core.errors import Conflict, DomainError
from mallconsole.extensions import db
from mallconsole.models import Order, RefundRequest
from mallconsole.services.aftersales import customer_requests as cr
from mallconsole.services.customers import order_status
from mallconsole.services.orders import cancellations
from tests.factories.actors import make_staff
from tests.factories.request_orders import make_order
from tests.races.conftest import in_threads

pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("races")]
PATH = ("pending_payment", "pending_confirmation", "confirmed")


@pytest.fixture
def people(race_app):
    with race_app.app_context(), Session(db.engine) as session:
        suffix = time.monotonic_ns()
        agent = make_staff(session, f"agent-{suffix}@races.test", ("support_agent",))
        ops = [make_staff(session, f"ops{n}-{suffix}@races.test", ("operations_manager",))
               for n in range(2)]  # fmt: skip
        session.commit()
        return SimpleNamespace(agent=SimpleNamespace(id=agent.id),
                               ops=[SimpleNamespace(id=p.id) for p in ops])  # fmt: skip


def approved_cancellation(app, people):
    with app.app_context(), Session(db.engine) as session:
        order, _, _ = make_order(session, status="confirmed", history=PATH, captured="60.00")
        request = cr.raise_cancellation(session, order.id, reason_code="late", note="",
                                        actor=people.agent)  # fmt: skip
        cancellations.approve(session, request.id, actor=people.ops[0],
                              expected_version=request.version)  # fmt: skip
        session.commit()
        return order.id, request.id, request.version


def ship(app, order_id, actor):
    """What shipping does: lock the order, refuse a canceled one, move it on."""
    with app.app_context(), Session(db.engine) as session:
        order = order_status.lock_order(session, order_id)
        if order.status == "canceled":
            raise Conflict("The order was canceled: nothing ships.")
        order_status.move(session, order, "shipped", actor=actor, action="order.shipped",
                          summary="shipped")  # fmt: skip
        time.sleep(0.05)  # hold the lock a moment, as a shipment's rows are written
        session.commit()
        return "shipped"


def execute(app, request_id, version, actor):
    with app.app_context(), Session(db.engine) as session:
        done = cancellations.execute(session, request_id, actor=actor, expected_version=version)
        session.commit()
        return done.message


@pytest.mark.parametrize("attempt", range(3))
def test_a_cancellation_racing_a_shipment_one_wins(race_app, people, attempt):
    order_id, request_id, version = approved_cancellation(race_app, people)
    work = [lambda: ship(race_app, order_id, people.ops[1]),
            lambda: execute(race_app, request_id, version, people.ops[0])]  # fmt: skip
    results = in_threads(2, lambda i: work[i]())
    won = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(refused) == 1, results
    with race_app.app_context(), Session(db.engine) as session:
        status = session.scalar(select(Order.status).where(Order.id == order_id))
        refunds = session.scalar(
            select(func.count()).select_from(RefundRequest)
            .where(RefundRequest.shopping_mall_order_id == order_id)
        )  # fmt: skip
    assert status in ("canceled", "shipped")
    assert refunds == (1 if status == "canceled" else 0)
    assert states.can_move(states.ORDER_MACHINE, "confirmed", status)


def test_two_managers_executing_at_once_raise_one_refund(race_app, people):
    order_id, request_id, version = approved_cancellation(race_app, people)
    results = in_threads(2, lambda i: execute(race_app, request_id, version, people.ops[i]))
    assert sum(isinstance(r, str) for r in results) == 1, results
    with race_app.app_context(), Session(db.engine) as session:
        refunds = session.scalar(
            select(func.count()).select_from(RefundRequest)
            .where(RefundRequest.shopping_mall_order_id == order_id)
        )  # fmt: skip
    assert refunds == 1
