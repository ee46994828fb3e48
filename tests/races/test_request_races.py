"""Agents raising requests on one order at once, on PostgreSQL with real parallel connections:
the order's row lock makes them take turns, so together they never pass a ceiling."""

from __future__ import annotations

import time
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mallconsole.core.errors import ValidationError
from mallconsole.extensions import db
from mallconsole.models import RefundRequest, ReturnItem
from mallconsole.services.aftersales import customer_requests as cr
from tests.factories.actors import make_staff
from tests.factories.request_orders import make_order
from tests.races.conftest import in_threads

pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("races")]


@pytest.fixture
def agents(race_app):
    with race_app.app_context(), Session(db.engine) as session:
        suffix = time.monotonic_ns()
        people = [make_staff(session, f"agent{n}-{suffix}@races.test") for n in range(10)]
        session.commit()
        return [SimpleNamespace(id=p.id) for p in people]


def committed_order(app, **values):
    with app.app_context(), Session(db.engine) as session:
        order, items, _ = make_order(session, **values)
        session.commit()
        return order.id, [i.id for i in items]


def raise_refund(app, order_id, lines, agent):
    with app.app_context(), Session(db.engine) as session:
        request = cr.raise_refund(
            session, order_id, lines, reason_code="damaged", note="", actor=agent
        )
        session.commit()
        return request.total_requested_amount


def requested_total(app, order_id):
    with app.app_context(), Session(db.engine) as session:
        return session.scalar(
            select(func.coalesce(func.sum(RefundRequest.total_requested_amount), 0)).where(
                RefundRequest.shopping_mall_order_id == order_id
            )
        )


def test_two_agents_whose_refunds_together_pass_the_ceiling(race_app, agents):
    with race_app.app_context():
        for _ in range(5):
            order_id, _ = committed_order(race_app, captured="100.00")
            results = in_threads(
                2, lambda i, o=order_id: raise_refund(race_app, o, [(None, "60.00")], agents[i])
            )
            succeeded = [r for r in results if isinstance(r, Decimal)]
            refused = [r for r in results if isinstance(r, ValidationError)]
            assert len(succeeded) == 1 and len(refused) == 1, results
            assert "USD\u00a040.00" in refused[0].field_errors["lines"][0]
            assert requested_total(race_app, order_id) == Decimal("60.00")


def test_ten_agents_at_once_fill_the_ceiling_and_no_more(race_app, agents):
    with race_app.app_context():
        order_id, _ = committed_order(race_app, captured="100.00")
        results = in_threads(
            10, lambda i: raise_refund(race_app, order_id, [(None, "15.00")], agents[i])
        )
        assert sum(isinstance(r, Decimal) for r in results) == 6, results
        assert all(isinstance(r, Decimal | ValidationError) for r in results), results
        assert requested_total(race_app, order_id) == Decimal("90.00")


def test_two_agents_on_one_line_keep_its_own_ceiling(race_app, agents):
    with race_app.app_context():
        order_id, items = committed_order(race_app, captured="500.00")  # line 1: 40.00
        results = in_threads(
            2, lambda i: raise_refund(race_app, order_id, [(items[0], "30.00")], agents[i])
        )
        refused = [r for r in results if isinstance(r, ValidationError)]
        assert len(refused) == 1, results
        assert (
            "At most USD\u00a010.00 on Product 1"
            in refused[0].field_errors[cr.amount_field(items[0])][0]
        )


def test_two_agents_returning_the_last_units(race_app, agents):
    def raise_return(i, order_id, item_id):
        with race_app.app_context(), Session(db.engine) as session:
            request = cr.raise_return(
                session, order_id, {item_id: "2"}, reason_code="damaged", note="", actor=agents[i]
            )
            session.commit()
            return request.rma_code

    with race_app.app_context():
        order_id, items = committed_order(race_app)  # line 1: 2 units delivered
        results = in_threads(2, lambda i: raise_return(i, order_id, items[0]))
        assert sum(isinstance(r, str) for r in results) == 1, results
        with Session(db.engine) as session:
            units = session.scalar(
                select(func.sum(ReturnItem.requested_quantity)).where(
                    ReturnItem.shopping_mall_order_item_id == items[0]
                )
            )
        assert units == 2
